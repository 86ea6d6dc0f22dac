"""The demo's insured population: the rows ``population import`` reads, made
from the same synthetic people as the certificates."""

from __future__ import annotations

from collections import Counter
from datetime import date

from rehabkoll.synth.insured import insured_rows
from rehabkoll.synth.run import region_plan


def test_every_year_has_the_regions_insured_and_the_centres_add_up_to_it() -> None:
    plan = region_plan(insured=5000, years=2, end_date=date(2026, 6, 30), seed=3)
    rows = list(insured_rows(plan))
    provider = {r[0] for r in rows if not r[0].split("-")[-1].startswith("U")}
    assert len(provider) == 1
    totals: Counter[tuple[int, str]] = Counter()
    centres: Counter[tuple[int, str]] = Counter()
    for unit, year, sex, age_from, age_to, count in rows:
        assert (age_from, age_to) == (16, 64)
        (totals if unit in provider else centres)[(year, sex)] += count
    # The synthetic region keeps each of its 5,000 places held by one person aged
    # 16-64 at any time, so on 1 July of every year women and men add up to 5,000.
    assert sorted({y for y, _ in totals}) == [2024, 2025, 2026]
    for year in (2024, 2025, 2026):
        assert totals[(year, "F")] + totals[(year, "M")] == 5000
        assert 2000 < totals[(year, "F")] < 3000
    # Everyone is listed at one primary care centre.
    assert centres == totals
