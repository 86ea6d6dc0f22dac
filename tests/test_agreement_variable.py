"""The variable part: shared by population × max(0, relative decrease in sick leave)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehabkoll.agreement.allocation import AllocationError, share
from rehabkoll.agreement.variable import VariableParameters, relative_decrease, variable_weights
from rehabkoll.cli import app

PARAMETERS = VariableParameters(
    reference_year=2015,
    year=2016,
    reference={"01": 10.0, "03": 10.0, "04": 10.0},
    current={"01": 9.0, "03": 9.5, "04": 11.0},
)
POPULATION = {"01": 100_000, "03": 200_000, "04": 300_000}


def test_relative_decrease_is_never_negative() -> None:
    assert relative_decrease(Fraction(10), Fraction(9)) == Fraction(1, 10)
    assert relative_decrease(Fraction(10), Fraction(11)) == 0
    assert relative_decrease(Fraction(0), Fraction(3)) == 0


def test_weights_and_kronor_worked_by_hand() -> None:
    # 01: 100 000 × (10 − 9)/10 = 10 000; 03: 200 000 × 0,5/10 = 10 000;
    # 04: sick leave rose (10 → 11), weight 0. 1 000 001 kr: 500 000,5 each for
    # 01 and 03, floors 500 000 + 500 000, one krona left, equal remainders →
    # the lower code, 01.
    weights = variable_weights(POPULATION, PARAMETERS)
    assert weights == {"01": 10_000, "03": 10_000, "04": 0}
    assert share(1_000_001, weights) == {"01": 500_001, "03": 500_000, "04": 0}


def test_decimal_rates_are_taken_as_written() -> None:
    # 12.3 → 12.2 is a decrease of exactly 1/123 (no binary rounding).
    parameters = VariableParameters(
        reference_year=2015, year=2016, reference={"01": 12.3}, current={"01": 12.2}
    )
    assert variable_weights({"01": 123}, parameters) == {"01": 1}


def test_a_region_without_a_rate_is_named() -> None:
    parameters = PARAMETERS.model_copy(update={"current": {"01": 9.0, "03": 9.5}})
    with pytest.raises(AllocationError, match=r"current\.04"):
        variable_weights(POPULATION, parameters)


def test_the_allocation_file_takes_a_variable_part(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    part = {
        "id": "rörlig",
        "amount": 1_000_001,
        "rule": "variable",
        "variable": PARAMETERS.model_dump(),
    }
    path.write_text(
        json.dumps({"year": 2016, "population": POPULATION, "parts": [part]}), encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["agreement", "allocate", "--input", str(path)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    assert [r["amount"] for r in rows] == [500_001, 500_000, 0]
