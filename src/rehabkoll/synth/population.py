"""The insured population of a region: sex, birth date, personal number, home
primary care centre and name of each person, as numpy arrays.

Days are whole days since 1970-01-01 (``day_of``/``date_of`` convert).

Personal numbers (see docs/synthetic-data.md): every person gets a number
that passes validation — a real calendar date of birth (plus 60 for the
samordningsnummer of ``model.COORDINATION_NUMBER_SHARE`` of them), a birth
number whose third digit is even for women and odd for men, and the Luhn check
digit. Birth numbers are handed out per birth date and sex without repeats,
across every region of a run, so no two synthetic people share a number. The
birth number 000, which Skatteverket never assigns, is kept for the test
patients of ``TEST_PATIENTS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from rehabkoll.lib import personnummer
from rehabkoll.synth import model, names
from rehabkoll.synth.regions import Region

_EPOCH = date(1970, 1, 1).toordinal()
DAYS_PER_YEAR = 365.2425
FIRST_AGE = model.AGE_BANDS[0][0]
LAST_AGE = model.AGE_BANDS[-1][1]
SPAN_YEARS = LAST_AGE - FIRST_AGE + 1
"""An insured place passes from one holder to the next every 49 years."""
_STEP = 7919
"""A prime: rank -> (rank * _STEP + offset) mod capacity is a bijection, which
scatters the birth numbers of one date instead of counting 001, 003, 005 …"""
WOMEN_CAPACITY = 499
"""Even birth numbers 002–998."""
MEN_CAPACITY = 500
"""Odd birth numbers 001–999."""

TEST_PATIENTS = (
    ("19121212-1212", "Tolvan Tolvansson"),
    (personnummer.with_check_digit("19121212000"), "Tolva Tolvansson"),
)
"""Patients of the test certificates: Skatteverket's well-known example number
for Tolvan Tolvansson, and a number with the never-assigned birth number 000."""


def day_of(value: date) -> int:
    return value.toordinal() - _EPOCH


def date_of(day: int) -> date:
    return date.fromordinal(day + _EPOCH)


@dataclass(frozen=True, slots=True)
class Population:
    woman: np.ndarray
    birth: np.ndarray
    coordination: np.ndarray
    serial: np.ndarray
    home_unit: np.ndarray
    first_name: np.ndarray
    last_name: np.ndarray

    def __len__(self) -> int:
        return len(self.woman)

    def slice(self, lo: int, hi: int) -> Population:
        return Population(*(getattr(self, f)[lo:hi] for f in Population.__dataclass_fields__))


def draw_population(
    region: Region, rng: np.random.Generator, end_day: int, lookback_days: int
) -> Population:
    """The insured aged 16–64 on ``end_day``, by SCB's sex and age shares, and
    the people they took over from.

    The population is kept steady over time: each of the ``region.insured``
    places is held by one person aged 16–64 at any time. Going back from
    ``end_day``, a place whose holder was not yet 16 was held by a predecessor
    49 years older, who has since passed 64; predecessors follow the holders
    in the arrays, for the places whose holder turned 16 within
    ``lookback_days`` of ``end_day``.
    """
    n = region.insured
    woman = rng.random(n) < model.WOMEN_SHARE_OF_INSURED
    shares = np.array([band[2] for band in model.AGE_BANDS])
    band = rng.choice(len(model.AGE_BANDS), size=n, p=shares / shares.sum())
    first_age = np.array([b[0] for b in model.AGE_BANDS])[band]
    width = np.array([b[1] - b[0] + 1 for b in model.AGE_BANDS])[band]
    age = first_age + rng.random(n) * width
    birth = (end_day - np.floor(age * DAYS_PER_YEAR)).astype(np.int32)
    turned_16 = birth + np.floor(FIRST_AGE * DAYS_PER_YEAR).astype(np.int32)
    earlier = np.flatnonzero(turned_16 > end_day - lookback_days)
    birth = np.concatenate([birth, birth[earlier] - int(SPAN_YEARS * DAYS_PER_YEAR)])
    woman = np.concatenate([woman, rng.random(len(earlier)) < model.WOMEN_SHARE_OF_INSURED])
    total = len(birth)
    coordination = rng.random(total) < model.COORDINATION_NUMBER_SHARE
    sizes = rng.lognormal(0.0, 0.4, size=len(region.primary_care))
    centre = rng.choice(len(sizes), size=total, p=sizes / sizes.sum())
    home_unit = np.asarray(region.primary_care, dtype=np.int32)[centre]
    first_w = names.draw(rng, names.WOMEN_FIRST_NAMES, total)
    first_m = names.draw(rng, names.MEN_FIRST_NAMES, total)
    return Population(
        woman=woman,
        birth=birth.astype(np.int32),
        coordination=coordination,
        serial=np.zeros(total, dtype=np.int16),
        home_unit=home_unit,
        first_name=np.where(woman, first_w, first_m).astype(np.int16),
        last_name=names.draw(rng, names.SURNAMES, total),
    )


def assign_serials(populations: list[Population]) -> None:
    """Give every person a birth number no one else with the same birth date,
    sex and kind of number has, across all ``populations`` (in place)."""
    woman = np.concatenate([p.woman for p in populations])
    birth = np.concatenate([p.birth for p in populations])
    coordination = np.concatenate([p.coordination for p in populations])
    for _ in range(2):
        rank = _rank_within(coordination, woman, birth)
        capacity = np.where(woman, WOMEN_CAPACITY, MEN_CAPACITY)
        full = rank >= capacity
        if not full.any():
            break
        # A birth date out of numbers: those people get samordningsnummer instead.
        coordination = coordination | full
    else:
        raise RuntimeError("more people born on one day than birth numbers to give")
    offset = birth.astype(np.int64) % capacity
    index = (rank * _STEP + offset) % capacity
    serial = np.where(woman, 2 + 2 * index, 1 + 2 * index).astype(np.int16)
    start = 0
    for population in populations:
        stop = start + len(population)
        population.serial[:] = serial[start:stop]
        population.coordination[:] = coordination[start:stop]
        start = stop


def _rank_within(*keys: np.ndarray) -> np.ndarray:
    """Each row's 0-based rank among the rows with the same keys (stable)."""
    n = len(keys[0])
    order = np.lexsort((np.arange(n), *reversed(keys)))
    sorted_keys = np.stack([k[order].astype(np.int64) for k in keys])
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (sorted_keys[:, 1:] != sorted_keys[:, :-1]).any(axis=0)
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - group_start
    return rank


def personal_number(population: Population, index: int) -> str:
    """The synthetic YYYYMMDD-NNNN number (month of birth + 20) of one person."""
    return personnummer.synthetic(
        date_of(int(population.birth[index])),
        int(population.serial[index]),
        coordination=bool(population.coordination[index]),
    )


def person_name(population: Population, index: int) -> str:
    first = (names.WOMEN_FIRST_NAMES if population.woman[index] else names.MEN_FIRST_NAMES)[
        population.first_name[index]
    ]
    return f"{first} {names.SURNAMES[population.last_name[index]]}"
