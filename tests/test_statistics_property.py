"""The DuckDB engine counts as the reference form does, on random certificates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehabkoll.cases.engine import CertificateRecord, Period
from rehabkoll.statistics import duck, reports
from rehabkoll.statistics.query import Filters, Query, Scope
from rehabkoll.statistics.reference import Person, case_months
from rehabkoll.statistics.source import table_of

PATIENTS = ("p1", "p2", "p3")
PEOPLE = {
    "p1": Person("F", date(1980, 3, 31)),
    "p2": Person("M", date(1961, 2, 28)),
    "p3": Person("F", date(2004, 2, 29)),
}
PROVIDERS = {"A": ("A-u1", "A-u2"), "B": ("B-u1",)}
DIAGNOSES = ("F32.9", "F43.8A", "M54.5", "J06.9", "O26.8", "R53.9", "Z73.0", "S82.6", "D50.9")
BASE = date(2023, 10, 1)


@st.composite
def certificates(draw: st.DrawFn) -> list[CertificateRecord]:
    out: list[CertificateRecord] = []
    for index in range(draw(st.integers(0, 14))):
        provider = draw(st.sampled_from(sorted(PROVIDERS)))
        start = BASE + timedelta(days=draw(st.integers(0, 200)))
        periods: list[Period] = []
        for _ in range(draw(st.integers(1, 3))):
            length = draw(st.integers(1, 60))
            periods.append(
                Period(
                    start,
                    start + timedelta(days=length - 1),
                    draw(st.sampled_from((25, 50, 75, 100))),
                )
            )
            start = start + timedelta(days=length + draw(st.integers(0, 3)))
        out.append(
            CertificateRecord(
                id=f"c{index}",
                patient_id=draw(st.sampled_from(PATIENTS)),
                care_provider_id=provider,
                unit_id=draw(st.sampled_from(PROVIDERS[provider])),
                doctor_id=draw(st.sampled_from(("d1", "d2"))),
                signed_at=datetime(2023, 1, 1) + timedelta(hours=draw(st.integers(0, 30))),
                periods=tuple(periods),
                diagnosis=draw(st.sampled_from(DIAGNOSES)),
            )
        )
    return out


SCOPES = st.sampled_from(
    [Scope.parse(s) for s in ("national", "provider:A", "provider:B", "unit:A-u1", "unit:A-u2")]
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=certificates(),
    scope=SCOPES,
    gap=st.integers(0, 10),
    first=st.integers(0, 5),
    span=st.integers(0, 6),
)
def test_every_report_counts_as_the_reference_engine(
    records: list[CertificateRecord], scope: Scope, gap: int, first: int, span: int
) -> None:
    start = date(2023, 10 + first, 1) if first < 3 else date(2024, first - 2, 1)
    end_month = start.month + span
    last = date(start.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    query = Query(scope, start, last, gap=gap)
    expected_rows = case_months(records, PEOPLE, query)
    con = duck.connect()
    duck.load(con, table_of(records, PEOPLE))
    for name, spec in reports.REPORTS.items():
        if spec.not_national and scope.kind.value == "national":
            continue
        got = reports.count_duck(con, query, spec)
        assert got == reports.count_reference(expected_rows, query, spec), name


@settings(max_examples=60, deadline=None)
@given(records=certificates(), scope=SCOPES, length=st.sampled_from(("0-14", "15-30", "31-60")))
def test_filters_and_net_days_agree_with_the_reference_engine(
    records: list[CertificateRecord], scope: Scope, length: str
) -> None:
    query = Query(scope, date(2023, 11, 1), date(2024, 3, 1), filters=Filters(length_group=length))
    expected = case_months(records, PEOPLE, query)
    con = duck.connect()
    duck.load(con, table_of(records, PEOPLE))
    spec = reports.REPORTS["diagnosis-groups"]
    assert reports.count_duck(con, query, spec) == reports.count_reference(expected, query, spec)
    duck.prepare(con, query, need={duck.NET_DAYS})
    got = con.execute(
        "SELECT month, sum(net_days) FROM st_case_months GROUP BY month ORDER BY month"
    ).fetchall()
    want: dict[date, float] = {}
    for row in expected:
        want[row.month] = want.get(row.month, 0.0) + row.net_days
    assert {m: round(float(v), 2) for m, v in got} == {m: round(v, 2) for m, v in want.items()}
