"""New sick-leave cases of a population, drawn in bulk (numpy): when each starts,
its diagnosis, occupation, planned length and the known chance it lasts more
than 90 days.

A case's *planned length* is its number of certificate-covered days; the
certificates laid out for it (``certificates.py``) cover exactly that many
days, so that the case engine's ``days`` equals it unless the case is cut off
by the end of the generated period. Its *span* adds the few uncovered gap days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rehabkoll.synth import model
from rehabkoll.synth.population import DAYS_PER_YEAR, FIRST_AGE, LAST_AGE, Population

CODES: tuple[str, ...] = tuple(code for g in model.GROUPS for code, _ in g.codes)
"""Every main diagnosis code of the model; cases refer to them by index."""
SECONDARY_CODES: tuple[str, ...] = tuple(sorted({c for g in model.GROUPS for c in g.secondary}))
_GROUP_CODE_OFFSET = np.cumsum([0, *(len(g.codes) for g in model.GROUPS)])
_BAND_FIRST_AGE = np.array([band[0] for band in model.AGE_BANDS])


@dataclass(frozen=True, slots=True)
class Cases:
    """One row per case, sorted by person and start."""

    person: np.ndarray
    start: np.ndarray
    days: np.ndarray
    gaps: np.ndarray
    gap_days: np.ndarray
    group: np.ndarray
    code: np.ndarray
    secondary: np.ndarray
    occupation: np.ndarray
    second_occupation: np.ndarray
    age: np.ndarray
    moves: np.ndarray
    p_over_90: np.ndarray

    def __len__(self) -> int:
        return len(self.person)

    @property
    def span(self) -> np.ndarray:
        """Calendar days from the first covered day to the last."""
        span: np.ndarray = self.days + self.gap_days
        return span

    def take(self, rows: np.ndarray) -> Cases:
        return Cases(*(getattr(self, f)[rows] for f in Cases.__dataclass_fields__))


def age_band(age: np.ndarray) -> np.ndarray:
    """Index into model.AGE_BANDS; ages past the last band use it."""
    band: np.ndarray = np.clip(np.searchsorted(_BAND_FIRST_AGE, age, side="right") - 1, 0, None)
    return band


def _group_table() -> np.ndarray:
    """P(group | sex, age band) as [sex (0 men, 1 women), band, group]."""
    table = np.zeros((2, len(model.AGE_BANDS), len(model.GROUPS)))
    for g, group in enumerate(model.GROUPS):
        weights = np.array(group.age_weight)
        table[0, :, g] = group.share_men * weights
        table[1, :, g] = group.share_women * weights
    normalised: np.ndarray = table / table.sum(axis=2, keepdims=True)
    return normalised


GROUP_TABLE = _group_table()


def draw_cases(
    population: Population, *, first_day: int, last_day: int, rng: np.random.Generator
) -> Cases:
    """Every case of ``population`` that starts between ``first_day`` and
    ``last_day``, before people already off sick are taken out."""
    n = len(population)
    woman = population.woman
    years = (last_day - first_day + 1) / DAYS_PER_YEAR
    top = max(model.AGE_RATE_FACTOR)
    base = np.where(woman, model.BASE_RATE_WOMEN, model.BASE_RATE_MEN) * top
    counts = rng.poisson(base * years)
    person = np.repeat(np.arange(n, dtype=np.int32), counts)
    start = rng.integers(first_day, last_day + 1, size=len(person)).astype(np.int32)
    age = np.floor((start - population.birth[person]) / DAYS_PER_YEAR).astype(np.int16)
    band = age_band(age)
    rate = np.asarray(model.AGE_RATE_FACTOR)[band] / top
    keep = (age >= FIRST_AGE) & (age <= LAST_AGE) & (rng.random(len(person)) < rate)
    person, start, age, band = person[keep], start[keep], age[keep], band[keep]
    sex = woman[person].astype(np.int8)
    group = _draw_categories(rng, GROUP_TABLE[sex, band])
    cases = _describe(rng, person, start, age, band, sex, group)
    again = rng.random(len(cases)) < np.array([g.recurrence for g in model.GROUPS])[cases.group]
    if again.any():
        rows = np.flatnonzero(again)
        delay = rng.integers(*model.RECURRENCE_DELAY_DAYS, endpoint=True, size=len(rows))
        later = (cases.start[rows] + cases.span[rows] + delay).astype(np.int32)
        later_age = np.floor((later - population.birth[cases.person[rows]]) / DAYS_PER_YEAR)
        follow = _describe(
            rng,
            cases.person[rows],
            later,
            later_age.astype(np.int16),
            age_band(later_age),
            sex[rows],
            cases.group[rows],
        )
        wanted = (follow.start <= last_day) & (follow.age <= LAST_AGE)
        cases = _concat(cases, follow.take(np.flatnonzero(wanted)))
    return _without_overlaps(cases)


def _draw_categories(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category per row of a [rows, categories] probability table."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities)) * cumulative[:, -1]
    picked: np.ndarray = (u[:, None] >= cumulative).sum(axis=1).astype(np.int8)
    return picked


def _describe(
    rng: np.random.Generator,
    person: np.ndarray,
    start: np.ndarray,
    age: np.ndarray,
    band: np.ndarray,
    sex: np.ndarray,
    group: np.ndarray,
) -> Cases:
    """Draw everything about cases whose person, start and group are known."""
    count = len(person)
    code = np.zeros(count, dtype=np.int16)
    for g, spec in enumerate(model.GROUPS):
        rows = np.flatnonzero(group == g)
        weights = np.array([w for _, w in spec.codes])
        picked = rng.choice(len(weights), size=len(rows), p=weights / weights.sum())
        code[rows] = _GROUP_CODE_OFFSET[g] + picked
    secondary = np.full(count, -1, dtype=np.int16)
    with_secondary = rng.random(count) < model.SECONDARY_DIAGNOSIS_SHARE
    for g, spec in enumerate(model.GROUPS):
        if not spec.secondary:
            continue
        rows = np.flatnonzero(with_secondary & (group == g))
        choices = np.array([SECONDARY_CODES.index(c) for c in spec.secondary], dtype=np.int16)
        secondary[rows] = choices[rng.integers(0, len(choices), size=len(rows))]
    occupation = _draw_categories(
        rng,
        np.where(
            sex[:, None] == 1,
            np.asarray(model.OCCUPATION_SHARES_WOMEN),
            np.asarray(model.OCCUPATION_SHARES_MEN),
        ),
    )
    studies = model.OCCUPATIONS.index("STUDIES")
    current = model.OCCUPATIONS.index("CURRENT_JOB")
    parental = model.OCCUPATIONS.index("PARENTAL_LEAVE")
    young = (age < 25) & (rng.random(count) < model.YOUNG_STUDIES_SHARE)
    occupation[young] = studies
    occupation[(occupation == parental) & ((age < 20) | (age > 50))] = current
    second = np.full(count, -1, dtype=np.int8)
    two = (occupation == current) & (rng.random(count) < model.SECOND_OCCUPATION_SHARE)
    second[two] = studies

    spec_of = model.GROUPS
    short_median = np.array([g.short_median for g in spec_of])[group]
    short_sigma = np.array([g.short_sigma for g in spec_of])[group]
    long_median = np.array([g.long_median for g in spec_of])[group]
    long_sigma = np.array([g.long_sigma for g in spec_of])[group]
    factor = np.asarray(model.AGE_LENGTH_FACTOR)[band]
    long_p = (
        np.array([g.long_probability for g in spec_of])[group]
        * np.asarray(model.AGE_LONG_FACTOR)[band]
        * np.where(sex == 1, model.WOMEN_LONG_FACTOR, model.MEN_LONG_FACTOR)
        * np.asarray(model.OCCUPATION_LONG_FACTOR)[occupation]
    )
    long_p = np.minimum(long_p, 0.9)
    is_long = rng.random(count) < long_p
    mu = np.log(np.where(is_long, long_median, short_median) * factor)
    sigma = np.where(is_long, long_sigma, short_sigma)
    length = np.exp(mu + sigma * rng.standard_normal(count))
    days = np.clip(np.ceil(length), model.MIN_CASE_DAYS, model.MAX_CASE_DAYS).astype(np.int32)
    p_over_90 = _over_90(
        short_median * factor, short_sigma, long_p, long_median * factor, long_sigma
    )

    boundaries = np.maximum(0, (days - model.FIRST_CERTIFICATE_DAYS[1]) // model.EXTENSION_DAYS[1])
    gaps = rng.binomial(boundaries, model.GAP_SHARE).astype(np.int16)
    gap_days = gaps + rng.binomial(3 * gaps, 0.3).astype(np.int32)
    moves = np.zeros(count, dtype=bool)
    for g, spec in enumerate(model.GROUPS):
        share = model.UNIT_CHANGE_SHARE.get(spec.key, 0.0)
        rows = np.flatnonzero((group == g) & (days > 60))
        moves[rows] = rng.random(len(rows)) < share
    return Cases(
        person=person.astype(np.int32),
        start=start.astype(np.int32),
        days=days,
        gaps=gaps,
        gap_days=gap_days.astype(np.int32),
        group=group.astype(np.int8),
        code=code,
        secondary=secondary,
        occupation=occupation,
        second_occupation=second,
        age=age.astype(np.int16),
        moves=moves,
        p_over_90=p_over_90,
    )


_erfc = np.frompyfunc(math.erfc, 1, 1)


def _over_90(
    short_median: np.ndarray,
    short_sigma: np.ndarray,
    long_p: np.ndarray,
    long_median: np.ndarray,
    long_sigma: np.ndarray,
) -> np.ndarray:
    """P(planned length > 90 days), exactly as drawn (see model.over_days_probability)."""
    if len(short_median) == 0:
        return np.zeros(0)
    log90 = math.log(90.0)
    z_short = (log90 - np.log(short_median)) / short_sigma
    z_long = (log90 - np.log(long_median)) / long_sigma
    sf_short = 0.5 * _erfc(z_short / math.sqrt(2.0)).astype(np.float64)
    sf_long = 0.5 * _erfc(z_long / math.sqrt(2.0)).astype(np.float64)
    return np.asarray((1.0 - long_p) * sf_short + long_p * sf_long, dtype=np.float64)


def _concat(a: Cases, b: Cases) -> Cases:
    return Cases(
        *(np.concatenate([getattr(a, f), getattr(b, f)]) for f in Cases.__dataclass_fields__)
    )


def _without_overlaps(cases: Cases) -> Cases:
    """Sort by person and start, and drop a case that starts before the person's
    earlier cases have ended (plus MIN_DAYS_BETWEEN_CASES)."""
    order = np.lexsort((cases.start, cases.person))
    cases = cases.take(order)
    if len(cases) == 0:
        return cases
    big = np.int64(1) << 32
    last = cases.start.astype(np.int64) + cases.span - 1
    key = cases.person.astype(np.int64) * big + last + (1 << 20)
    running = np.maximum.accumulate(key)
    before = np.empty_like(running)
    before[0] = -1
    before[1:] = running[:-1]
    same_person = (before >= 0) & (before // big == cases.person)
    before_end = before % big - (1 << 20)
    clash = same_person & (cases.start <= before_end + model.MIN_DAYS_BETWEEN_CASES)
    return cases.take(np.flatnonzero(~clash))
