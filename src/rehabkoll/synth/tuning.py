"""Find the per-diagnosis offsets of the length model (model.CODE_OFFSETS)
that make each three-character code's share of cases longer than 14 days
that last more than 90 days match model.LONG_SHARE, and print the table.

    .venv/bin/python -m rehabkoll.synth.tuning

Each round generates a sample region with the current offsets and moves each
code's offset so that the expected share over the sample's own mix of cases
(age, sex, occupation, earlier cases …, the unobserved factor integrated out)
hits the target; a few rounds settle the feedback through earlier cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from rehabkoll.synth import cases as cases_module
from rehabkoll.synth import model
from rehabkoll.synth.cases import CODES, Cases, probabilities
from rehabkoll.synth.population import day_of
from rehabkoll.synth.run import build_populations, region_plan

SAMPLE_INSURED = 400_000
SAMPLE_END = date(2019, 12, 31)
SAMPLE_SEED = 90_001
"""A seed no test uses."""


@dataclass(frozen=True, slots=True)
class Sample:
    cases: Cases
    first_day: int


def sample(insured: int = SAMPLE_INSURED, years: int = 3, seed: int = SAMPLE_SEED) -> Sample:
    """The cases (not their certificates) of a generated region that start in its window."""
    plan = region_plan(insured=insured, years=years, end_date=SAMPLE_END, seed=seed)
    first, end = day_of(plan.first_date), day_of(plan.end_date)
    parts = []
    for region, population in build_populations(plan):
        for chunk, lo in enumerate(range(0, len(population), 100_000)):
            people = population.slice(lo, lo + 100_000)
            rng = np.random.default_rng([seed, region.county_code, 1, chunk])
            drawn = cases_module.draw_cases(
                people, first_day=first - model.MAX_CASE_DAYS, last_day=end, rng=rng
            )
            parts.append(drawn.take(np.flatnonzero(drawn.start >= first)))
    fields = Cases.__dataclass_fields__
    joined = Cases(*(np.concatenate([getattr(p, f) for p in parts]) for f in fields))
    return Sample(joined, first)


def expected_share(cases: Cases, shift: float = 0.0) -> float:
    """Expected share of the cases longer than 14 days that last more than 90."""
    moved = Cases(**{f: getattr(cases, f) for f in Cases.__dataclass_fields__})
    object.__setattr__(moved, "risk_index", cases.risk_index + shift)
    over_90 = probabilities(90, moved, observed_only=True)
    over_14 = probabilities(14, moved, observed_only=True)
    return float(over_90.sum() / over_14.sum())


def tune(rounds: int = 3) -> dict[str, float]:
    offsets = dict(model.CODE_OFFSETS)
    for _ in range(rounds):
        _apply(offsets)
        drawn = sample().cases
        three = np.array([CODES[c][:3] for c in drawn.code.tolist()])
        for code, target in sorted(model.LONG_SHARE.items()):
            rows = np.flatnonzero(three == code)
            if len(rows) == 0:
                continue
            mine = drawn.take(rows)
            low, high = -3.0, 3.0
            for _ in range(40):
                middle = (low + high) / 2
                if expected_share(mine, middle) < target:
                    low = middle
                else:
                    high = middle
            offsets[code] = round(offsets.get(code, 0.0) + (low + high) / 2, 3)
    return offsets


def _apply(offsets: dict[str, float]) -> None:
    cases_module._CODE_OFFSET[:] = [offsets.get(code[:3], 0.0) for code in CODES]


def main() -> None:
    offsets = tune()
    print("CODE_OFFSETS: dict[str, float] = {")
    for code in sorted(offsets):
        print(f'    "{code}": {offsets[code]},')
    print("}")


if __name__ == "__main__":
    main()
