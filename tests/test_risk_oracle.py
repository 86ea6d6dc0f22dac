"""The oracle beside the model's figures (issue 17, §3): the truth file of
``rehabkoll synth`` read back, and ``risk evaluate --truth`` on a small
synthetic region."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rehabkoll.cli import app
from rehabkoll.risk import evaluation

runner = CliRunner()


def test_the_oracle_and_the_gap_by_hand() -> None:
    # Four cases, two long. The oracle ranks both long cases above both short
    # ones: AUC 1. The model ranks one short case above one long one: of the
    # 4 long/short pairs, 3 are in order, AUC 0.75; the gap is 0.25.
    y = [1, 1, 0, 0]
    model_p = [0.8, 0.3, 0.4, 0.1]
    sexes = ["F", "F", "F", "F"]
    result = evaluation.report(y, model_p, sexes, ["g"] * 4, model_version=1, meta={})
    keys = [("a", "2025-01-01"), ("b", "2025-01-02"), ("c", "2025-01-03"), ("d", "2025-01-04")]
    truth = {keys[0]: 0.9, keys[1]: 0.6, keys[2]: 0.2, keys[3]: 0.1, ("x", "2020-01-01"): 0.5}
    evaluation.add_oracle(result, keys, y, sexes, truth)
    assert result["auc"] == pytest.approx(0.75)
    assert result["oracle_auc"] == pytest.approx(1.0)
    assert result["auc_gap"] == pytest.approx(0.25)
    assert result["oracle"]["matched"] == 4
    assert result["by_sex"]["F"]["auc_gap"] == pytest.approx(0.25)
    # No men: no AUC for them, and no gap rather than a made-up one.
    assert result["by_sex"]["M"]["n"] == 0
    assert result["by_sex"]["M"]["auc_gap"] is None


def test_a_file_without_the_oracle_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("patient_id,case_start\np,2025-01-01\n", encoding="utf-8")
    with pytest.raises(ValueError, match="oracle_p15_over_90"):
        evaluation.read_truth(path)


def test_evaluate_with_the_truth_file_of_a_synthetic_region(tmp_path: Path) -> None:
    certificates, truth = tmp_path / "region.jsonl", tmp_path / "truth.csv"
    db = f"sqlite:///{tmp_path / 'r.db'}"
    made = runner.invoke(
        app,
        [
            *("synth", "--insured", "6000", "--years", "3", "--end-date", "2025-12-31"),
            *("--seed", "31", "--out", str(certificates), "--truth", str(truth)),
        ],
    )
    assert made.exit_code == 0, made.output
    assert runner.invoke(app, ["import", str(certificates), "--db", db]).exit_code == 0
    bad = runner.invoke(app, ["risk", "train", "--since", "2023-13-01", "--db", db])
    assert bad.exit_code != 0
    assert "--since" in bad.output
    trained = runner.invoke(
        app, ["risk", "train", "--as-of", "2024-12-31", "--since", "2023-01-01", "--db", db]
    )
    assert trained.exit_code == 0, trained.output
    out = tmp_path / "evaluation.json"
    judged = runner.invoke(
        app,
        [
            *("risk", "evaluate", "--from", "2025-01-01", "--to", "2025-06-30"),
            *("--as-of", "2025-12-31", "--truth", str(truth), "--out", str(out), "--db", db),
        ],
    )
    assert judged.exit_code == 0, judged.output
    result = json.loads(out.read_text(encoding="utf-8"))
    for key in ("n", "auc", "brier", "ece", "model_version", "oracle_auc", "auc_gap"):
        assert result[key] is not None, key
    for sex in ("F", "M"):
        for key in ("n", "auc", "ece", "oracle_auc", "auc_gap"):
            assert result["by_sex"][sex][key] is not None, (sex, key)
    # Every evaluated case is in the truth file, and the oracle is better than
    # chance on it (a few hundred cases: no closer claim here; the benchmark
    # measures the gap on a region of 300,000).
    assert result["oracle"]["unmatched"] == 0
    assert result["oracle"]["matched"] == result["n"]
    assert result["oracle_auc"] > 0.6
    assert np.isclose(result["auc_gap"], result["oracle_auc"] - result["auc"])

    wrong = runner.invoke(
        app,
        [
            *("risk", "evaluate", "--from", "2025-01-01", "--to", "2025-06-30"),
            *("--truth", str(certificates), "--db", db),
        ],
    )
    assert wrong.exit_code != 0
    assert "--truth" in wrong.output


def test_the_html_report_shows_the_oracle_in_swedish() -> None:
    y, p, sexes = [1, 0, 1, 0], [0.8, 0.3, 0.4, 0.1], ["F", "M", "F", "M"]
    result = evaluation.report(y, p, sexes, ["g"] * 4, model_version=3, meta={})
    assert "oraklet" not in evaluation.to_html(result)  # no truth file, no oracle
    keys = [(str(k), "2025-01-01") for k in range(4)]
    evaluation.add_oracle(
        result, keys, y, sexes, dict(zip(keys, [0.9, 0.2, 0.7, 0.1], strict=True))
    )
    page = evaluation.to_html(result)
    assert "Jämfört med oraklet" in page
    assert "<td>1,000</td>" in page  # the oracle's AUC, with a decimal comma
