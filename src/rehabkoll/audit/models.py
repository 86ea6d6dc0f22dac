"""The access log (åtkomstlogg, PDL): one row per patient per access."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rehabkoll.db.base import Base


class Action(StrEnum):
    """What was done with the patient's data."""

    WORKLIST_VIEW = "worklist_view"
    PATIENT_VIEW = "patient_view"
    EXPORT = "export"
    PRINT = "print"
    COORDINATION_CREATE = "coordination_create"
    COORDINATION_UPDATE = "coordination_update"
    OTHER_UNIT_VIEW = "other_unit_view"
    API_WORKLIST = "api_worklist"
    API_PATIENT = "api_patient"
    AGREEMENT_CHANGE = "agreement_change"
    AGREEMENT_VIEW = "agreement_view"
    MATTER_HANDLED = "matter_handled"
    STATEMENTS_VIEW = "statements_view"
    RISK_OPINION = "risk_opinion"
    API_RISK_SCORE = "api_risk_score"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    Action.WORKLIST_VIEW: "Arbetslista visad",
    Action.PATIENT_VIEW: "Patient visad",
    Action.EXPORT: "Export",
    Action.PRINT: "Utskrift",
    Action.COORDINATION_CREATE: "Koordinering registrerad",
    Action.COORDINATION_UPDATE: "Koordinering ändrad",
    Action.OTHER_UNIT_VIEW: "Annan enhets intyg visade",
    Action.API_WORKLIST: "Arbetslista via API",
    Action.API_PATIENT: "Patient via API",
    Action.AGREEMENT_CHANGE: "Överenskommelse ändrad",
    Action.AGREEMENT_VIEW: "Överenskommelse visad",
    Action.MATTER_HANDLED: "Ärende markerat hanterat",
    Action.STATEMENTS_VIEW: "Läkarutlåtanden visade",
    Action.RISK_OPINION: "Läkarens bedömning av risk",
    Action.API_RISK_SCORE: "Riskberäkning via API (ingen patient)",
}


class AccessLog(Base):
    """One access to one patient's data. Append-only: the migrations install
    triggers that refuse UPDATE and DELETE (and, on SQLite, an INSERT that
    would replace an existing id), and the application has no function that
    changes or removes a row. Tamper-evident: ``hash`` chains each entry to
    the one before (``rehabkoll.audit.chain``). ``username`` and ``role`` are copied so that
    the entry stays readable whatever later happens to the account."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    patient_id: Mapped[str | None] = mapped_column(String(13), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    #: SHA-256 over the entry and the previous entry's hash (``rehabkoll.audit.chain``).
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        Index("ix_access_log_patient_at", "patient_id", "at"),
        Index("ix_access_log_username_at", "username", "at"),
        Index("ix_access_log_unit_at", "unit_id", "at"),
        Index("ix_access_log_at", "at"),
    )


class AccessLogChain(Base):
    """The head of the access log's hash chain: one row (id 1) with the newest
    entry's hash and the number of entries. Every append locks this row first,
    so concurrent writers extend one chain, one after the other."""

    __tablename__ = "access_log_chain"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
