"""Ärenden: Försäkringskassan's unanswered questions and requests for
completion per patient, as the work list, the patient page and the API count
them. A message is open until it is answered (a request for completion, by a
certificate with relation KOMPLT to the certificate it asked about) or marked
handled in rehabkoll; a reminder (PAMINN) is not counted on its own."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabkoll.db.listed import listed
from rehabkoll.exchange.models import CareMessage

COMPLETION = "KOMPLT"
QUESTIONS = ("AVSTMN", "KONTKT", "OVRIGT")
SUBJECT_LABELS = {
    "KOMPLT": "Komplettering",
    "AVSTMN": "Avstämningsmöte",
    "KONTKT": "Kontakt",
    "OVRIGT": "Övrigt",
    "PAMINN": "Påminnelse",
}


@dataclass(frozen=True, slots=True)
class MatterCounts:
    """A patient's open matters: requests for completion and administrative
    questions, and the earliest passed deadline among them (overdue)."""

    completions: int = 0
    questions: int = 0
    overdue_since: date | None = None
    overdue_completion_since: date | None = None

    @property
    def total(self) -> int:
        return self.completions + self.questions

    def text(self) -> str:
        """``Komplettering (2) · Administrativ fråga (1)``; empty when none."""
        parts = []
        if self.completions:
            parts.append(f"Komplettering ({self.completions})")
        if self.questions:
            parts.append(f"Administrativ fråga ({self.questions})")
        return " · ".join(parts)


NO_MATTERS = MatterCounts()


@dataclass(frozen=True, slots=True)
class OpenMessage:
    patient_id: str
    subject: str
    deadline: date | None


def count(messages: Iterable[OpenMessage], *, as_of: date) -> dict[str, MatterCounts]:
    """The counts per patient of these open messages (a pure rule)."""
    found: dict[str, MatterCounts] = {}
    for message in messages:
        if message.subject != COMPLETION and message.subject not in QUESTIONS:
            continue
        now = found.get(message.patient_id, NO_MATTERS)
        late = message.deadline if message.deadline and message.deadline < as_of else None
        completion = message.subject == COMPLETION
        found[message.patient_id] = MatterCounts(
            completions=now.completions + completion,
            questions=now.questions + (not completion),
            overdue_since=_earliest(now.overdue_since, late),
            overdue_completion_since=(
                _earliest(now.overdue_completion_since, late)
                if completion
                else now.overdue_completion_since
            ),
        )
    return found


def _earliest(a: date | None, b: date | None) -> date | None:
    return min((d for d in (a, b) if d is not None), default=None)


def open_counts(
    session: Session, *, unit_id: str, patient_ids: Collection[str], as_of: date
) -> dict[str, MatterCounts]:
    """Open matters at the unit for these patients (one query per 500 patients)."""
    ids = sorted(set(patient_ids))
    found: list[OpenMessage] = []
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(CareMessage.patient_id, CareMessage.subject, CareMessage.deadline).where(
                CareMessage.unit_id == unit_id,
                listed(session, CareMessage.patient_id, ids[start : start + 500]),
                CareMessage.answered_by.is_(None),
                CareMessage.handled_at.is_(None),
                CareMessage.sent_at <= datetime.combine(as_of, datetime.max.time()),
            )
        )
        found.extend(OpenMessage(p, s, d) for p, s, d in rows)
    return count(found, as_of=as_of)


def mark_handled(
    session: Session,
    *,
    message_id: str,
    patient_id: str,
    unit_ids: Collection[str],
    username: str,
    at: datetime | None = None,
) -> CareMessage | None:
    """Mark a message about this patient at one of these units handled; None
    if there is no such message. Marking it again changes nothing."""
    message = session.get(CareMessage, message_id)
    if message is None or message.patient_id != patient_id or message.unit_id not in unit_ids:
        return None
    if message.handled_at is None:
        message.handled_at = at or datetime.now().replace(microsecond=0)
        message.handled_by = username[:100]
        session.flush()
    return message


def for_patient(session: Session, *, unit_id: str, patient_id: str) -> list[CareMessage]:
    """The patient's messages at the unit, newest first."""
    return list(
        session.scalars(
            select(CareMessage)
            .where(CareMessage.unit_id == unit_id, CareMessage.patient_id == patient_id)
            .order_by(CareMessage.sent_at.desc(), CareMessage.id)
        )
    )


def by_certificate(messages: Sequence[CareMessage]) -> list[tuple[str, list[CareMessage]]]:
    """The messages grouped per certificate they concern: the group with the
    newest message first, each group's messages newest first (ties by id)."""
    groups: dict[str, list[CareMessage]] = {}
    for message in sorted(messages, key=lambda m: m.id):
        groups.setdefault(message.certificate_id, []).append(message)
    for group in groups.values():
        group.sort(key=lambda m: m.sent_at, reverse=True)  # stable: ids ascending on ties
    ordered = sorted(groups.items())  # ties by certificate id
    ordered.sort(key=lambda g: g[1][0].sent_at, reverse=True)  # stable
    return ordered
