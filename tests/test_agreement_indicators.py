"""The agreement indicators against hand-counted examples: the pure rules, and
one region computed from its data in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Engine

from rehabkoll.accounts import service as accounts
from rehabkoll.accounts.roles import Role
from rehabkoll.agreement import indicator_queries, service
from rehabkoll.agreement import indicator_rules as rules
from rehabkoll.agreement.indicator_rules import CaseFact, Share, UnitKind
from rehabkoll.cases.engine import CertificateRecord, Period
from rehabkoll.coordination import service as coordination
from rehabkoll.db.session import session_scope
from rehabkoll.statistics import population as insured_population
from tests.factories import OTHER_UNIT, PROVIDER, UNIT, pnr
from tests.test_statistics_rules import certificate, store

Y2025 = rules.year_window(2025)


def test_years_and_quarters() -> None:
    quarters = rules.quarter_windows(2024)
    assert [(q.start, q.end, q.label) for q in (quarters[0], quarters[3])] == [
        (date(2024, 1, 1), date(2024, 3, 31), "2024 K1"),
        (date(2024, 10, 1), date(2024, 12, 31), "2024 K4"),
    ]
    assert sum(q.days for q in quarters) == rules.year_window(2024).days == 366


def test_unit_kinds_from_names() -> None:
    assert rules.unit_kind("Vårdcentralen Flen") is UnitKind.PRIMARY_CARE
    assert rules.unit_kind("Hälsocentralen Umeå") is UnitKind.PRIMARY_CARE
    assert rules.unit_kind("Psykiatriska mottagningen Nyköping") is UnitKind.PSYCHIATRY
    assert rules.unit_kind("Ortopedkliniken Eskilstuna") is UnitKind.HOSPITAL


def test_coordination_function_counts_active_units_with_both_account_and_records() -> None:
    # Three primary care centres issued certificates in the period (a, b, c);
    # d issued none and does not count. a has a coordinator and records → yes;
    # b has a coordinator but no records → no; c has records but no account →
    # no. 1 of 3. The psychiatric clinic p has both: 1 of 1.
    kinds = dict.fromkeys("abcd", UnitKind.PRIMARY_CARE) | {"p": UnitKind.PSYCHIATRY}

    def share(kind: UnitKind) -> Share:
        return rules.coordination_function(
            kinds=kinds,
            active={"a", "b", "c", "p"},
            with_coordinator={"a", "b", "d", "p"},
            with_records={"a", "c", "d", "p"},
            kind=kind,
        )

    assert share(UnitKind.PRIMARY_CARE) == Share(1, 3)
    assert share(UnitKind.PSYCHIATRY) == Share(1, 1)
    assert share(UnitKind.HOSPITAL).percent is None


def case(patient: str, sex: str, start: str, end: str) -> CaseFact:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return CaseFact(patient, "u", sex, first, last, (last - first).days + 1)


def test_coverage_of_cases_over_60_days_by_sex() -> None:
    # Q1 2025 (1 Jan–31 Mar):
    # w1 2024-12-01–2025-02-15: 77 days, day 61 = 2025-01-30 ≤ 31 Mar → counts, covered
    # w2 2025-02-01–2025-06-30: day 61 = 2025-04-02 > 31 Mar → not yet over 60 in Q1
    # w3 2024-06-01–2024-12-31: ended before Q1 → not counted
    # m1 2025-01-01–2025-03-31: 90 days, day 61 = 2025-03-02 → counts, not covered
    # m2 2025-01-10–2025-02-20: 42 days → too short
    cases = [
        case("w1", "F", "2024-12-01", "2025-02-15"),
        case("w2", "F", "2025-02-01", "2025-06-30"),
        case("w3", "F", "2024-06-01", "2024-12-31"),
        case("m1", "M", "2025-01-01", "2025-03-31"),
        case("m2", "M", "2025-01-10", "2025-02-20"),
    ]
    q1 = rules.quarter_windows(2025)[0]
    shares = rules.coverage(cases, threshold=60, window=q1, covered={("w1", "u"), ("w3", "u")})
    assert shares == {"F": Share(1, 1), "M": Share(0, 1), "all": Share(1, 2)}


def test_plan_for_closing_as_in_the_sormland_project() -> None:
    # The joint project reached a plan or a closing for 47 % of 625 people;
    # 294 covered of 625 cases over 365 days is 47,04 %.
    cases = [case(f"p{i}", "F", "2023-01-01", "2025-06-30") for i in range(625)]
    covered = {(f"p{i}", "u") for i in range(294)}
    share = rules.coverage(cases, threshold=365, window=Y2025, covered=covered)["all"]
    assert share == Share(294, 625)
    assert round(share.percent or 0) == 47


def record(
    cid: str, patient: str, *periods: tuple[str, str, int], signed: str
) -> CertificateRecord:
    return CertificateRecord(
        id=cid,
        patient_id=patient,
        care_provider_id="P",
        unit_id="u",
        doctor_id="d",
        signed_at=datetime.fromisoformat(signed),
        periods=tuple(
            Period(date.fromisoformat(s), date.fromisoformat(e), g) for s, e, g in periods
        ),
        diagnosis="F43.8",
    )


def test_net_days_are_cut_to_the_window_and_weighted_by_degree() -> None:
    # 2024-12-20–2025-01-10 at 50 %: 10 days in 2025 × 0,5 = 5 net days.
    # A second patient: 2025-03-01–2025-03-10 at 100 % (10), and a later
    # certificate 2025-03-06–2025-03-15 at 25 % that outranks the overlap:
    # 03-01..03-05 at 100 % (5) + 03-06..03-15 at 25 % (10 × 0,25 = 2,5) = 7,5.
    records = [
        record("a", "x", ("2024-12-20", "2025-01-10", 50), signed="2024-12-20T08:00"),
        record("b", "y", ("2025-03-01", "2025-03-10", 100), signed="2025-03-01T08:00"),
        record("c", "y", ("2025-03-06", "2025-03-15", 25), signed="2025-03-06T08:00"),
    ]
    assert rules.net_days(records, Y2025) == 12.5
    # per insured and year: 12,5 net days among 25 insured over a whole year = 0,5
    assert rules.per_insured_and_year(12.5, 25, Y2025) == 0.5
    # over Q1 (90 days) the same days weigh 365/90 as much
    q1 = rules.quarter_windows(2025)[0]
    assert rules.per_insured_and_year(12.5, 25, q1) == pytest.approx(0.5 * 365 / 90)
    assert rules.per_insured_and_year(1, 0, Y2025) is None


def test_change_and_difference_in_case_length() -> None:
    assert rules.relative_change(9.0, 10.0) == -10.0
    assert rules.relative_change(9.0, None) is None
    # Ended in 2025: women 30 and 50 days (mean 40), man 20 → women − men = 20.
    # The woman's case ending in 2024 does not count.
    cases = [
        case("a", "F", "2025-01-01", "2025-01-30"),
        case("b", "F", "2025-02-01", "2025-03-22"),
        case("c", "M", "2025-05-01", "2025-05-20"),
        case("d", "F", "2024-01-01", "2024-12-31"),
    ]
    assert rules.length_difference(cases, Y2025) == 20.0
    assert rules.length_difference(cases[:2], Y2025) is None


def test_thresholds() -> None:
    assert rules.meets(80.0, ">=", 80) is True
    assert rules.meets(79.9, ">=", 80) is False
    assert rules.meets(5.0, "<=", 10) is True
    assert rules.meets(None, ">=", 80) is None
    assert rules.meets(90.0, ">=", None) is None


def test_the_optional_indicators_are_registered_by_their_features() -> None:
    # Both features exist now; each indicator hides itself while its data does
    # not (tests/test_agreement_optional_indicators.py).
    assert "fmb.over_recommended" in indicator_queries.available()
    assert "exchange.electronic_share" in indicator_queries.available()
    assert "coordination_coverage.over_60" in indicator_queries.available()


@pytest.mark.postgres
def test_a_regions_indicators_from_its_data(engine: Engine) -> None:
    # Region 04's provider has two units (both "Vårdcentralen Exempel" by the
    # factory's name → primary care). Woman A: 2025-01-01–2025-04-30 at UNIT
    # (120 days, 100 %). Man B: 2025-02-01–2025-02-28 at OTHER_UNIT (28 days,
    # 50 % → 14 net days). A coordinator works at UNIT and records a contact for
    # A on 2025-02-10.
    # Year 2025: both units active; UNIT has account + records, OTHER_UNIT
    # neither → 50 % (1 av 2). Cases over 60 days: A only, covered → 100 %.
    # Net days: A 120, B 14; insured 100 women and 100 men →
    # women 1,2, men 0,14, all 134/200 = 0,67 per insured and year.
    a, b = pnr(1), pnr(2, woman=False)
    store(
        engine,
        [
            certificate("a", patient=a, periods=[("2025-01-01", "2025-04-30", 100)]),
            certificate(
                "b", patient=b, unit=OTHER_UNIT, periods=[("2025-02-01", "2025-02-28", 50)]
            ),
        ],
    )
    with session_scope(engine) as session:
        coordinator = accounts.create_user(
            session, username="koord", role=Role.COORDINATOR, unit_ids=[UNIT],
            password="lösenord-för-test",
        )  # fmt: skip
        coordination.add_contact(
            session, patient_id=a, unit_id=UNIT, day=date(2025, 2, 10), party="patient",
            way="phone", summary="Samtal", user=coordinator,
        )  # fmt: skip
        insured_population.store(
            session,
            [
                insured_population.PopulationRow(PROVIDER, 2025, "F", 16, 64, 100),
                insured_population.PopulationRow(PROVIDER, 2025, "M", 16, 64, 100),
            ],
        )
        service.set_region_providers(session, region="04", provider_ids=[PROVIDER])
        values = indicator_queries.region_indicators(session, region="04", year=2025)
    year = {key: v[0] for key, v in values.items()}
    assert year["coordination_function.primary_care"].all == 50.0
    assert year["coordination_function.primary_care"].detail == "1 av 2"
    assert year["coordination_coverage.over_60"].all == 100.0
    assert year["coordination_coverage.over_60"].men is None
    assert (
        year["sick_leave.net_days_per_insured"].women,
        year["sick_leave.net_days_per_insured"].men,
        year["sick_leave.net_days_per_insured"].all,
    ) == (1.2, 0.14, 0.67)
    # Q1 (90 days): A's 90 days in Q1 → 90/100 × 365/90 = 3,65 for women
    q1 = values["sick_leave.net_days_per_insured"][1]
    assert (q1.window, q1.women) == ("2025 K1", 3.65)
    assert values["sick_leave.length_difference"][0].all == 120 - 28
    # The figures are remembered, and computed afresh when the data change: a
    # coordinator at OTHER_UNIT who records a contact for B makes both units
    # count (2 av 2).
    with session_scope(engine) as session:
        other = accounts.create_user(
            session, username="koord2", role=Role.COORDINATOR, unit_ids=[OTHER_UNIT],
            password="lösenord-för-test",
        )  # fmt: skip
        coordination.add_contact(
            session, patient_id=b, unit_id=OTHER_UNIT, day=date(2025, 2, 12), party="patient",
            way="phone", summary="Samtal om läget", user=other,
        )  # fmt: skip
    with session_scope(engine) as session:
        again = indicator_queries.region_indicators(session, region="04", year=2025)
    assert again["coordination_function.primary_care"][0].detail == "2 av 2"
