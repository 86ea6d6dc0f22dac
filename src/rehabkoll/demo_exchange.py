"""The demo in the national exchange format (issue 15).

The region comes in as RIVTA XML (``import_region``): ``synth``'s region is
written as RegisterCertificate / RevokeCertificate / SendMessageToCare
messages, as ``synth --format rivta`` writes them, and imported through the
function the SOAP endpoints store with (``exchange.service.receive``: the
XSD, the rules, the archive), in chunks as ``rehabkoll import`` does (one
message per transaction, as over HTTP, would take minutes). RIVTA messages
carry no names, so the patients' names are then filled from the synthetic
population register written beside the zip (``rehabkoll patients names``),
as PU-tjänsten would give them.

Then Försäkringskassan's open messages and statements are posted through the
SOAP endpoints' own function (``web.rivta.receive``: the same answer as over
HTTP), so the demo shows Ärenden and Läkarutlåtanden (every request for
completion in the region is answered at once by its completion, so the region
alone leaves no open Ärenden). What is posted, for the unit of the demo:

- every 7th ongoing case: Försäkringskassan's request for completion
  (KOMPLT) of the case's latest certificate, every other one overdue;
- every 11th: an administrative question (KONTKT or OVRIGT), without deadline;
- every 9th: a statement (LUSE, LUAE_NA or LUAE_FS) by the case's doctor,
  signed when the latest certificate was.

Message ids are fixed (``demo-…`` from the certificate), so a second run
changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from rehabkoll.cases.engine import CaseRow
from rehabkoll.certificates.schema import Certificate, parse_line
from rehabkoll.exchange import writing

FORMS = ("LUSE", "LUAE_NA", "LUAE_FS")
SENDER = "demo-integration"


@dataclass(frozen=True)
class Posted:
    stored: int = 0
    unchanged: int = 0
    refused: int = 0


def latest_certificates(source: Path, ids: Iterable[str]) -> dict[str, Certificate]:
    """These certificates, read from the region's JSON Lines."""
    wanted = set(ids)
    found: dict[str, Certificate] = {}
    with source.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip() or json.loads(line).get("id") not in wanted:
                continue
            document = parse_line(line)
            if isinstance(document, Certificate):
                found[document.id] = document
    return found


def messages(
    rows: Sequence[CaseRow], certs: dict[str, Certificate], today: date
) -> list[tuple[str, bytes]]:
    """(interaction, XML) of the demo's messages, in the order they are posted."""
    out: list[tuple[str, bytes]] = []
    for n, row in enumerate(sorted(rows, key=lambda r: r.patient_id), start=1):
        cert = certs.get(row.lead_certificate_id)
        if cert is None:
            continue
        sent = max(
            cert.signed_at, datetime.combine(today, datetime.min.time()) - timedelta(days=10)
        )
        if n % 9 == 0:
            statement = cert.model_copy(update={"id": f"demo-utl-{cert.id}", "replaces": None})
            form = FORMS[(n // 9) % len(FORMS)]
            out.append(
                (
                    "RegisterCertificate",
                    writing.register_certificate(statement, form=form, version="1.0"),
                )
            )
        if n % 7 == 0:
            overdue = (n // 7) % 2 == 1
            out.append(
                (
                    "SendMessageToCare",
                    writing.send_message_to_care(
                        message_id=f"demo-komplt-{cert.id}",
                        cert=cert,
                        subject="KOMPLT",
                        sent_at=sent,
                        deadline=today + timedelta(days=-2 if overdue else 12),
                        questions=["32"],
                    ),
                )
            )
        if n % 11 == 0:
            subject = "KONTKT" if (n // 11) % 2 else "OVRIGT"
            out.append(
                (
                    "SendMessageToCare",
                    writing.send_message_to_care(
                        message_id=f"demo-fraga-{cert.id}",
                        cert=cert,
                        subject=subject,
                        sent_at=sent,
                        text="Kan ni ringa handläggaren om den planerade återgången i arbete?",
                    ),
                )
            )
    return out


def post(engine: Engine, items: Sequence[tuple[str, bytes]]) -> Posted:
    """Each message through the SOAP endpoints' own function, as a SOAP 1.1 envelope."""
    from sqlalchemy.orm import sessionmaker

    from rehabkoll.web.rivta import receive

    sessions = sessionmaker(engine)
    counts = {"OK": 0, "INFO": 0, "ERROR": 0}
    for interaction, body in items:
        answer = receive(sessions, writing.soap_envelope(body), interaction, SENDER)
        counts[answer.code] = counts.get(answer.code, 0) + 1
    return Posted(stored=counts["OK"], unchanged=counts["INFO"], refused=counts["ERROR"])


@dataclass(frozen=True)
class RegionImport:
    messages: int
    stored: int
    unchanged: int
    ignored: int
    rejected: int
    names: int


def import_region(
    engine: Engine, source: Path, progress: Callable[[int], None] | None = None
) -> RegionImport:
    """The region of the JSON Lines ``source`` as RIVTA XML, as ``synth
    --format rivta`` writes it (streamed, without the zip), imported through
    ``exchange.service.receive`` in chunks; then the names filled from the
    population register written beside ``source``. ``progress(n)`` gets the
    bytes of XML stored so far."""
    from rehabkoll.db.session import session_scope
    from rehabkoll.exchange import importing
    from rehabkoll.exchange.synthetic import region_messages, register_path
    from rehabkoll.patients.names import fill_names

    register = register_path(source.with_name("region-rivta.zip"))
    done = 0

    def advance(consumed: int) -> None:
        nonlocal done
        done += consumed
        if progress is not None:
            progress(done)

    with source.open(encoding="utf-8") as lines, register.open("w", encoding="utf-8") as names:
        messages = region_messages(lines, register=names)
        _, result, _ = importing.import_messages(
            engine, messages, f"synthetic region {source.name} as RIVTA XML", progress=advance
        )
    with register.open(encoding="utf-8") as names, session_scope(engine) as session:
        filled = fill_names(session, enumerate(names, start=1))
    return RegionImport(
        messages=len(result.results),
        stored=result.count("stored"),
        unchanged=result.count("unchanged"),
        ignored=result.count("ignored"),
        rejected=result.count("rejected"),
        names=filled.updated,
    )
