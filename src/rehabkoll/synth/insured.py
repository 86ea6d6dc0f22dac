"""The insured population (försäkrade) of a synthetic region, year by year, as
the rows ``rehabkoll population import`` reads: per care provider and per
primary care centre (its listed people), women and men aged 16–64 on 1 July
of each year. ``rehabkoll demo`` loads them so that rates per 1,000 insured
work from the start."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np

from rehabkoll.synth.population import DAYS_PER_YEAR, FIRST_AGE, LAST_AGE, day_of
from rehabkoll.synth.run import Plan, build_populations

Row = tuple[str, int, str, int, int, int]


def insured_rows(plan: Plan) -> Iterator[Row]:
    """(provider or unit id, year, sex, 16, 64, insured) for every year of the plan."""
    for region, people in build_populations(plan):
        for year in range(plan.first_date.year, plan.end_date.year + 1):
            age = (day_of(date(year, 7, 1)) - people.birth) / DAYS_PER_YEAR
            insured = (age >= FIRST_AGE) & (age < LAST_AGE + 1)
            for sex, mask in (("F", people.woman), ("M", ~people.woman)):
                chosen = insured & mask
                yield (region.provider_id, year, sex, FIRST_AGE, LAST_AGE, int(chosen.sum()))
                per_unit = np.bincount(people.home_unit[chosen], minlength=len(region.units))
                for index in region.primary_care:
                    count = int(per_unit[index])
                    yield (region.units[index].id, year, sex, FIRST_AGE, LAST_AGE, count)
