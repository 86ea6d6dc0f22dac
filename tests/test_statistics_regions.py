"""National statistics per region (län): cases, net days per 1,000 insured and
their change from a year before, with the same suppression as every report."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa

from rehabkoll.statistics import duck, regions
from rehabkoll.statistics.query import Query, Scope
from rehabkoll.statistics.source import SCHEMA
from rehabkoll.statistics.suppression import Mark

JANUARY = date(2026, 1, 1)


def periods(counts: dict[str, int]) -> pa.Table:
    """Per provider: ``n`` women at 50 % and ``n`` men at 100 %, all of January 2026."""
    rows = []
    for provider, n in counts.items():
        for k in range(n):
            for sex, degree in (("F", 50), ("M", 100)):
                rows.append(
                    {
                        "certificate_id": f"{provider}-{sex}-{k}",
                        "patient_id": f"{provider}-{sex}-{k}",
                        "care_provider_id": provider,
                        "unit_id": f"{provider}-U",
                        "doctor_id": f"{provider}-D",
                        "signed_at": datetime(2025, 12, 31),
                        "start": JANUARY,
                        "end": date(2026, 1, 31),
                        "degree": degree,
                        "diagnosis": "F32",
                        "sex": sex,
                        "birth_date": date(1980, 5, 5),
                    }
                )
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def test_net_days_per_1000_insured_per_region_and_country_with_suppression() -> None:
    con = duck.connect()
    duck.load(con, periods({"P1": 6, "P2": 2, "P3": 10}))
    insured = {
        (p, year, sex): n
        for p in ("P1", "P2", "P3")
        for year in (2025, 2026)
        for sex, n in (("F", 1000), ("M", 2000))
    }
    names = {"P1": "Region Ett", "P2": "Region Två", "P3": "Region Tre"}
    rows = regions.by_region(con, Query(Scope.parse("national"), JANUARY, JANUARY), insured, names)
    by_id = {r.provider_id: r for r in rows}
    assert [r.name for r in rows] == ["Region Ett", "Region Tre", "Region Två", "Riket"]
    # P2 has 2 women and 2 men: withheld as small. Its column lines would give them
    # away, so P1 (the smallest other region, 6 and 6) is withheld to protect them.
    assert by_id["P2"].marks == (Mark.PRIMARY,) * 3
    assert by_id["P1"].marks == (Mark.SECONDARY,) * 3
    assert by_id["P2"].net_days_per_1000 == (None, None, None)
    # P3: 10 women at 50 % for 31 days = 155 net days, per 1,000 women insured 155,0;
    # 10 men at 100 % = 310 net days per 2,000 men = 155,0; together 465 / 3,000.
    assert by_id["P3"].cases == (10, 10, 20)
    assert by_id["P3"].net_days_per_1000 == (155.0, 155.0, 155.0)
    # January 2025 had no cases: 0 net days, so the change is the whole rate.
    assert by_id["P3"].change == (155.0, 155.0, 155.0)
    # The country: 18 women x 15,5 = 279 net days per 3,000 women insured = 93,0;
    # 18 men x 31 = 558 per 6,000 = 93,0.
    country = by_id[regions.COUNTRY]
    assert country.cases == (18, 18, 36)
    assert country.marks == (Mark.SHOWN,) * 3
    assert country.net_days_per_1000 == (93.0, 93.0, 93.0)


def test_a_region_without_a_population_has_no_rate_but_its_cases() -> None:
    con = duck.connect()
    duck.load(con, periods({"P1": 6}))
    rows = regions.by_region(
        con, Query(Scope.parse("national"), JANUARY, JANUARY), {}, {"P1": "Region Ett"}
    )
    assert rows[0].cases == (6, 6, 12)
    assert rows[0].net_days_per_1000 == (None, None, None)
    assert rows[0].change == (None, None, None)
