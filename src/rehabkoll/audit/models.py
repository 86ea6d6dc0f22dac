"""The access log (åtkomstlogg, PDL): one entry per access (a page, an API
call, a command). The patients an access read are a *patient list*
(``access_log_lists``, its patients in ``access_log_patients``), stored once
and named by every entry that read the same patients: a work list of 1,500
patients read again and again writes one small entry each time, not 1,500
rows, and the entry's hash covers the list's patients."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
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
    RISK_TRAIN = "risk_train"
    RISK_EVALUATE = "risk_evaluate"

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
    Action.RISK_TRAIN: "Riskmodell tränad",
    Action.RISK_EVALUATE: "Riskmodell utvärderad",
}


class AccessLog(Base):
    """One access to patients' data (its ``patient_list_id``) or, for
    ``log_event``, to none. Append-only: the migrations install
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
    action: Mapped[str] = mapped_column(String(40))
    #: The patients read (None: no patient); see ``AccessLogList``. No foreign
    #: key (SQLite could not drop the column again on a downgrade): ``audit
    #: verify`` names an entry whose list does not exist.
    patient_list_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), nullable=True
    )
    purpose: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    #: SHA-256 over the entry, its patients and the previous entry's hash
    #: (``rehabkoll.audit.chain``).
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        Index("ix_access_log_username_at", "username", "at"),
        Index("ix_access_log_patient_list_id_at", "patient_list_id", "at"),
        Index("ix_access_log_unit_at", "unit_id", "at"),
        Index("ix_access_log_at", "at"),
    )


class AccessLogList(Base):
    """A list of patients read by one or more accesses, stored once: ``digest``
    is the SHA-256 of its patients as the chain hashes them
    (``rehabkoll.audit.chain.list_digest``), the key by which a later access
    of the same patients finds it; ``patients`` is how many. Append-only
    (triggers, migration 0015)."""

    __tablename__ = "access_log_lists"
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    patients: Mapped[int] = mapped_column(Integer)


class AccessLogPatient(Base):
    """A patient of a patient list. A search by patient goes through the index
    on (patient_id, list_id) to the lists, then to their entries."""

    __tablename__ = "access_log_patients"
    list_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("access_log_lists.id"),
        primary_key=True,
    )
    patient_id: Mapped[str] = mapped_column(String(13), primary_key=True)

    __table_args__ = (
        Index("ix_access_log_patients_patient_id_list_id", "patient_id", "list_id"),
        {"sqlite_with_rowid": False},
    )


class AccessLogChain(Base):
    """The head of the access log's hash chain: one row (id 1) with the newest
    entry's hash and the number of entries. Every append locks this row first,
    so concurrent writers extend one chain, one after the other."""

    __tablename__ = "access_log_chain"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
