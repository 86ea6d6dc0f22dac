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
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from rehabkoll.cases.engine import DEFAULT_GAP
from rehabkoll.certificates.schema import Certificate, Revocation, parse_line
from rehabkoll.exchange import writing


def jsonl_to_rivta(lines: Iterable[str], target: Path, *, gap: int = DEFAULT_GAP) -> int:
    """Write the messages of these JSON Lines into the zip ``target``; returns
    how many messages were written."""
    known: dict[str, Certificate] = {}
    last_end: dict[tuple[str, str], tuple[date, str]] = {}
    """Per patient and unit: the latest end so far and its certificate."""
    patients_seen: set[str] = set()
    replacements = 0
    written = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def put(kind: str, data: bytes) -> None:
            nonlocal written
            written += 1
            archive.writestr(f"{written:09d}-{kind}.xml", data)

        for line in lines:
            if not line.strip():
                continue
            document = parse_line(line)
            if isinstance(document, Revocation):
                cert = known.get(document.revokes)
                if cert is not None:
                    put("RevokeCertificate", writing.revoke_certificate(cert, document.revoked_at))
                continue
            if document.test:
                continue
            known[document.id] = document
            relation: tuple[str, str] | None = None
            if document.replaces and document.replaces in known:
                replacements += 1
                if replacements % 3 == 0:
                    earlier = known[document.replaces]
                    put("SendMessageToCare", _request(earlier, document.signed_at))
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
            put("RegisterCertificate", writing.register_certificate(document, relation=relation))
            if document.patient.id not in patients_seen:
                patients_seen.add(document.patient.id)
                count = len(patients_seen)
                if count % 40 == 0:
                    put("RegisterCertificate", _infection_carrier(document))
                if count % 60 == 0:
                    put("RegisterCertificate", _statement(document))
    return written


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


def write_rivta_zip(jsonl: Path, target: Path) -> int:
    """Convert the JSON Lines file ``jsonl`` (then removed) into the zip ``target``."""
    try:
        with jsonl.open(encoding="utf-8") as lines:
            return jsonl_to_rivta(lines, target)
    finally:
        jsonl.unlink(missing_ok=True)
