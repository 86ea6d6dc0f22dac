"""The scoring service against a database (SQLite, and PostgreSQL when it is
there): the day-15 features read in a few queries equal those of every
certificate read one patient at a time; the model is loaded once per
process; each case answers the question of its day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rehabkoll.cases import service as cases_service
from rehabkoll.cli import app
from rehabkoll.db.session import make_engine, session_scope
from rehabkoll.risk import features, service
from tests.factories import PROVIDER, UNIT
from tests.test_risk_cli import _region

runner = CliRunner()
pytestmark = pytest.mark.postgres


@pytest.fixture
def trained(tmp_path: Path, db_url: str) -> str:
    imported = runner.invoke(app, ["import", str(_region(tmp_path / "r.jsonl")), "--db", db_url])
    assert imported.exit_code == 0, imported.output
    with session_scope(make_engine(db_url)) as session:
        service.train(session, as_of=date(2023, 6, 1), seed=3)
    return db_url


def test_day15_features_in_a_few_queries_equal_the_slow_path(trained: str) -> None:
    as_of = date(2023, 3, 1)
    with session_scope(make_engine(trained)) as session:
        rows = cases_service.work_list(session, unit_id=UNIT, as_of=as_of)
        fast = service.day15_rows(session, rows, unit_id=UNIT, as_of=as_of)
        patients = service._patients(session)
        units = service._unit_names(session)
        records = service._records(session)
    assert len(rows) > 20
    for row, case in zip(rows, fast, strict=True):
        mine = [r for r in records if r.patient_id == row.patient_id]
        slow = features.day15_features(
            features.known_on(mine, as_of),
            row.start,
            PROVIDER,
            patients[row.patient_id],
            units,
        )
        assert case.features == slow
        assert case.features is not None
        # The days covered by 2023-03-01: the certificate's later days not counted.
        assert case.lasted == min((as_of - row.start).days + 1, row.days)


def test_the_model_is_loaded_once_and_each_case_answers_its_days_question(trained: str) -> None:
    as_of = date(2023, 3, 1)
    with session_scope(make_engine(trained)) as session:
        first = service.current(session)
        assert service.current(session) is first  # cached: the same objects
        scored = service.score_cases(session, unit_id=UNIT, as_of=as_of)
    by_day = {s.lasted: s for s in scored}
    # Cases start every other day; the list on 2023-03-01 holds cases of up to 120 days.
    young = next(s for d, s in by_day.items() if 15 < d <= 30)
    assert young.question == ">90 dagar"
    assert young.given == 15  # P(T > 90 | T > 15): passed day 15, not day 30
    assert [(h, y) for h, y, _ in young.estimates] == [(90, 14), (90, 15)]
    assert young.current == young.estimates[-1][2]
    # ``probability`` stays the day-15 estimate (the main model).
    assert young.probability == young.estimates[0][2]
    old = next(s for d, s in by_day.items() if 90 < d <= 120)
    # Past day 90 the question is "more than 180 days?".
    assert old.question == ">180 dagar"
    assert old.horizon == 180
    # No case of this region lasts more than 120 days: with one outcome only
    # there is no model for "more than 180 days", and the case says why.
    assert old.current is None
    assert old.current_category is None
    assert old.probability is not None  # the day-15 estimate is still there
    assert old.reason == "Modellen har inget underlag för frågan >180 dagar"
    assert all(s.model_version == first[0].version for s in scored)
