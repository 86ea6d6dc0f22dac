"""New sick-leave cases of a population, drawn in bulk (numpy): when each starts,
its diagnosis, occupation, planned length and the known chance it lasts more
than 90 days.

A case's *planned length* is its number of certificate-covered days; the
certificates laid out for it (``certificates.py``) cover exactly that many
days, so that the case engine's ``days`` equals it unless the case is cut off
by the end of the generated period. Its *span* adds the few uncovered gap days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

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
    """P(length > 90) given everything drawn at the start (the unobserved factor too)."""
    degree: np.ndarray
    """Degree (%) of the first certificate's first period."""
    at_clinic: np.ndarray
    """The first certificate comes from the group's clinic, not primary care."""
    previous_days: np.ndarray
    """Length of the most recent earlier case of more than 14 days that ended in
    the 12 months before the start; 0 when there is none."""
    risk_index: np.ndarray
    """The observable part of the case's index (everything but the unobserved factor)."""
    unobserved: np.ndarray
    """The unobserved individual factor u."""

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


@dataclass(frozen=True, slots=True)
class _Draft:
    """Cases whose start and everything known at it are drawn, before their
    lengths (which depend on the person's earlier cases) are."""

    person: np.ndarray
    start: np.ndarray
    group: np.ndarray
    code: np.ndarray
    secondary: np.ndarray
    occupation: np.ndarray
    second_occupation: np.ndarray
    age: np.ndarray
    degree: np.ndarray
    at_clinic: np.ndarray
    base: np.ndarray
    """The index without the previous case's effect and the unobserved factor."""
    unobserved: np.ndarray
    component: np.ndarray
    """Uniform draw deciding the long or short component."""
    noise: np.ndarray
    """Standard normal draw of the log-length within the component."""
    recurs: np.ndarray
    delay: np.ndarray

    def __len__(self) -> int:
        return len(self.person)

    def take(self, rows: np.ndarray) -> _Draft:
        return _Draft(*(getattr(self, f)[rows] for f in _Draft.__dataclass_fields__))


def draw_cases(
    population: Population, *, first_day: int, last_day: int, rng: np.random.Generator
) -> Cases:
    """Every case of ``population`` that starts between ``first_day`` and
    ``last_day``, people already off sick taken out, each with its length."""
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
    draft = _describe(rng, person, start, age, sex, group)
    return _resolve(draft, population, rng, last_day)


def _draw_categories(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category per row of a [rows, categories] probability table."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities)) * cumulative[:, -1]
    picked: np.ndarray = (u[:, None] >= cumulative).sum(axis=1).astype(np.int8)
    return picked


_CODE_OFFSET = np.array([model.CODE_OFFSETS.get(code[:3], 0.0) for code in CODES])
_CLINIC_START = np.array([model.CLINIC_START_SHARE.get(g.key, 0.0) for g in model.GROUPS])
_CLINIC_KIND = np.array(
    [
        model.UNIT_KINDS.index("psychiatry" if g.key == "F" else "hospital clinic")
        for g in model.GROUPS
    ]
)
_RECURRENCE = np.array([g.recurrence for g in model.GROUPS])


def _describe(
    rng: np.random.Generator,
    person: np.ndarray,
    start: np.ndarray,
    age: np.ndarray,
    sex: np.ndarray,
    group: np.ndarray,
) -> _Draft:
    """Draw everything known at the start of cases whose person, start and group are known."""
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
    degrees = np.array([d for d, _ in model.FIRST_DEGREES], dtype=np.int16)
    weights = np.array([w for _, w in model.FIRST_DEGREES])
    degree = degrees[rng.choice(len(degrees), size=count, p=weights / weights.sum())]
    at_clinic = rng.random(count) < _CLINIC_START[group]
    kind = np.where(at_clinic, _CLINIC_KIND[group], 0)
    base = (
        _CODE_OFFSET[code]
        + model.AGE_EFFECT_PER_YEAR * (age.astype(np.float64) - model.AGE_CENTRE)
        + np.where(sex == 1, model.WOMEN_EFFECT, 0.0)
        + np.asarray(model.OCCUPATION_EFFECT)[occupation]
        + np.where(degree < 100, model.PART_TIME_START_EFFECT, 0.0)
        + np.asarray(model.UNIT_KIND_EFFECT)[kind]
    )
    return _Draft(
        person=person.astype(np.int32),
        start=start.astype(np.int32),
        group=group.astype(np.int8),
        code=code,
        secondary=secondary,
        occupation=occupation,
        second_occupation=second,
        age=age.astype(np.int16),
        degree=degree,
        at_clinic=at_clinic,
        base=base,
        unobserved=model.UNOBSERVED_SD * rng.standard_normal(count),
        component=rng.random(count),
        noise=rng.standard_normal(count),
        recurs=rng.random(count) < _RECURRENCE[group],
        delay=rng.integers(*model.RECURRENCE_DELAY_DAYS, endpoint=True, size=count),
    )


def previous_effect(previous_days: np.ndarray) -> np.ndarray:
    """The index's term for the most recent earlier case over 14 days (0: none)."""
    category = np.where(
        previous_days <= 0, 0, 1 + np.searchsorted(model.PREVIOUS_DAYS_BOUNDS, previous_days)
    )
    effect: np.ndarray = np.asarray(model.PREVIOUS_EFFECT)[category]
    return effect


def _lengths(draft: _Draft, rows: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Planned days of ``rows`` of ``draft`` given their whole index (u included)."""
    group = draft.group[rows]
    table = model._GROUP_TABLE[group]
    short_median, short_sigma, long_p, long_median, long_sigma = table.T
    pi = expit(logit(long_p) + model.LONG_INDEX_WEIGHT * index)
    is_long = draft.component[rows] < pi
    mu = np.log(np.where(is_long, long_median, short_median)) + index
    sigma = np.where(is_long, long_sigma, short_sigma)
    length = np.exp(mu + sigma * draft.noise[rows])
    days: np.ndarray = np.clip(np.ceil(length), model.MIN_CASE_DAYS, model.MAX_CASE_DAYS)
    return days.astype(np.int32)


def _resolve(
    draft: _Draft, population: Population, rng: np.random.Generator, last_day: int
) -> Cases:
    """Give the drafted cases their lengths, person by person in order of start
    (a case's length depends on the person's earlier cases), dropping a case
    that starts before the person's previous one has ended (plus
    MIN_DAYS_BETWEEN_CASES) and adding the recurrences of the cases kept."""
    people = len(population)
    never = np.iinfo(np.int32).min // 2
    last_end = np.full(people, never, dtype=np.int64)
    long_end = np.full(people, never, dtype=np.int64)
    long_days = np.zeros(people, dtype=np.int32)
    kept: list[_Kept] = []
    pending = draft
    while len(pending):
        order = np.lexsort((pending.start, pending.person))
        pending = pending.take(order)
        first = np.ones(len(pending), dtype=bool)
        first[1:] = pending.person[1:] != pending.person[:-1]
        now = pending.take(np.flatnonzero(first))
        later = pending.take(np.flatnonzero(~first))
        who = now.person
        clash = now.start <= last_end[who] + model.MIN_DAYS_BETWEEN_CASES
        now = now.take(np.flatnonzero(~clash))
        who = now.person
        recent = long_end[who] >= now.start - model.PREVIOUS_WINDOW_DAYS
        previous = np.where(recent, long_days[who], 0).astype(np.int32)
        observed = now.base + previous_effect(previous)
        every = np.arange(len(now))
        days = _lengths(now, every, observed + now.unobserved)
        boundaries = np.maximum(
            0, (days - model.FIRST_CERTIFICATE_DAYS[1]) // model.EXTENSION_DAYS[1]
        )
        gaps = rng.binomial(boundaries, model.GAP_SHARE).astype(np.int16)
        gap_days = (gaps + rng.binomial(3 * gaps, 0.3)).astype(np.int32)
        end = now.start.astype(np.int64) + days + gap_days - 1
        last_end[who] = end
        over = days > 14
        long_end[who[over]] = end[over]
        long_days[who[over]] = days[over]
        kept.append((now, days, gaps, gap_days, previous, observed))
        follow = np.flatnonzero(now.recurs)
        later_start = (end[follow] + now.delay[follow]).astype(np.int32)
        later_age = np.floor((later_start - population.birth[who[follow]]) / DAYS_PER_YEAR)
        wanted = (later_start <= last_day) & (later_age <= LAST_AGE)
        follow, later_start, later_age = follow[wanted], later_start[wanted], later_age[wanted]
        sex = population.woman[who[follow]].astype(np.int8)
        spawned = _describe(
            rng, who[follow], later_start, later_age.astype(np.int16), sex, now.group[follow]
        )
        pending = _concat_drafts(later, spawned)
    return _finish(rng, kept)


def _concat_drafts(a: _Draft, b: _Draft) -> _Draft:
    return _Draft(
        *(np.concatenate([getattr(a, f), getattr(b, f)]) for f in _Draft.__dataclass_fields__)
    )


_Kept = tuple[_Draft, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _finish(rng: np.random.Generator, kept: list[_Kept]) -> Cases:
    if not kept:
        empty = np.zeros(0, dtype=np.int32)
        kept = [(_describe_empty(), empty, empty, empty, empty, np.zeros(0))]
    now = _concat_all([k[0] for k in kept])
    days, gaps, gap_days, previous, observed = (
        np.concatenate([k[i] for k in kept]) for i in range(1, 6)
    )
    moves = np.zeros(len(now), dtype=bool)
    for g, spec in enumerate(model.GROUPS):
        share = model.UNIT_CHANGE_SHARE.get(spec.key, 0.0)
        rows = np.flatnonzero((now.group == g) & (days > 60) & ~now.at_clinic)
        moves[rows] = rng.random(len(rows)) < share
    cases = Cases(
        person=now.person,
        start=now.start,
        days=days.astype(np.int32),
        gaps=gaps.astype(np.int16),
        gap_days=gap_days.astype(np.int32),
        group=now.group,
        code=now.code,
        secondary=now.secondary,
        occupation=now.occupation,
        second_occupation=now.second_occupation,
        age=now.age,
        moves=moves,
        p_over_90=model.length_survival(90, observed + now.unobserved, now.group),
        degree=now.degree,
        at_clinic=now.at_clinic,
        previous_days=previous.astype(np.int32),
        risk_index=observed.astype(np.float64),
        unobserved=now.unobserved,
    )
    order = np.lexsort((cases.start, cases.person))
    return cases.take(order)


def _describe_empty() -> _Draft:
    empty = np.zeros(0, dtype=np.int32)
    return _Draft(*(empty for _ in _Draft.__dataclass_fields__))


def _concat_all(drafts: list[_Draft]) -> _Draft:
    return _Draft(
        *(np.concatenate([getattr(d, f) for d in drafts]) for f in _Draft.__dataclass_fields__)
    )


_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(32)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def probabilities(
    days: float, cases: Cases, *, reached: float | None = None, observed_only: bool
) -> np.ndarray:
    """P(length > ``days``), or P(length > days | length > ``reached``), of each case:
    given everything drawn at its start (``observed_only`` False) or only what
    a certificate and the history show (True: the unobserved factor integrated
    out by Gauss–Hermite quadrature over its normal distribution)."""
    if not observed_only:
        index = cases.risk_index + cases.unobserved
        result = model.length_survival(days, index, cases.group)
        if reached is not None:
            result = result / model.length_survival(reached, index, cases.group)
        return np.asarray(result, dtype=np.float64)
    top = np.zeros(len(cases))
    bottom = np.zeros(len(cases))
    for node, weight in zip(_NODES, _WEIGHTS, strict=True):
        index = cases.risk_index + model.UNOBSERVED_SD * node
        top += weight * model.length_survival(days, index, cases.group)
        if reached is not None:
            bottom += weight * model.length_survival(reached, index, cases.group)
    return np.asarray(top / bottom if reached is not None else top, dtype=np.float64)
