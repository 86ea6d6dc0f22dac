"""``risk evaluate --format pdf``: a PDF that a PDF reader opens, with its
text and its two plots, from the command line and from a report made by hand."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from rehabkoll.cli import app
from rehabkoll.risk import evaluation, report_pdf
from tests.test_risk_cli import _region

runner = CliRunner()


def _images(body: bytes) -> list[tuple[int, int]]:
    """The (width, height) in pixels of every image on every page."""
    reader = PdfReader(io.BytesIO(body))
    found = []
    for page in reader.pages:
        for image in page.images:
            assert image.image is not None
            found.append((image.image.width, image.image.height))
    return found


def _text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_a_hand_made_report_is_a_pdf_with_its_table_and_two_plots() -> None:
    # Six cases: the long ones (1) got 0.8 and 0.6, the short ones 0.3, 0.2 and
    # 0.7 and 0.1; of the 2 × 4 = 8 long-short pairs the long one is higher in
    # 7 (0.6 < 0.7 is the one miss), so AUC = 7/8 = 0.875.
    result = evaluation.report(
        [1, 1, 0, 0, 0, 0],
        [0.8, 0.6, 0.3, 0.2, 0.7, 0.1],
        ["F", "M", "F", "M", "F", "M"],
        ["F32-F39", "F32-F39", "M40-M54", "M40-M54", "F32-F39", "M40-M54"],
        model_version=4,
        meta={
            "from": "2025-01-01",
            "to": "2025-06-30",
            "as_of": "2025-12-31",
            "trained_as_of": "2024-12-31",
            "temporal": True,
            "censored": 2,
        },
    )
    assert result["auc"] == pytest.approx(0.875)
    body = report_pdf.to_pdf(result)
    assert body.startswith(b"%PDF-")
    assert body.rstrip().endswith(b"%%EOF")
    text = _text(body)
    assert "Modellversion 4" in text
    assert "Kvinnor" in text
    assert "Män" in text
    assert "0,875" in text  # the AUC with a decimal comma
    assert "temporal validering" in text
    # Both plots, as pictures of a real size (not empty placeholders).
    images = _images(body)
    assert len(images) == 2
    assert all(w > 300 and h > 200 for w, h in images)


@pytest.mark.postgres
def test_risk_evaluate_writes_a_pdf_with_its_plots(tmp_path: Path, db_url: str) -> None:
    imported = runner.invoke(app, ["import", str(_region(tmp_path / "r.jsonl")), "--db", db_url])
    assert imported.exit_code == 0, imported.output
    trained = runner.invoke(
        app, ["risk", "train", "--as-of", "2023-01-01", "--seed", "3", "--db", db_url]
    )
    assert trained.exit_code == 0, trained.output
    window = ["--from", "2023-01-02", "--to", "2023-03-06", "--as-of", "2024-06-01"]
    out = tmp_path / "report.pdf"
    written = runner.invoke(
        app, ["risk", "evaluate", *window, "--format", "pdf", "--out", str(out), "--db", db_url]
    )
    assert written.exit_code == 0, written.output
    assert "Written to" in written.output
    assert not out.with_name("report.pdf.partial").exists()
    body = out.read_bytes()
    assert len(PdfReader(io.BytesIO(body)).pages) >= 1
    assert len(_images(body)) == 2
    # The same figures as the JSON: 32 cases (tests/test_risk_cli.py counts them).
    as_json = runner.invoke(app, ["risk", "evaluate", *window, "--db", db_url])
    figures = json.loads(as_json.output)
    assert figures["n"] == 32
    assert "32" in _text(body)
