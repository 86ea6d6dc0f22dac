"""Importing Socialstyrelsen's FMB (rehabkoll fmb import / show): the shared
data's counts, idempotence, a newer version, malformed files and the API's
address."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from rehabkoll.cli import app
from rehabkoll.db.session import session_scope
from rehabkoll.fmb import reading, service
from rehabkoll.fmb.models import FmbDiagnosis, FmbTypicalCase, FmbVersion
from tests.fmb_data import fmb_dir

runner = CliRunner()


def counts(engine: Engine) -> tuple[int, int, int]:
    with session_scope(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(FmbVersion)) or 0,
            session.scalar(select(func.count()).select_from(FmbTypicalCase)) or 0,
            session.scalar(select(func.count()).select_from(FmbDiagnosis)) or 0,
        )


def import_folder(engine: Engine, folder: Path | str) -> service.ImportResult:
    data = reading.read([str(folder)])
    with session_scope(engine) as session:
        return service.import_data(session, data)


def test_the_shared_data_gives_439_typical_cases_and_116_diagnosis_entries(
    engine: Engine,
) -> None:
    result = import_folder(engine, fmb_dir())
    assert result.outcome is service.Outcome.stored
    assert (result.typical_cases, result.diagnoses) == (439, 116)
    # 81 typical cases carry no number (data/README); the rest by unit
    assert result.units == {"": 81, "d": 68, "wk": 198, "mo": 92}
    assert result.with_length == 358
    assert counts(engine) == (1, 439, 116)


def test_a_second_import_of_the_same_data_changes_nothing(engine: Engine) -> None:
    first = import_folder(engine, fmb_dir())
    second = import_folder(engine, fmb_dir())
    assert second.outcome is service.Outcome.unchanged
    assert second.version_id == first.version_id
    assert counts(engine) == (1, 439, 116)


def test_the_version_in_force_is_the_latest_built_by_the_day(
    engine: Engine, tmp_path: Path
) -> None:
    import_folder(engine, fmb_dir())
    newer = _copy(tmp_path, built="2026-11-30T03:00:00+0100", change=_f32_twelve_months)
    result = import_folder(engine, newer)
    assert result.outcome is service.Outcome.stored
    assert counts(engine) == (2, 878, 232)
    with session_scope(engine) as session:
        before = service.catalogue(session, date(2026, 11, 29))
        after = service.catalogue(session, date(2026, 11, 30))
        nothing = service.catalogue(session, date(2018, 6, 4))
    assert before is not None
    assert after is not None
    assert before.version.label == "2018-06-05"
    assert after.version.label == "2026-11-30"
    assert nothing is None
    assert before.recommend(["F32"]).max_days == 186  # type: ignore[union-attr]
    assert after.recommend(["F32"]).max_days == 372  # type: ignore[union-attr]
    # importing the older build again changes nothing; the newer stays in force
    assert import_folder(engine, fmb_dir()).outcome is service.Outcome.unchanged


def test_a_malformed_file_names_the_file_and_the_entry_and_keeps_the_data_in_force(
    engine: Engine, tmp_path: Path
) -> None:
    import_folder(engine, fmb_dir())

    def break_entry(body: dict[str, Any]) -> None:
        body["data"][4]["attributes"]["fmbtillstand"]["diagnoskod"] = "F32"

    broken = _copy(tmp_path, built="2026-11-30T03:00:00+0100", change=break_entry)
    with pytest.raises(reading.FmbFormatError) as caught:
        import_folder(engine, broken)
    message = str(caught.value)
    assert "typfall.json" in message
    assert "entry 5 (id" in message
    assert "attributes.fmbtillstand.diagnoskod" in message
    assert counts(engine) == (1, 439, 116)


def test_the_same_build_with_other_content_is_refused(engine: Engine, tmp_path: Path) -> None:
    import_folder(engine, fmb_dir())
    same = _copy(tmp_path, built="2018-06-05T13:23:25+0200", change=_f32_twelve_months)
    with pytest.raises(service.SameBuildDifferentDataError):
        import_folder(engine, same)
    assert counts(engine) == (1, 439, 116)


def test_the_api_address_fetches_both_documents() -> None:
    folder = fmb_dir()
    files = {
        "https://api.example/fmb/typfall": folder / "typfall.json",
        "https://api.example/fmb/forsakringsmedicinskdiagnosinformation": folder
        / "diagnosinformation.json",
    }
    asked: list[str] = []

    def fetch(url: str) -> bytes:
        asked.append(url)
        return files[url].read_bytes()

    data = reading.read(["https://api.example/fmb/"], fetch=fetch)
    assert asked == list(files)
    assert (len(data.typical_cases), len(data.diagnoses)) == (439, 116)


def test_the_two_files_may_be_given_in_any_order() -> None:
    folder = fmb_dir()
    data = reading.read([str(folder / "diagnosinformation.json"), str(folder / "typfall.json")])
    assert len(data.typical_cases) == 439


def test_a_missing_document_and_bad_json_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(reading.FmbFormatError, match="no document of forsakrings"):
        reading.read([str(fmb_dir() / "typfall.json")])
    bad = tmp_path / "typfall.json"
    bad.write_text("{not json")
    with pytest.raises(reading.FmbFormatError, match=r"typfall\.json: document: not JSON"):
        reading.read([str(bad)])


def test_the_commands_import_and_show(sqlite_url: str) -> None:
    first = runner.invoke(app, ["fmb", "import", str(fmb_dir()), "--db", sqlite_url])
    assert first.exit_code == 0, first.output
    words = " ".join(first.output.split())
    assert "439 typical cases" in words
    assert "68 in d, 198 in wk, 92 in mo" in words
    assert "116 diagnosis entries" in words
    again = runner.invoke(app, ["fmb", "import", str(fmb_dir()), "--db", sqlite_url])
    assert "nothing changed" in " ".join(again.output.split())
    shown = runner.invoke(app, ["fmb", "show", "F43.8A", "--format", "json", "--db", sqlite_url])
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.output)
    assert (body["code"], body["matched_code"], body["max_days"]) == ("F43.8A", "F438", 372)
    none = runner.invoke(app, ["fmb", "show", "Z00", "--format", "json", "--db", sqlite_url])
    assert json.loads(none.output)["matched_code"] is None
    table = runner.invoke(app, ["fmb", "show", "M54.5", "--db", sqlite_url])
    assert "M545" in table.output
    assert "14 days" in table.output


def test_import_of_a_malformed_folder_fails_with_the_file_named(
    sqlite_url: str, tmp_path: Path
) -> None:
    (tmp_path / "typfall.json").write_text("[]")
    (tmp_path / "diagnosinformation.json").write_text("[]")
    result = runner.invoke(app, ["fmb", "import", str(tmp_path), "--db", sqlite_url])
    assert result.exit_code == 2
    # Rich wraps the message at the terminal's width, even inside the path:
    # compare with every space and line break taken out.
    squeezed = "".join(result.output.split())
    assert "typfall.json:document" in squeezed
    assert "datainforceiskept" in squeezed


def _f32_twelve_months(body: dict[str, Any]) -> None:
    for item in body["data"]:
        codes = [c["kod"] for c in item["attributes"]["fmbtillstand"]["diagnoskod"]]
        if "F32" in codes:
            advice = item["attributes"]["rekommenderadsjukskrivning"]
            advice["maximalsjukskrivningstid"] = "12"
            advice["maximalsjukskrivningsenhet"] = "mo"


def _copy(tmp_path: Path, *, built: str, change: Any) -> Path:
    folder = tmp_path / built[:10]
    folder.mkdir()
    for name in ("typfall.json", "diagnosinformation.json"):
        body = json.loads((fmb_dir() / name).read_text())
        body["meta"]["buildtimestamp"] = built
        if name == "typfall.json":
            change(body)
        (folder / name).write_text(json.dumps(body, ensure_ascii=False))
    return folder
