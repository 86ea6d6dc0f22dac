"""Calibration by unit over time: the counting of predicted against observed
long cases, by hand, with and without small-number suppression, and from a
database through the model in force."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehabkoll.cli import app
from rehabkoll.db.session import open_database, session_scope
from rehabkoll.risk import calibration
from rehabkoll.risk.calibration import Case, Period
from rehabkoll.statistics.suppression import Mark
from tests.factories import UNIT
from tests.test_risk_cli import _region

runner = CliRunner()


def _case(start: str, sex: str, predicted: float, long: bool, unit: str = "U1") -> Case:
    return Case(unit, date.fromisoformat(start), sex, predicted, long)


def test_quarters_count_predicted_against_observed_by_hand() -> None:
    cases = [
        # 2025 K1: women 0.2, 0.4 (one long) -> predicted 0.3, observed 1/2;
        # men 0.6 (long) -> 0.6, 1/1; all three: predicted 1.2/3 = 0.4, observed 2/3.
        _case("2025-01-10", "F", 0.2, False),
        _case("2025-03-31", "F", 0.4, True),
        _case("2025-02-01", "M", 0.6, True),
        # 2025 K2: one man, 0.5, short.
        _case("2025-04-01", "M", 0.5, False),
    ]
    lines = calibration.table(
        cases, lambda c: Period.QUARTER.of(c.start), order=["2025 K1", "2025 K2", "2025 K3"]
    )
    assert [line.key for line in lines] == ["2025 K1", "2025 K2", "2025 K3"]
    first, second, third = lines
    assert (first.women.n, first.women.long) == (2, 1)
    assert first.women.predicted == pytest.approx(0.3)
    assert first.women.observed == pytest.approx(0.5)
    assert first.men.predicted == pytest.approx(0.6)
    assert first.men.observed == pytest.approx(1.0)
    assert first.total.predicted == pytest.approx(0.4)
    assert first.total.observed == pytest.approx(2 / 3)
    assert (second.women.n, second.men.n, second.total.observed) == (0, 1, 0.0)
    # A quarter without cases is listed, with nothing to compare.
    assert third.total.n == 0
    assert third.total.predicted is None


def test_months_and_quarters_are_named_the_swedish_way() -> None:
    assert Period.QUARTER.of(date(2025, 3, 31)) == "2025 K1"
    assert Period.QUARTER.of(date(2025, 10, 1)) == "2025 K4"
    assert Period.MONTH.of(date(2025, 10, 1)) == "2025-10"
    assert Period.QUARTER.first_day(date(2025, 8, 17)) == date(2025, 7, 1)


def test_published_small_numbers_are_withheld_with_their_shares() -> None:
    # Unit A: 6 women (3 long), 3 men (1 long). Published with cutoff 5:
    # men's 3 cases are withheld (<5) and, as a single withheld cell of the
    # line would be given away by women + men = all, the women's count too
    # (secondary); the total 9 stays. Shares: the women's long (3) and short
    # (3) are small as well, so no share of women or men is shown; the total
    # has 4 long and 5 short: 4 is small, so its observed share is withheld too.
    # Unit B: 10 women, 5 long and 5 short; no men: everything shown (zero is shown).
    cases = [_case("2025-01-01", "F", 0.5, i < 3, "A") for i in range(6)]
    cases += [_case("2025-01-01", "M", 0.3, i < 1, "A") for i in range(3)]
    cases += [_case("2025-01-01", "F", 0.4, i < 5, "B") for i in range(10)]
    a, b = calibration.table(cases, lambda c: c.unit_id, published=True)
    assert a.men.n_mark is Mark.PRIMARY
    assert a.women.n_mark is Mark.SECONDARY
    assert a.total.n_mark is Mark.SHOWN
    assert a.women.observed is None
    assert a.men.predicted is None
    assert a.total.observed is None
    assert b.women.observed == pytest.approx(0.5)
    assert b.women.predicted == pytest.approx(0.4)
    assert b.total.observed == pytest.approx(0.5)
    assert b.men.n_mark is Mark.SHOWN
    # Unpublished (a unit's own users): exact, all shown.
    a, _ = calibration.table(cases, lambda c: c.unit_id)
    assert a.men.observed == pytest.approx(1 / 3)
    assert a.women.n_mark is Mark.SHOWN


@pytest.mark.postgres
def test_cases_come_from_the_database_through_the_model_in_force(
    tmp_path: Path, db_url: str
) -> None:
    assert (
        runner.invoke(app, ["import", str(_region(tmp_path / "r.jsonl")), "--db", db_url]).exit_code
        == 0
    )
    trained = runner.invoke(
        app, ["risk", "train", "--as-of", "2023-01-01", "--seed", "3", "--db", db_url]
    )
    assert trained.exit_code == 0, trained.output
    with session_scope(open_database(db_url)) as session:
        found = calibration.cases(
            session,
            as_of=date(2024, 6, 1),
            first=date(2023, 1, 1),
            last=date(2023, 3, 31),
            unit_ids=[UNIT],
        )
        other = calibration.cases(
            session,
            as_of=date(2024, 6, 1),
            first=date(2023, 1, 1),
            last=date(2023, 3, 31),
            unit_ids=["SE2321000016-NONE"],
        )
    # Cases start on day 2i after 2022-01-01; 2023 K1 is days 365..454, so
    # i = 183..227: 45 cases, women for even i (184..226: 22), men 23; every
    # outcome is known on 2024-06-01 (none censored).
    assert len(found.cases) == 45
    assert sum(c.sex == "F" for c in found.cases) == 22
    assert found.censored == 0
    assert found.model_version == 1
    assert found.trained_as_of == date(2023, 1, 1)
    assert all(0.0 <= c.predicted <= 1.0 for c in found.cases)
    (line,) = calibration.table(found.cases, lambda c: Period.QUARTER.of(c.start))
    assert line.key == "2023 K1"
    assert line.total.n == 45
    assert other.cases == []
