"""Patients' names from a population register file (folkbokföring).

RIVTA messages carry no names: Webcert sends ``fornamn``/``efternamn`` empty,
and in the national infrastructure the receiving system asks the population
register (PU-tjänsten) for them. This is the honest small equivalent: a file
of the register's answers, JSON Lines with one person a line,

    {"id": "19121212-1212", "given_name": "Tolvan", "middle_name": "", "surname": "Tolvansson"}

(``middle_name`` may be left out). ``rehabkoll synth --format rivta`` writes
one for its synthetic people; ``rehabkoll patients names FILE`` fills the
names of the stored patients from it. The register is the authority: a
stored patient whose name differs gets the register's. A person the database
does not know is only counted (a name alone makes no patient). Works inside
the caller's session; error reasons never repeat the personnummer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from rehabkoll.certificates.models import Patient
from rehabkoll.certificates.service import LineError, table
from rehabkoll.patients.service import read_person, read_register

MAX_NAME = 200
FIELDS = ("id", "given_name", "middle_name", "surname")


@dataclass
class NamesResult:
    """Names changed, already right, people not stored, and rejected lines."""

    updated: int = 0
    unchanged: int = 0
    unknown: int = 0
    errors: list[LineError] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.errors)


def full_name(given: str, middle: str, surname: str) -> str:
    """The name as rehabkoll shows it: given, middle and surname, blanks left out."""
    return " ".join(part for part in (given.strip(), middle.strip(), surname.strip()) if part)


def register_line(patient_id: str, name: str) -> str:
    """One register line for a synthetic person whose whole name is ``name``:
    the last word is the surname, the words before it the given names."""
    given, _, surname = name.strip().rpartition(" ")
    record = {"id": patient_id, "given_name": given, "middle_name": "", "surname": surname}
    return json.dumps(record, ensure_ascii=False)


def parse_line(number: int, line: str) -> tuple[str, str] | LineError:
    """(canonical personnummer, full name) of one line, or why it is rejected."""
    read = read_person(number, line, FIELDS)
    if isinstance(read, LineError):
        return read
    patient_id, data = read
    parts: list[str] = []
    for name in FIELDS[1:]:
        value = data.get(name, "" if name == "middle_name" else None)
        if not isinstance(value, str):
            return LineError(number, name, "required, a string")
        parts.append(value)
    if not parts[0].strip() and not parts[2].strip():
        return LineError(number, "surname", "a given name or a surname is required")
    name = full_name(*parts)
    if len(name) > MAX_NAME:
        return LineError(number, "surname", f"the whole name has at most {MAX_NAME} characters")
    return patient_id, name


def fill_names(session: Session, lines: Iterable[tuple[int, str]]) -> NamesResult:
    """Give the stored patients of these numbered lines the register's names
    (blank lines are skipped; for a person given twice, the last line counts)."""
    result = NamesResult()
    for names in read_register(lines, parse_line, result.errors):
        _store(session, names, result)
    return result


def _store(session: Session, names: dict[str, str], result: NamesResult) -> None:
    query = select(Patient.id, Patient.name).where(Patient.id.in_(list(names)))
    stored: dict[str, str] = {row.id: row.name for row in session.execute(query)}
    changed = [
        {"key": i, "new_name": name}
        for i, name in names.items()
        if i in stored and stored[i] != name
    ]
    if changed:
        patients = table(Patient)
        session.execute(
            update(patients)
            .where(patients.c.id == bindparam("key"))
            .values(name=bindparam("new_name")),
            changed,
        )
    result.updated += len(changed)
    result.unchanged += sum(1 for i, name in names.items() if stored.get(i) == name)
    result.unknown += sum(1 for i in names if i not in stored)
