"""The synthetic region as RIVTA XML (``rehabkoll synth --format rivta``): the
JSON Lines of ``synth`` rewritten as RegisterCertificate, RevokeCertificate
and SendMessageToCare messages in a zip, so that importing the zip gives
exactly the cases that importing the JSON Lines gives.

What the XML adds without changing a case:

- a certificate that continues the patient's previous one at the unit
  (starting at most ``gap`` days after it ended) carries relation FRLANG;
- every third replacement is a completion: Försäkringskassan's request
  (SendMessageToCare KOMPLT) on the earlier certificate, then the new one
  with relation KOMPLT; the others carry ERSATT;
- every 40th patient also gets a smittbärarpenning certificate (never in a
  case), and every 60th a statement (LUSE, läkarutlåtande för sjukersättning);
- test certificates (``test: true``) are left out: the national format has no
  such flag, and they enter no case in JSON Lines either.

The messages carry no names (as Webcert's do not); the people's names go to
a population register file beside the zip (``patients.names``), from which
``rehabkoll patients names`` fills them, as PU-tjänsten would.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO

from rehabkoll.cases.engine import DEFAULT_GAP
from rehabkoll.certificates.schema import Certificate, Revocation, parse_line
from rehabkoll.exchange import writing
from rehabkoll.patients.names import register_line


def jsonl_to_rivta(
    lines: Iterable[str],
    target: Path,
    *,
    gap: int = DEFAULT_GAP,
    register: IO[str] | None = None,
) -> int:
    """Write the messages of these JSON Lines into the zip ``target`` (and each
    person's name, once, to ``register``); returns how many messages were written."""
    written = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in region_messages(lines, gap=gap, register=register):
            archive.writestr(name, data)
            written += 1
    return written


def region_messages(
    lines: Iterable[str], *, gap: int = DEFAULT_GAP, register: IO[str] | None = None
) -> Iterator[tuple[str, bytes]]:
    """(file name, XML) of each message of these JSON Lines, in order, as they
    go into the zip; each person's name goes, once, to ``register``."""
    known: dict[str, Certificate] = {}
    last_end: dict[tuple[str, str], tuple[date, str]] = {}
    """Per patient and unit: the latest end so far and its certificate."""
    patients_seen: set[str] = set()
    replacements = 0
    written = 0

    def put(kind: str, data: bytes) -> tuple[str, bytes]:
        nonlocal written
        written += 1
        return f"{written:09d}-{kind}.xml", data

    for line in lines:
        if not line.strip():
            continue
        document = parse_line(line)
        if isinstance(document, Revocation):
            cert = known.get(document.revokes)
            if cert is not None:
                yield put(
                    "RevokeCertificate", writing.revoke_certificate(cert, document.revoked_at)
                )
            continue
        if document.test:
            continue
        known[document.id] = document
        relation: tuple[str, str] | None = None
        if document.replaces and document.replaces in known:
            replacements += 1
            if replacements % 3 == 0:
                earlier = known[document.replaces]
                yield put("SendMessageToCare", _request(earlier, document.signed_at))
                relation = ("KOMPLT", document.replaces)
            else:
                relation = ("ERSATT", document.replaces)
        key = (document.patient.id, document.unit.id)
        previous = last_end.get(key)
        if (
            relation is None
            and previous is not None
            and timedelta(0) < document.start - previous[0] <= timedelta(days=gap + 1)
        ):
            relation = ("FRLANG", previous[1])
        if previous is None or document.end >= previous[0]:
            last_end[key] = (document.end, document.id)
        yield put("RegisterCertificate", writing.register_certificate(document, relation=relation))
        if document.patient.id not in patients_seen:
            patients_seen.add(document.patient.id)
            if register is not None:
                register.write(register_line(document.patient.id, document.patient.name))
                register.write("\n")
            count = len(patients_seen)
            if count % 40 == 0:
                yield put("RegisterCertificate", _infection_carrier(document))
            if count % 60 == 0:
                yield put("RegisterCertificate", _statement(document))


def _request(earlier: Certificate, before: datetime) -> bytes:
    sent = max(earlier.signed_at, before - timedelta(days=3))
    return writing.send_message_to_care(
        message_id=f"fk-{earlier.id}",
        cert=earlier,
        subject="KOMPLT",
        sent_at=sent,
        deadline=sent.date() + timedelta(days=14),
        questions=["32"],
    )


def _infection_carrier(cert: Certificate) -> bytes:
    carrier = cert.model_copy(update={"id": f"smitt-{cert.id}", "replaces": None})
    return writing.register_certificate(carrier, infection_carrier=True)


def _statement(cert: Certificate) -> bytes:
    statement = cert.model_copy(update={"id": f"luse-{cert.id}", "replaces": None})
    return writing.register_certificate(statement, form="LUSE", version="1.0")


def register_path(target: Path) -> Path:
    """Where the population register of the zip ``target`` goes: beside it."""
    return target.with_name(target.stem + "-population-register.jsonl")


def write_rivta_zip(jsonl: Path, target: Path, *, keep_jsonl: bool = False) -> int:
    """Convert the JSON Lines file ``jsonl`` (then removed, unless kept) into the
    zip ``target`` and its population register (``register_path``)."""
    try:
        with (
            jsonl.open(encoding="utf-8") as lines,
            register_path(target).open("w", encoding="utf-8") as register,
        ):
            return jsonl_to_rivta(lines, target, register=register)
    finally:
        if not keep_jsonl:
            jsonl.unlink(missing_ok=True)
