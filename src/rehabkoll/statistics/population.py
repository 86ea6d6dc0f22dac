"""The insured population (försäkrade) that rates are counted per 1,000 of.

A CSV with the columns ``provider_id,year,sex,age_from,age_to,insured``: one
row per care provider (or unit, under its HSA id), year, sex (F/M) and age
band. Importing a file replaces the rows of every (provider, year) it names.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.orm import Session

from rehabkoll.certificates.models import CareProvider
from rehabkoll.statistics.models import Population
from rehabkoll.statistics.query import Scope, ScopeKind

COLUMNS = ("provider_id", "year", "sex", "age_from", "age_to", "insured")


class InvalidPopulationError(ValueError):
    """A population file that cannot be read; the message names line and column."""


@dataclass(frozen=True, slots=True)
class PopulationRow:
    provider_id: str
    year: int
    sex: str
    age_from: int
    age_to: int
    insured: int


def read_csv(path: Path) -> list[PopulationRow]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise InvalidPopulationError(f"line 1: the columns must be {','.join(COLUMNS)}")
        return [_row(number, line) for number, line in enumerate(reader, start=2)]


def _row(number: int, line: dict[str, str]) -> PopulationRow:
    def integer(name: str, low: int, high: int) -> int:
        try:
            value = int(line[name])
        except (TypeError, ValueError):
            raise InvalidPopulationError(f"line {number}: {name}: not a whole number") from None
        if not low <= value <= high:
            raise InvalidPopulationError(f"line {number}: {name}: outside {low}–{high}")
        return value

    provider = (line["provider_id"] or "").strip()
    if not provider:
        raise InvalidPopulationError(f"line {number}: provider_id: empty")
    sex = (line["sex"] or "").strip().upper()
    if sex not in ("F", "M"):
        raise InvalidPopulationError(f"line {number}: sex: must be F or M")
    age_from = integer("age_from", 0, 130)
    age_to = integer("age_to", age_from, 130)
    return PopulationRow(
        provider, integer("year", 1900, 2200), sex, age_from, age_to, integer("insured", 0, 10**9)
    )


def store(session: Session, rows: Sequence[PopulationRow]) -> int:
    """Replace the population of every (provider, year) in ``rows``; the caller commits."""
    keys = sorted({(r.provider_id, r.year) for r in rows})
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        session.execute(
            delete(Population).where(tuple_(Population.provider_id, Population.year).in_(chunk))
        )
    session.add_all(
        Population(
            provider_id=r.provider_id,
            year=r.year,
            sex=r.sex,
            age_from=r.age_from,
            age_to=r.age_to,
            insured=r.insured,
        )
        for r in rows
    )
    session.flush()
    return len(rows)


Insured = dict[tuple[int, str], int]  # (year, sex) → insured


def insured(session: Session, scope: Scope, years: Iterable[int]) -> Insured:
    """Insured per year and sex of the scope (national: the rows of every care
    provider in the register; a unit's rows are part of its provider's)."""
    query = (
        select(Population.year, Population.sex, func.sum(Population.insured))
        .where(Population.year.in_(sorted(set(years))))
        .group_by(Population.year, Population.sex)
    )
    if scope.kind is not ScopeKind.NATIONAL:
        query = query.where(Population.provider_id == scope.id)
    else:
        query = query.where(Population.provider_id.in_(select(CareProvider.id)))
    return {(int(y), str(s)): int(n) for y, s, n in session.execute(query)}


def insured_of_rows(rows: Iterable[PopulationRow], scope: Scope) -> Insured:
    """The same sums from rows read from a file (``--population`` without a database)."""
    out: Insured = {}
    for r in rows:
        if scope.kind is ScopeKind.NATIONAL or r.provider_id == scope.id:
            out[(r.year, r.sex)] = out.get((r.year, r.sex), 0) + r.insured
    return out
