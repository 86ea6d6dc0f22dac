"""Storing received messages: certificates through the certificate service
(the same rules for replaced, revoked and test certificates as JSON Lines),
revocations, messages to care, statements, and the archive of every message.

``receive`` works inside the session it is given and never commits: a chunk
of messages, their archive rows and the batch's counters are stored together
or not at all. The edges (the import command, the SOAP endpoints) commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from rehabkoll.certificates import models as cert_models
from rehabkoll.certificates import service as certificates
from rehabkoll.certificates.reading import PreparedCertificate
from rehabkoll.certificates.service import LineError
from rehabkoll.exchange import lisjp, messages, models
from rehabkoll.exchange.errors import (
    ApplicationError,
    ExchangeError,
    ForeignCareProviderError,
    RuleError,
    UnsupportedCertificateError,
)
from rehabkoll.exchange.reader import (  # re-exported: the reading side, without the database
    Item,
    Raw,
    allowed_providers,
    check_provider,
    read_item,
    read_one,
)

Outcome = Literal["stored", "unchanged", "rejected", "ignored"]
__all__ = [
    "Item",
    "MessageResult",
    "Raw",
    "ReceiveResult",
    "allowed_providers",
    "check_provider",
    "read_item",
    "read_one",
    "receive",
]


@dataclass(frozen=True, slots=True)
class MessageResult:
    """What came of one message; ``error`` is set when it was not stored."""

    number: int
    outcome: Outcome
    document_id: str = ""
    error: ExchangeError | None = None


@dataclass
class ReceiveResult:
    results: list[MessageResult] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def errors(self) -> list[LineError]:
        return [
            LineError(r.number, r.error.field, r.error.reason)
            for r in self.results
            if r.outcome == "rejected" and r.error is not None
        ]


def receive(
    session: Session,
    batch: cert_models.ImportBatch,
    items: Sequence[Item],
    *,
    sender: str,
    received_at: datetime | None = None,
) -> ReceiveResult:
    """Store one chunk of read messages in order, archive them, and count them
    on the batch. ``items`` are (number, the raw message, what ``read_one`` made
    of it), as ``read_item`` makes them."""
    now = received_at or datetime.now()
    result = ReceiveResult()
    pending: list[tuple[int, messages.Received]] = []
    for number, _raw, item in items:
        if isinstance(item, ExchangeError):
            outcome: Outcome = (
                "ignored" if isinstance(item, UnsupportedCertificateError) else ("rejected")
            )
            result.results.append(MessageResult(number, outcome, "", item))
            continue
        if isinstance(item.content, lisjp.Lisjp):
            pending.append((number, item))
            continue
        result.results.extend(_store_certificates(session, batch, pending))
        pending = []
        result.results.append(_apply(session, number, item))
    result.results.extend(_store_certificates(session, batch, pending))
    result.results.sort(key=lambda r: r.number)
    _archive(session, items, result, sender, now)
    errors = result.errors
    if errors:
        session.execute(
            insert(cert_models.Rejection),
            [
                {"batch_id": batch.id, "line": e.line, "field": e.field, "reason": e.reason}
                for e in errors
            ],
        )
    batch.lines += len(items)
    batch.stored += result.count("stored")
    batch.unchanged += result.count("unchanged") + result.count("ignored")
    batch.rejected += result.count("rejected")
    session.flush()
    return result


def _store_certificates(
    session: Session, batch: cert_models.ImportBatch, items: list[tuple[int, messages.Received]]
) -> list[MessageResult]:
    if not items:
        return []
    found: list[lisjp.Lisjp] = []
    for _, received in items:
        assert isinstance(received.content, lisjp.Lisjp)
        found.append(received.content)
    prepared: list[tuple[int, PreparedCertificate]] = [
        (number, content.certificate) for (number, _), content in zip(items, found, strict=True)
    ]
    ids = [c.certificate.id for c in found]
    before = set(
        session.scalars(
            select(cert_models.Certificate.id).where(cert_models.Certificate.id.in_(ids))
        )
    )
    ingested = certificates.ingest_prepared(session, batch.id, prepared)
    rejected = {e.line: e for e in ingested.errors}
    fresh = [
        c
        for (number, _), c in zip(items, found, strict=True)
        if number not in rejected and c.certificate.id not in before
    ]
    if fresh:
        session.execute(
            insert(certificates.table(models.CertificateOrigin)),
            [
                {
                    "certificate_id": c.certificate.id,
                    "form": lisjp.FORM,
                    "version": c.version,
                    "relation": c.relation,
                    "related_id": c.related_id,
                    "infection_carrier": c.infection_carrier,
                }
                for c in fresh
            ],
        )
        _mark_completions(session, [c for c in fresh if c.relation == "KOMPLT"])
    results = []
    fresh_ids = {c.certificate.id for c in fresh}
    for (number, received), content in zip(items, found, strict=True):
        if number in rejected:
            error = rejected[number]
            results.append(
                MessageResult(
                    number, "rejected", received.document_id, RuleError(error.field, error.reason)
                )
            )
        elif content.certificate.id in fresh_ids:
            fresh_ids.discard(content.certificate.id)
            results.append(MessageResult(number, "stored", received.document_id))
        else:
            results.append(MessageResult(number, "unchanged", received.document_id))
    return results


def _mark_completions(session: Session, completions: list[lisjp.Lisjp]) -> None:
    """A request for completion is answered by a certificate with relation KOMPLT
    to the certificate it asked about."""
    for cert in completions:
        session.execute(
            update(models.CareMessage)
            .where(
                models.CareMessage.certificate_id == cert.related_id,
                models.CareMessage.subject == "KOMPLT",
                models.CareMessage.answered_by.is_(None),
            )
            .values(answered_by=cert.certificate.id)
        )


def _apply(session: Session, number: int, received: messages.Received) -> MessageResult:
    content = received.content
    try:
        if isinstance(content, messages.RevocationIn):
            outcome = _revoke(session, content)
        elif isinstance(content, messages.StatementIn):
            outcome = _store_statement(session, content)
        else:
            assert isinstance(content, messages.CareMessageIn)
            outcome = _store_care_message(session, content)
    except ExchangeError as err:
        return MessageResult(number, "rejected", received.document_id, err)
    return MessageResult(number, outcome, received.document_id)


def _revoke(session: Session, revocation: messages.RevocationIn) -> Outcome:
    stored = session.get(cert_models.Certificate, revocation.certificate_id)
    statement = (
        None if stored is not None else session.get(models.Statement, revocation.certificate_id)
    )
    target = stored or statement
    if target is None or target.patient_id != revocation.patient_id:
        raise ApplicationError(
            "intygs-id", "no certificate with this id is stored for this patient (yet)"
        )
    if target.revoked_at is not None:
        return "unchanged"
    target.revoked_at = revocation.revoked_at
    session.flush()
    if stored is not None:
        certificates.refresh_effective(
            session, {stored.id} | ({stored.replaces} if stored.replaces else set())
        )
    return "stored"


def _store_statement(session: Session, statement: messages.StatementIn) -> Outcome:
    known = session.get(models.Statement, statement.id)
    if known is not None:
        if known.content_hash == statement.content_hash:
            return "unchanged"
        raise RuleError("intygs-id", "a different statement with this id is stored")
    certificates.store_parties(session, [statement])
    session.add(
        models.Statement(
            id=statement.id,
            content_hash=statement.content_hash,
            form=statement.form,
            version=statement.version,
            signed_at=statement.signed_at,
            patient_id=statement.patient_id,
            doctor_id=statement.doctor_id,
            unit_id=statement.unit_id,
            care_provider_id=statement.care_provider_id,
            diagnosis=statement.diagnosis,
            secondary_diagnoses=list(statement.secondary_diagnoses),
        )
    )
    session.flush()
    return "stored"


def _store_care_message(session: Session, message: messages.CareMessageIn) -> Outcome:
    known = session.get(models.CareMessage, message.id)
    if known is not None:
        if known.content_hash == message.content_hash:
            return "unchanged"
        raise RuleError("meddelande-id", "a different message with this id is stored")
    cert = session.get(cert_models.Certificate, message.certificate_id)
    statement = None if cert is not None else session.get(models.Statement, message.certificate_id)
    target = cert or statement
    if target is None or target.patient_id != message.patient_id:
        raise ApplicationError(
            "intygs-id", "no certificate with this id is stored for this patient (yet)"
        )
    allowed = allowed_providers()
    if allowed and target.care_provider_id not in allowed:
        raise ForeignCareProviderError(
            "intygs-id",
            "the certificate belongs to a care provider this installation does not receive "
            "messages for (REHABKOLL_RIVTA_CARE_PROVIDERS)",
        )
    answered_by = None
    if message.subject == "KOMPLT":
        answered_by = session.scalar(
            select(models.CertificateOrigin.certificate_id)
            .where(
                models.CertificateOrigin.related_id == message.certificate_id,
                models.CertificateOrigin.relation == "KOMPLT",
            )
            .limit(1)
        )
    session.add(
        models.CareMessage(
            id=message.id,
            content_hash=message.content_hash,
            certificate_id=message.certificate_id,
            patient_id=message.patient_id,
            unit_id=target.unit_id,
            subject=message.subject,
            heading=message.heading,
            text=message.text,
            sent_at=message.sent_at,
            deadline=message.deadline,
            questions=list(message.questions),
            reminds=message.reminds,
            answered_by=answered_by,
        )
    )
    session.flush()
    return "stored"


def _archive(
    session: Session,
    items: Sequence[Item],
    result: ReceiveResult,
    sender: str,
    now: datetime,
) -> None:
    """Keep every message as received (gzip), once per distinct content; not
    the hostile ones, those for another care provider, and types rehabkoll
    does not receive."""
    by_number = {r.number: r for r in result.results}
    rows: dict[str, dict[str, object]] = {}
    for number, raw, item in items:
        digest = raw.sha256
        outcome = by_number[number]
        error = outcome.error
        if digest in rows or (error is not None and not error.archived):
            continue
        rows[digest] = {
            "sha256": digest,
            "interaction": item.interaction if isinstance(item, messages.Received) else "",
            "received_at": now,
            "sender": sender[:200],
            "document_id": outcome.document_id or None,
            "outcome": outcome.outcome,
            "detail": str(error) if error is not None else "",
            "xml_gzip": raw.gzip,
        }
    if not rows:
        return
    known = set(
        session.scalars(
            select(models.ArchivedMessage.sha256).where(
                models.ArchivedMessage.sha256.in_(list(rows))
            )
        )
    )
    new = [row for digest, row in rows.items() if digest not in known]
    if new:
        session.execute(insert(certificates.table(models.ArchivedMessage)), new)
