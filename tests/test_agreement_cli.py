"""`rehabkoll agreement allocate` and `agreement schema`: the documented input gives
exactly the documented output; bad input gets an error naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from rehabkoll.agreement.allocation_file import AllocationInput, AllocationOutput, schema
from rehabkoll.cli import app

runner = CliRunner()
DOCS = Path(__file__).resolve().parent.parent / "docs" / "agreement"
EXAMPLE = DOCS / "allocation-example.json"


def allocate(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["agreement", "allocate", *args])
    return result.exit_code, result.output


def test_the_documented_example_gives_the_documented_output() -> None:
    # Worked in docs/agreement.md: villkor-4's 500 000 000 kr over 1 077 210
    # people gives 04 131 688 343,03 / 05 206 858 922,59 / 06 161 452 734,38;
    # floors leave one krona, to 05 (remainder ,59). 06 did not meet condition 4
    # and the setting is "kept", so its 161 452 734 kr are unpaid.
    code, out = allocate("--input", str(EXAMPLE))
    assert code == 0, out
    assert out == (DOCS / "allocation-example.out.json").read_text(encoding="utf-8")
    rows = json.loads(out)["rows"]
    assert {"region": "05", "part": "villkor-4", "amount": 206_858_923} in rows


def test_csv_has_paid_rows_then_unpaid_rows() -> None:
    code, out = allocate("--input", str(EXAMPLE), "--format", "csv")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "kind,region,part,amount"
    assert "paid,04,villkor-4,131688343" in lines
    assert lines[-2:] == ["unpaid,,villkor-4,161452734", "unpaid,,fast,0"]


def test_xlsx_has_a_row_per_region_and_the_totals(tmp_path: Path) -> None:
    target = tmp_path / "fördelning.xlsx"
    code, out = allocate("--input", str(EXAMPLE), "--format", "xlsx", "--output", str(target))
    assert code == 0, out
    book = load_workbook(target)
    rows = list(book["Fördelning"].iter_rows(values_only=True))
    assert rows[1] == ("Länskod", "Region", "villkor-4", "fast", "Totalt")
    assert rows[2] == ("04", "Region Sörmland", 131_688_343, 13_168_834, 144_857_177)
    assert rows[-1] == (None, "Summa utbetalt", 338_547_266, 50_000_000, 388_547_266)
    assert list(book["Ej utbetalt"].iter_rows(values_only=True))[1] == ("villkor-4", 161_452_734)


def test_xlsx_needs_an_output_file() -> None:
    code, out = allocate("--input", str(EXAMPLE), "--format", "xlsx")
    assert code == 2
    assert "--output" in out


def base() -> dict[str, object]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def broken(change: str) -> dict[str, object]:
    data = base()
    parts = data["parts"]
    assert isinstance(parts, list)
    if change == "region without population":
        data["met"] = {"04": ["4"], "09": ["4"]}
    elif change == "population null":
        data["population"] = {"04": 283712, "05": None}
    elif change == "negative amount":
        parts[1]["amount"] = -5
    elif change == "unknown rule":
        parts[0]["rule"] = "lottery"
    elif change == "part without amount":
        del parts[1]["amount"]
    elif change == "duplicate part":
        parts[1]["id"] = "villkor-4"
    elif change == "variable without rates":
        parts[0]["rule"] = "variable"
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("region without population", "met.09: region 09 has no population"),
        ("population null", "population.05: Input should be a valid integer"),
        ("negative amount", "parts[1].amount: Input should be greater than or equal to 0"),
        ("unknown rule", "parts[0].rule: unknown rule 'lottery' (known: population, variable)"),
        ("part without amount", "parts[1].amount: missing"),
        ("duplicate part", "parts[1].id: 'villkor-4' appears twice"),
        ("variable without rates", "parts[0].variable: missing"),
    ],
)
def test_bad_input_is_refused_naming_the_field(tmp_path: Path, change: str, message: str) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(broken(change)), encoding="utf-8")
    code, out = allocate("--input", str(path))
    assert code == 2
    assert message in " ".join(out.split())


def test_not_json_and_a_missing_file_are_named(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text("{", encoding="utf-8")
    code, out = allocate("--input", str(path))
    assert code == 2
    assert "not JSON" in out
    code, out = allocate("--input", str(tmp_path / "nothing.json"))
    assert code == 2
    assert "--input: cannot read" in out


def test_a_failed_write_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "out.json"
    code, out = allocate("--input", str(EXAMPLE), "--output", str(target))
    assert code == 2
    assert "cannot write" in out
    assert not target.parent.exists()


@pytest.mark.parametrize(
    ("name", "model"),
    [("allocation-input", AllocationInput), ("allocation-output", AllocationOutput)],
)
def test_schema_command_prints_the_published_schema(name: str, model: type) -> None:
    result = runner.invoke(app, ["agreement", "schema", name])
    assert result.exit_code == 0
    printed = json.loads(result.output)
    assert printed == schema(model)
    # the copy in docs/ is the same document
    assert printed == json.loads((DOCS / f"{name}.schema.json").read_text(encoding="utf-8"))
