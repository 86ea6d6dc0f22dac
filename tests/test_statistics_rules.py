"""Hand-worked examples of each counting rule (docs/statistics.md), from the
operational database (SQLite and PostgreSQL) through the DuckDB engine."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Engine

from rehabkoll.certificates import reading
from rehabkoll.certificates import service as certificates
from rehabkoll.db.session import session_scope
from rehabkoll.statistics import reports, service
from rehabkoll.statistics.query import Query, Scope
from rehabkoll.statistics.reports import Report
from tests import factories
from tests.factories import OTHER_PROVIDER, OTHER_UNIT, PROVIDER, UNIT, pnr

JAN, FEB, MAR = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)
WOMAN = pnr(1, born="19780202")  # 45 on 2024-01-31, 46 on 2024-02-03
MAN = pnr(2, born="19900610", woman=False)


def certificate(cert_id: str, **kw: Any) -> dict[str, Any]:
    """A certificate document, signed on its first day unless told otherwise."""
    periods = kw.get("periods") or [("2024-01-01", "2024-01-14", 100)]
    kw.setdefault("signed_at", f"{min(p[0] for p in periods)}T08:00:00")
    return factories.certificate(cert_id, **kw)


def store(engine: Engine, documents: Sequence[dict[str, Any]]) -> None:
    """Import certificate documents (and revocations) as `rehabkoll import` does."""
    lines = [(n, json.dumps(doc)) for n, doc in enumerate(documents, start=1)]
    with session_scope(engine) as session:
        batch = certificates.start_batch(session, "test")
        result = certificates.ingest(session, batch, reading.parse_lines(lines))
        assert not result.errors, result.errors


def run(engine: Engine, name: str, scope: str, first: date, last: date, **kw: Any) -> Report:
    with session_scope(engine) as session:
        return service.run(name, Query(Scope.parse(scope), first, last, **kw), session=session)


def table(report: Report) -> list[tuple[str, str | None, float | None, float | None]]:
    return [(r.month.strftime("%Y-%m"), r.group, r.women, r.men) for r in report.rows]


def test_a_case_counts_in_each_month_a_period_touches(engine: Engine) -> None:
    store(
        engine,
        [
            certificate("w1", patient=WOMAN, periods=[("2024-01-25", "2024-02-03", 100)]),
            certificate("m1", patient=MAN, periods=[("2024-03-31", "2024-03-31", 100)]),
        ],
    )
    report = run(engine, "cases-per-month", f"unit:{UNIT}", JAN, MAR)
    assert table(report) == [
        ("2024-01", None, 1, 0),
        ("2024-02", None, 1, 0),
        ("2024-03", None, 0, 1),
    ]
    lengths = {
        (m, g): (w, m_) for m, g, w, m_ in table(run(engine, "lengths", f"unit:{UNIT}", JAN, MAR))
    }
    assert lengths[("2024-01", "0-14")] == (1, 0)  # Jan 25–31: 7 days
    assert lengths[("2024-02", "0-14")] == (1, 0)  # up to Feb 3: 10 days
    assert lengths[("2024-03", "0-14")] == (0, 1)  # one day
    ages = {(m, g): w for m, g, w, _ in table(run(engine, "age-groups", f"unit:{UNIT}", JAN, FEB))}
    assert ages[("2024-01", "41-45")] == 1  # 45 on her last day in January, Jan 31
    assert ages[("2024-02", "46-50")] == 1  # 46 on her last day in February, Feb 3


def test_a_case_takes_the_diagnosis_and_degree_of_its_latest_signed_certificate(
    engine: Engine,
) -> None:
    store(
        engine,
        [
            certificate(
                "a",
                patient=WOMAN,
                diagnosis="F43.8A",
                periods=[("2024-01-01", "2024-02-10", 100)],
                signed_at="2024-01-01T09:00:00",
            ),
            certificate(
                "b",
                patient=WOMAN,
                diagnosis="M54.5",
                periods=[("2024-02-11", "2024-03-15", 50)],
                signed_at="2024-02-09T09:00:00",
            ),
        ],
    )
    groups = {
        (m, g): w
        for m, g, w, _ in table(run(engine, "diagnosis-groups", f"provider:{PROVIDER}", JAN, MAR))
        if w
    }
    assert groups == {
        ("2024-01", "psychiatric"): 1,
        ("2024-01", "total"): 1,
        ("2024-02", "musculoskeletal"): 1,  # b is signed later and covers February too
        ("2024-02", "total"): 1,
        ("2024-03", "musculoskeletal"): 1,
        ("2024-03", "total"): 1,
    }
    degrees = {
        (m, g): w
        for m, g, w, _ in table(run(engine, "degrees", f"provider:{PROVIDER}", JAN, MAR))
        if w and g != "total"
    }
    assert degrees == {("2024-01", "100"): 1, ("2024-02", "50"): 1, ("2024-03", "50"): 1}
    # One case, counted once a month; 41 + 34 days long in March.
    assert [r.women for r in run(engine, "cases-per-month", f"unit:{UNIT}", JAN, MAR).rows] == [
        1,
        1,
        1,
    ]
    counts = run(engine, "certificates-per-case", f"unit:{UNIT}", JAN, MAR)
    assert {(r.month.month, r.group) for r in counts.rows if r.women and r.group != "total"} == {
        (1, "1"),
        (2, "2"),
        (3, "2"),
    }


def test_a_case_spanning_two_units_is_one_case_of_the_provider_and_two_of_the_units(
    engine: Engine,
) -> None:
    store(
        engine,
        [
            certificate("u1", patient=MAN, unit=UNIT, periods=[("2024-01-01", "2024-01-31", 100)]),
            certificate(
                "u2",
                patient=MAN,
                unit=OTHER_UNIT,
                periods=[("2024-02-03", "2024-03-31", 100)],
                signed_at="2024-02-03T10:00:00",
            ),
        ],
    )
    provider = run(engine, "lengths", f"provider:{PROVIDER}", FEB, FEB)
    assert ("2024-02", "31-60", 0, 1) in table(provider)  # 31 + 27 days up to Feb 29
    units = run(engine, "units", f"provider:{PROVIDER}", JAN, MAR)
    assert [(m, g) for m, g, _, men in table(units) if men and g != "total"] == [
        ("2024-01", UNIT),
        ("2024-02", OTHER_UNIT),
        ("2024-03", OTHER_UNIT),
    ]
    own = run(engine, "lengths", f"unit:{OTHER_UNIT}", FEB, FEB)
    assert ("2024-02", "15-30", 0, 1) in table(own)  # only its own certificate: 27 days
    assert [r.men for r in run(engine, "cases-per-month", f"unit:{UNIT}", JAN, MAR).rows] == [
        1,
        0,
        0,
    ]


def test_certificates_of_two_providers_are_never_one_case(engine: Engine) -> None:
    other_unit = "SE2321000032-U001"
    store(
        engine,
        [
            certificate("a", patient=WOMAN, periods=[("2024-01-01", "2024-01-31", 100)]),
            certificate(
                "b",
                patient=WOMAN,
                provider=OTHER_PROVIDER,
                unit=other_unit,
                periods=[("2024-01-20", "2024-02-28", 100)],
            ),
        ],
    )
    query = Query(Scope.parse("national"), JAN, FEB)
    with session_scope(engine) as session:
        counts = reports.count_duck(
            service.open_periods(query, session=session),
            query,
            reports.REPORTS["lengths"],
        )
    assert counts == {
        (JAN, "31-60"): [1, 0],  # provider A: 31 days
        (JAN, "0-14"): [1, 0],  # provider B: Jan 20–31, 12 days
        (FEB, "31-60"): [1, 0],  # provider B: 40 days, not chained with A
    }
    national = run(engine, "cases-per-month", "national", JAN, FEB)
    assert [r.as_json() for r in national.rows] == [
        {"month": "2024-01", "women": None, "men": 0, "total": None, "suppressed": True},
        {"month": "2024-02", "women": None, "men": 0, "total": None, "suppressed": True},
    ]


def test_test_revoked_and_replaced_certificates_never_count(engine: Engine) -> None:
    store(
        engine,
        [
            certificate("t", patient=WOMAN, test=True, periods=[("2024-01-01", "2024-01-31", 100)]),
            certificate("r", patient=MAN, periods=[("2024-01-01", "2024-01-31", 100)]),
            {"revokes": "r", "revoked_at": "2024-01-05T10:00:00"},
            certificate("old", patient=pnr(3), periods=[("2024-01-01", "2024-02-29", 100)]),
            certificate(
                "new",
                patient=pnr(3),
                replaces="old",
                periods=[("2024-01-01", "2024-01-10", 100)],
                signed_at="2024-01-02T10:00:00",
            ),
        ],
    )
    report = run(engine, "cases-per-month", f"unit:{UNIT}", JAN, FEB)
    assert table(report) == [("2024-01", None, 1, 0), ("2024-02", None, 0, 0)]


def test_provider_scope_is_exact_and_suppressed_when_published(engine: Engine) -> None:
    store(
        engine,
        [
            certificate(f"w{i}", patient=pnr(10 + i), periods=[("2024-01-01", "2024-01-31", 100)])
            for i in range(7)
        ]
        + [
            certificate(
                "m", patient=pnr(30, woman=False), periods=[("2024-01-01", "2024-01-31", 100)]
            )
        ],
    )
    exact = run(engine, "cases-per-month", f"provider:{PROVIDER}", JAN, JAN)
    assert exact.rows[0].as_json() == {
        "month": "2024-01",
        "women": 7,
        "men": 1,
        "total": 8,
        "suppressed": False,
    }
    published = run(engine, "cases-per-month", f"provider:{PROVIDER}", JAN, JAN, suppress=True)
    # Men 1 is withheld; women too, or 8 − 7 would give it away.
    assert published.rows[0].as_json() == {
        "month": "2024-01",
        "women": None,
        "men": None,
        "total": 8,
        "suppressed": True,
    }
