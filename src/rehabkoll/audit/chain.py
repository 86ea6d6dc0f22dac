"""The access log's hash chain (hashkedja): what makes it tamper-evident.

Each entry carries ``hash``, the SHA-256 over its own content and the hash of
the entry before it (by id); the first entry's "previous hash" is 64 zeros.
Change one character of an entry, delete an entry, or swap two, and every hash
from there on no longer matches what ``verify`` recomputes. The newest hash
(the head) is also kept in the one-row table ``access_log_chain``, so that
removing the newest entries is seen too; a head exported every day and kept
elsewhere (``rehabkoll audit head``) catches even someone who rewrites the
whole chain and the head row.

The content hashed, as UTF-8, is the fields in this order, each written as
``-`` for a null or ``<length>:<text>`` (so no choice of text can imitate a
field boundary), joined with ``|``, then ``|`` and the previous hash in hex::

    at (ISO 8601, microseconds, UTC) | user_id | username | role | unit_id |
    action | purpose | detail | patients | previous hash

where ``patients`` is the entry's patients (those of its patient list,
``access_log_patients``) in sorted order, each as ``<length>:<text>``,
joined with ``|``; ``-`` for an entry of no patient. An entry of one patient
is thus hashed exactly as the one-patient-per-entry log before migration 0015
hashed it, so the entries written before that migration keep their hashes.

The id is not hashed: the order of the ids is (a row moved to another place
changes the hashes after it), while a gap left by a rolled-back transaction
is harmless. Pure functions here; ``rehabkoll.audit.service`` appends under a
lock on the head row so that concurrent writers extend one chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64

#: The columns of an entry the hash covers, shared part first (see the module doc).
SHARED = ("at", "user_id", "username", "role", "unit_id", "action", "purpose", "detail")


def _field(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        text = value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    else:
        text = str(value)
    return f"{len(text)}:{text}"


def _shared(entry: Mapping[str, Any]) -> bytes:
    return ("|".join(_field(entry[name]) for name in SHARED) + "|").encode()


def encode_patients(patients: Iterable[str]) -> bytes:
    """The patients as an entry's hash covers them (sorted, each ``<length>:<text>``)."""
    return _patients(patients)


def _patients(patients: Iterable[str]) -> bytes:
    fields = [_field(p) for p in sorted(patients)]
    return ("|".join(fields) if fields else "-").encode()


def list_digest(patients: Iterable[str]) -> str:
    """The key of a patient list: the SHA-256 of its patients as an entry's
    hash covers them (so the same patients, in any order, give the same key)."""
    return hashlib.sha256(_patients(patients)).hexdigest()


def entry_hash(entry: Mapping[str, Any], patients: Iterable[str], previous: str) -> str:
    """The hash of one entry (a mapping with the columns of ``SHARED``) of the
    ``patients`` given (any order) that follows an entry whose hash is ``previous``."""
    return hashlib.sha256(
        _shared(entry) + _patients(patients) + f"|{previous}".encode()
    ).hexdigest()


def chain(entries: list[dict[str, Any]], previous: str) -> str:
    """Set ``hash`` on each entry of the log's first shape, one ``patient_id``
    (or None) an entry, in order, after ``previous``; the new head. (Migration
    0007 hashed the entries of that time with it.)"""
    for entry in entries:
        patient = entry["patient_id"]
        previous = entry["hash"] = entry_hash(entry, [] if patient is None else [patient], previous)
    return previous


@dataclass(frozen=True, slots=True)
class Break:
    """The first entry whose stored hash is not the one recomputed."""

    id: int
    at: datetime
    stored: str | None
    expected: str

    def describe(self) -> str:
        return (
            f"entry {self.id} ({self.at.isoformat(sep=' ', timespec='seconds')} UTC) does not "
            "match: it, or an entry before it, was changed, deleted or moved"
        )


@dataclass(frozen=True, slots=True)
class Walk:
    """What walking the chain found: the entries checked, the head recomputed,
    the first break (None if none), and the recomputed hash at each id asked for."""

    entries: int
    last_id: int | None
    head: str
    broken: Break | None
    at_ids: dict[int, str]


def walk(rows: Iterable[Sequence[Any]], *, want: Iterable[int] = ()) -> Walk:
    """Recompute the chain over ``rows`` (every entry, in id order, as tuples
    of ``id, hash``, the ``SHARED`` columns and the entry's patients, a
    sequence in any order or already ``encode_patients``'d) and compare with
    each stored hash. The walk goes on
    after a break, so the head and the hashes asked for in ``want`` are those
    of the chain as it should be."""
    wanted = set(want)
    at_ids: dict[int, str] = {}
    previous = GENESIS
    broken: Break | None = None
    count = 0
    last_id: int | None = None
    for row in rows:
        patients = row[10] if isinstance(row[10], bytes) else _patients(row[10])
        shared = _shared(dict(zip(SHARED, row[2:10], strict=True)))
        expected = hashlib.sha256(shared + patients + f"|{previous}".encode()).hexdigest()
        if broken is None and row[1] != expected:
            broken = Break(int(row[0]), row[2], row[1], expected)
        if row[0] in wanted:
            at_ids[int(row[0])] = expected
        previous = expected
        count += 1
        last_id = int(row[0])
    return Walk(count, last_id, previous, broken, at_ids)
