"""The regions' population (folkmängd) on a key date, from an SCB-style CSV.

The form is SCB's table export: a ``region`` column with the county code and
name (``04 Södermanlands län``; ``00 Riket`` for the whole country), one column
per year (the population on 31 December of that year), and optionally a
``källa`` (or ``source``) column naming each row's source. Commas or
semicolons; thousands may be written with spaces (``283 712``). Importing
replaces the figures of every (region, key date) in the file and nothing else.
When the file has the country's row and all 21 regions, their sum must match.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from rehabkoll.agreement.models import RegionPopulation
from rehabkoll.agreement.regions import REGIONS


class InvalidPopulationFileError(ValueError):
    """A population file that cannot be used; the message names line and column."""


@dataclass(frozen=True, slots=True)
class Figure:
    region: str
    key_date: date
    population: int
    source: str


_YEAR = re.compile(r"^\d{4}$")


def read_csv(path: Path, *, source: str | None = None) -> list[Figure]:
    return read_with_country(path, source=source)[0]


def read_with_country(
    path: Path, *, source: str | None = None
) -> tuple[list[Figure], dict[int, int]]:
    """The regions' figures and the country's (``00 Riket``) per year."""
    text = path.read_text(encoding="utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    header = [cell.strip() for cell in next(reader, [])]
    if not header or header[0].lower() != "region":
        raise InvalidPopulationFileError("line 1: the first column must be region")
    years = {i: int(h) for i, h in enumerate(header) if _YEAR.match(h)}
    if not years:
        raise InvalidPopulationFileError("line 1: no year column (e.g. 2015)")
    source_column = next(
        (i for i, h in enumerate(header) if h.lower() in ("källa", "source")), None
    )
    figures: list[Figure] = []
    national: dict[int, int] = {}
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        code = row[0].strip()[:2]
        row_source = row[source_column].strip() if source_column is not None else ""
        chosen = row_source or source
        if not chosen:
            raise InvalidPopulationFileError(f"line {number}: källa: empty, and no --source given")
        for column, year in years.items():
            value = _number(row, column, number, header[column])
            if code == "00":
                national[year] = value
                continue
            if code not in REGIONS:
                raise InvalidPopulationFileError(
                    f"line {number}: region: {row[0].strip()!r} is not a county code"
                )
            figures.append(Figure(code, date(year, 12, 31), value, chosen))
    _check_sums(figures, national)
    return figures, national


def _number(row: list[str], column: int, line: int, name: str) -> int:
    cell = row[column] if column < len(row) else ""
    cleaned = re.sub(r"[\s\u00a0]", "", cell)
    if not cleaned.isdigit():
        raise InvalidPopulationFileError(f"line {line}: {name}: {cell!r} is not a whole number")
    return int(cleaned)


def _check_sums(figures: list[Figure], national: dict[int, int]) -> None:
    for year, total in national.items():
        of_year = [f for f in figures if f.key_date.year == year]
        if len({f.region for f in of_year}) == len(REGIONS):
            found = sum(f.population for f in of_year)
            if found != total:
                raise InvalidPopulationFileError(
                    f"{year}: the 21 regions add up to {found}, not the country's {total}"
                )


def store(session: Session, figures: list[Figure]) -> int:
    """Replace the figures of every (region, key date) given; the caller commits."""
    keys = sorted({(f.region, f.key_date) for f in figures})
    if keys:
        session.execute(
            delete(RegionPopulation).where(
                tuple_(RegionPopulation.region, RegionPopulation.key_date).in_(keys)
            )
        )
    session.add_all(
        RegionPopulation(
            region=f.region, key_date=f.key_date, population=f.population, source=f.source
        )
        for f in figures
    )
    session.flush()
    return len(figures)


def on(session: Session, key_date: date) -> dict[str, RegionPopulation]:
    """The figures of a key date, by county code."""
    rows = session.scalars(select(RegionPopulation).where(RegionPopulation.key_date == key_date))
    return {row.region: row for row in rows}


SHIPPED = Path(__file__).resolve().parent / "data"
