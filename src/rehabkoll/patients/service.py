"""Importing the patient register's protected-identity flags (JSON Lines,
``{"id": personnummer, "protected": bool}``).

A known patient gets the flag. An unknown patient marked protected gets a
minimal patient row (no name: it is never shown for a protected patient, and
birth date and sex come from the number), so the protection is in place before
their first certificate arrives. An unknown patient not protected needs
nothing stored and is only counted. Works inside the caller's session.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from rehabkoll.certificates.models import Patient
from rehabkoll.certificates.service import LineError
from rehabkoll.lib import personnummer

CHUNK = 900
T = TypeVar("T")


@dataclass
class RegisterResult:
    """What an import did: flags changed, already right, patients created,
    unknown patients skipped, and the rejected lines."""

    updated: int = 0
    unchanged: int = 0
    created: int = 0
    unknown: int = 0
    errors: list[LineError] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.errors)


def parse_line(number: int, line: str) -> tuple[str, bool] | LineError:
    """The (canonical personnummer, protected) of one line, or why it is rejected.
    Reasons never repeat the number."""
    read = read_person(number, line, ("id", "protected"))
    if isinstance(read, LineError):
        return read
    patient_id, data = read
    protected = data.get("protected")
    if not isinstance(protected, bool):
        return LineError(number, "protected", "required, true or false")
    return patient_id, protected


def read_person(
    number: int, line: str, fields: tuple[str, ...]
) -> tuple[str, dict[str, object]] | LineError:
    """A register line's canonical personnummer (field ``id``) and its JSON
    object, or why it is rejected: not JSON, not an object, a field not in
    ``fields``, no or a bad personnummer."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return LineError(number, "(line)", "not valid JSON")
    if not isinstance(data, dict):
        return LineError(number, "(line)", "must be a JSON object")
    unknown = sorted(set(data) - set(fields))
    if unknown:
        return LineError(number, unknown[0], "unknown field")
    raw_id = data.get("id")
    if not isinstance(raw_id, str):
        return LineError(number, "id", "required, a personnummer as a string")
    try:
        return personnummer.normalize(raw_id), data
    except personnummer.InvalidPersonalNumberError as error:
        return LineError(number, "id", str(error))


def read_register(
    lines: Iterable[tuple[int, str]],
    parse: Callable[[int, str], tuple[str, T] | LineError],
    errors: list[LineError],
) -> Iterator[dict[str, T]]:
    """The values of a register's numbered lines per patient, in chunks of
    ``CHUNK`` patients in order; blank lines are skipped, a patient given
    twice keeps the last line, and each bad line goes to ``errors``."""
    values: dict[str, T] = {}
    for number, line in lines:
        if not line.strip():
            continue
        parsed = parse(number, line)
        if isinstance(parsed, LineError):
            errors.append(parsed)
        else:
            values[parsed[0]] = parsed[1]
    ids = sorted(values)
    for start in range(0, len(ids), CHUNK):
        yield {i: values[i] for i in ids[start : start + CHUNK]}


def import_register(session: Session, lines: Iterable[tuple[int, str]]) -> RegisterResult:
    """Store the flags of numbered lines (blank lines are skipped; for a number
    given twice, the last line counts)."""
    result = RegisterResult()
    for flags in read_register(lines, parse_line, result.errors):
        _store(session, flags, result)
    return result


def _store(session: Session, flags: dict[str, bool], result: RegisterResult) -> None:
    query = select(Patient.id, Patient.protected).where(Patient.id.in_(list(flags)))
    stored: dict[str, bool] = {row.id: row.protected for row in session.execute(query)}
    for value in (True, False):
        changed = [
            i for i, flag in flags.items() if flag is value and stored.get(i, value) != value
        ]
        if changed:
            session.execute(
                update(Patient)
                .where(Patient.id.in_(changed))
                .values(protected=value)
                .execution_options(synchronize_session=False)
            )
            result.updated += len(changed)
    result.unchanged += sum(1 for i, flag in flags.items() if stored.get(i) == flag)
    new = [i for i, flag in flags.items() if i not in stored and flag]
    result.unknown += sum(1 for i, flag in flags.items() if i not in stored and not flag)
    if new:
        session.execute(insert(Patient), [_minimal_patient(i) for i in new])
        result.created += len(new)


def _minimal_patient(patient_id: str) -> dict[str, object]:
    number = personnummer.parse(patient_id)
    return {
        "id": patient_id,
        "ref": secrets.token_urlsafe(12),
        "name": "",
        "birth_date": number.birth_date,
        "sex": str(number.sex),
        "protected": True,
    }
