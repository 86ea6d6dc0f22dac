"""The variable part: shared by population × max(0, relative decrease in sick leave)."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from rehabkoll.accounts import service as accounts
from rehabkoll.accounts.roles import Role
from rehabkoll.agreement import indicator_queries, population, service
from rehabkoll.agreement.allocation import AllocationError, share
from rehabkoll.agreement.document import AgreementDocument
from rehabkoll.agreement.errors import AllocationUnavailableError
from rehabkoll.agreement.regions import REGIONS
from rehabkoll.agreement.variable import VariableParameters, relative_decrease, variable_weights
from rehabkoll.cli import app
from rehabkoll.db.session import session_scope
from rehabkoll.statistics import population as insured_population
from tests.factories import PROVIDER, pnr
from tests.test_statistics_rules import certificate, store

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


# --- rates from the database ----------------------------------------------------


def _variable_agreement(variable: dict[str, object]) -> AgreementDocument:
    return AgreementDocument.model_validate(
        {
            "year": 2023,
            "title": "Test: rörlig del",
            "parts": [
                {
                    "id": "rörlig",
                    "kind": "variable",
                    "title": "Rörlig del",
                    "amount": 600_000,
                    "variable": variable,
                }
            ],
        }
    )


@pytest.mark.postgres
def test_the_variable_part_takes_the_rates_rehabkoll_computes(engine: Engine) -> None:
    # Region 04's one care provider, 100 women and 100 men insured in 2022 and
    # 2023. Woman A is on sick leave 100 % for 100 days in 2022 (01-01–04-10)
    # and 50 days in 2023 (01-01–02-19). Net days per insured and year:
    # 2022: 100 / 200 × 365/365 = 0,5; 2023: 50 / 200 = 0,25 → a decrease of
    # (0,5 − 0,25) / 0,5 = 1/2. The agreement writes the other 20 regions'
    # rates: 05 falls from 10 to 9 (1/10); the rest stay at 10 (0).
    # Every region 100 000 people: weights 04: 50 000, 05: 10 000, others 0;
    # 600 000 kr → 04: 500 000, 05: 100 000.
    a = pnr(1)
    store(
        engine,
        [
            certificate("a22", patient=a, periods=[("2022-01-01", "2022-04-10", 100)]),
            certificate("a23", patient=a, periods=[("2023-01-01", "2023-02-19", 100)]),
        ],
    )
    written = {code: 10.0 for code in REGIONS if code != "04"}
    variable: dict[str, object] = {
        "reference_year": 2022,
        "year": 2023,
        "reference": written,
        "current": {**written, "05": 9.0},
        "from_database": True,
    }
    with session_scope(engine) as session:
        national = accounts.create_user(
            session, username="nationell", role=Role.NATIONAL_COORDINATOR, unit_ids=[],
            password="lösenord-för-test",
        )  # fmt: skip
        insured_population.store(
            session,
            [
                insured_population.PopulationRow(PROVIDER, year, sex, 16, 64, 100)
                for year in (2022, 2023)
                for sex in ("F", "M")
            ],
        )
        service.set_region_providers(session, region="04", provider_ids=[PROVIDER])
        population.store(
            session,
            [population.Figure(c, date(2022, 12, 31), 100_000, "test") for c in REGIONS],
        )
        assert indicator_queries.net_days_per_insured(session, region="04", year=2022) == 0.5
        assert indicator_queries.net_days_per_insured(session, region="04", year=2023) == 0.25
        service.import_document(session, document=_variable_agreement(variable), user=national)
        paid = {r.region: r.amount for r in service.allocate(session, year=2023).rows}
        assert paid["04"] == 500_000
        assert paid["05"] == 100_000
        assert sum(paid.values()) == 600_000
        # A rate written in the agreement overrides the database's: 04 written
        # as 10 → 10, no decrease, so 05 gets the whole part.
        override = {
            **variable,
            "reference": {**written, "04": 10.0},
            "current": {**written, "05": 9.0, "04": 10.0},
        }
        service.import_document(session, document=_variable_agreement(override), user=national)
        paid = {r.region: r.amount for r in service.allocate(session, year=2023).rows}
        assert (paid["04"], paid["05"]) == (0, 600_000)
        # Without from_database, 04's missing rate is an error naming it.
        service.import_document(
            session,
            document=_variable_agreement({**variable, "from_database": False}),
            user=national,
        )
        with pytest.raises(AllocationUnavailableError, match=r"reference\.04"):
            service.allocate(session, year=2023)


@pytest.mark.postgres
def test_a_region_with_no_rate_anywhere_is_named(engine: Engine) -> None:
    # 04 has no written rate and no care providers in rehabkoll: named.
    written = {code: 10.0 for code in REGIONS if code != "04"}
    document = _variable_agreement(
        {
            "reference_year": 2022,
            "year": 2023,
            "reference": written,
            "current": written,
            "from_database": True,
        }
    )
    with session_scope(engine) as session:
        national = accounts.create_user(
            session, username="nationell", role=Role.NATIONAL_COORDINATOR, unit_ids=[],
            password="lösenord-för-test",
        )  # fmt: skip
        population.store(
            session,
            [population.Figure(c, date(2022, 12, 31), 100_000, "test") for c in REGIONS],
        )
        service.import_document(session, document=document, user=national)
        with pytest.raises(AllocationUnavailableError, match=r"reference\.04: .*region 04"):
            service.allocate(session, year=2023)


def test_the_allocation_file_refuses_from_database_without_written_rates() -> None:
    parameters = VariableParameters(
        reference_year=2015, year=2016, reference={"01": 10.0}, from_database=True
    )
    with pytest.raises(AllocationError, match=r"current\.01: .*needs the database"):
        variable_weights({"01": 1}, parameters)
