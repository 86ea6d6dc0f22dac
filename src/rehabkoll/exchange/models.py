"""Tables of the exchange: the archive of every message received, what a RIVTA
certificate adds to the stored certificate, Försäkringskassan's messages to
care (SendMessageToCare), and the doctors' statements (läkarutlåtanden)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from rehabkoll.certificates.models import CodeList
from rehabkoll.db.base import Base


class ArchivedMessage(Base):
    """A message as received: the raw XML (gzip), when, from whom, and what came of it.

    A message received again byte for byte is archived once (``sha256`` is unique).
    """

    __tablename__ = "exchange_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    interaction: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(DateTime)
    sender: Mapped[str] = mapped_column(String(200))
    """Who delivered it: ``import:<file>`` or ``soap:<user name>``."""
    document_id: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    """stored, unchanged, rejected or ignored (a type rehabkoll does not keep)."""
    detail: Mapped[str] = mapped_column(Text, default="")
    xml_gzip: Mapped[bytes] = mapped_column(LargeBinary)


class CertificateOrigin(Base):
    """What a RIVTA certificate adds to ``certificates``: its type and version,
    its relation to an earlier certificate, and smittbärarpenning (stored as a
    test certificate, so that it never enters cases or statistics)."""

    __tablename__ = "exchange_certificates"
    certificate_id: Mapped[str] = mapped_column(ForeignKey("certificates.id"), primary_key=True)
    form: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(10))
    relation: Mapped[str | None] = mapped_column(String(10), nullable=True)
    related_id: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    infection_carrier: Mapped[bool] = mapped_column(Boolean, default=False)


class CareMessage(Base):
    """A question or a request for completion from Försäkringskassan to the care
    unit (SendMessageToCare): ``subject`` KOMPLT, AVSTMN, KONTKT, OVRIGT or PAMINN."""

    __tablename__ = "care_messages"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    certificate_id: Mapped[str] = mapped_column(String(100), index=True)
    patient_id: Mapped[str] = mapped_column(String(13), index=True)
    unit_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    subject: Mapped[str] = mapped_column(String(10))
    heading: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime] = mapped_column(DateTime)
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    questions: Mapped[list[str]] = mapped_column(CodeList)
    reminds: Mapped[str | None] = mapped_column(String(100), nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    """The certificate that completed it (relation KOMPLT)."""
    handled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    handled_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Statement(Base):
    """Läkarutlåtande: LUSE (FK 7800), LUAE_NA (FK 7801) or LUAE_FS (FK 7802),
    with its header and diagnoses. Never part of a sick-leave case."""

    __tablename__ = "statements"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    form: Mapped[str] = mapped_column(String(10))
    version: Mapped[str] = mapped_column(String(10))
    signed_at: Mapped[datetime] = mapped_column(DateTime)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    doctor_id: Mapped[str] = mapped_column(ForeignKey("doctors.id"))
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    care_provider_id: Mapped[str] = mapped_column(ForeignKey("care_providers.id"))
    diagnosis: Mapped[str] = mapped_column(String(10), default="")
    secondary_diagnoses: Mapped[list[str]] = mapped_column(CodeList)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (Index("ix_statements_unit_signed", "unit_id", "signed_at"),)
