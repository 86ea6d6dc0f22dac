"""Tables of the coordination record (koordineringsinsatser) per patient and unit.

Nothing is overwritten silently: the record's status is versioned and each
change is kept in ``coordination_status_changes``; consents, contacts,
meetings, plans, referrals and tasks are rows that are added, never edited
(a revised plan is a new plan row; the newest of each kind is the current
one). The two changes that do touch a row, withdrawing a consent and ticking a
task done, record who and when.

Corrections (``coordination/corrections.py``): an entry may be corrected in
place or withdrawn (``retracted_*``, "Återkallad"), but only after the values
it had are copied into ``coordination_entry_versions``, so the original stays
in the record's history.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rehabkoll.coordination.enums import MeetingKind, Party, PlanKind, ReferralKind, Status, Way
from rehabkoll.db.base import Base

USERNAME = String(100)


def _enum(cls: type[StrEnum]) -> Enum:
    """An enum stored as its value in a plain VARCHAR (no database enum type)."""
    return Enum(cls, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])


def _record_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("coordination_records.id", ondelete="CASCADE"), index=True)


class CoordinationRecord(Base):
    """The coordination record of one patient at one unit. ``version`` grows by
    one with every change of status or plan (optimistic locking)."""

    __tablename__ = "coordination_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    unit_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[Status | None] = mapped_column(_enum(Status), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(USERNAME)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(USERNAME)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("patient_id", "unit_id"),
        Index("ix_coordination_records_unit_patient", "unit_id", "patient_id"),
    )


class StatusChange(Base):
    """One change of a record's status, kept for good."""

    __tablename__ = "coordination_status_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = _record_fk()
    status: Mapped[Status] = mapped_column(_enum(Status))
    version: Mapped[int] = mapped_column(Integer)
    changed_by: Mapped[str] = mapped_column(USERNAME)
    changed_at: Mapped[datetime] = mapped_column(DateTime)


class Retractable:
    """An entry that may be withdrawn (återkallad) as written in error: it stays
    in the record, marked, with who, when and why, and no longer counts."""

    retracted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, default=None)
    retracted_by: Mapped[str | None] = mapped_column(USERNAME, nullable=True, default=None)
    retract_reason: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)


class EntryVersion(Base):
    """An earlier version of an entry, kept when the entry was corrected or
    withdrawn: its values before the change (JSON), who changed it, when, why."""

    __tablename__ = "coordination_entry_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = _record_fk()
    entry_kind: Mapped[str] = mapped_column(String(20))
    entry_id: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(20))  # "corrected" or "retracted"
    values: Mapped[dict[str, object]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str] = mapped_column(USERNAME)
    changed_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_coordination_entry_versions_entry", "entry_kind", "entry_id"),)


class Consent(Retractable, Base):
    """Samtycke: the patient's consent to contacts with the listed parties on the
    days from ``valid_from`` to ``valid_to`` (open-ended when None), until
    withdrawn (it then covers the days before ``withdrawn_on``)."""

    __tablename__ = "coordination_consents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = _record_fk()
    parties: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(USERNAME)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    withdrawn_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(USERNAME, nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    def covers(self, party: Party | str, day: date) -> bool:
        """Whether the consent allows a contact with ``party`` on ``day``."""
        return (
            str(party) in self.parties
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
            and (self.withdrawn_on is None or day < self.withdrawn_on)
            and self.retracted_at is None
        )


class Contact(Retractable, Base):
    """A contact (kontakt) with the patient or another party."""

    __tablename__ = "coordination_contacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = _record_fk()
    day: Mapped[date] = mapped_column(Date)
    party: Mapped[Party] = mapped_column(_enum(Party))
    way: Mapped[Way] = mapped_column(_enum(Way))
    summary: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(USERNAME)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class Meeting(Retractable, Base):
    """Avstämningsmöte, trepartssamtal or teammöte."""

    __tablename__ = "coordination_meetings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = _record_fk()
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind))
    day: Mapped[date] = mapped_column(Date)
    participants: Mapped[list[str]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(USERNAME)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class Plan(Retractable, Base):
    """A version of the rehabilitation plan or of the plan for closing (plan för avslut)."""

    __tablename__ = "coordination_plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = _record_fk()
    kind: Mapped[PlanKind] = mapped_column(_enum(PlanKind))
    text: Mapped[str] = mapped_column(Text, default="")
    planned_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    responsible: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[str] = mapped_column(USERNAME)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class Referral(Retractable, Base):
    """A referral or measure (remiss): multimodal rehabilitation, CBT, physiotherapy,
    occupational health service."""

    __tablename__ = "coordination_referrals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = _record_fk()
    kind: Mapped[ReferralKind] = mapped_column(_enum(ReferralKind))
    day: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(USERNAME)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class Task(Retractable, Base):
    """A to-do (uppgift) on a record, assigned to a user by username."""

    __tablename__ = "coordination_tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = _record_fk()
    title: Mapped[str] = mapped_column(String(500))
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    assignee: Mapped[str] = mapped_column(USERNAME, index=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_by: Mapped[str | None] = mapped_column(USERNAME, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_by: Mapped[str] = mapped_column(USERNAME)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    record: Mapped[CoordinationRecord] = relationship(lazy="joined")

    @property
    def patient_id(self) -> str:
        return self.record.patient_id

    @property
    def unit_id(self) -> str:
        return self.record.unit_id
