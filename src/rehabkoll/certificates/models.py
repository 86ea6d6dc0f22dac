"""Tables of certificates, their periods, the parties they name, and import batches."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column

from rehabkoll.db.base import Base


class CodeList(TypeDecorator[list[str]]):
    """A short list of codes without spaces (diagnoses, occupations), stored as
    one space-separated string: cheaper to read back than JSON on hot paths."""

    impl = String(100)
    cache_ok = True

    def process_bind_param(self, value: list[str] | None, dialect: Dialect) -> str:
        return " ".join(value or ())

    def process_result_value(self, value: Any, dialect: Dialect) -> list[str]:
        return str(value).split() if value else []


def encode_spans(periods: Iterable[tuple[date, date, int]]) -> str:
    """``2016-02-01 2016-02-14 100;2016-02-15 2016-02-28 50``."""
    return ";".join(
        f"{start.isoformat()} {end.isoformat()} {degree}" for start, end, degree in periods
    )


def decode_spans(text: str) -> list[tuple[date, date, int]]:
    # Runs once per certificate of a work list: the one-period case is the common one.
    if ";" not in text:
        start, end, degree = text.split(" ")
        return [(date.fromisoformat(start), date.fromisoformat(end), int(degree))]
    return [
        (date.fromisoformat(start), date.fromisoformat(end), int(degree))
        for start, end, degree in (span.split(" ") for span in text.split(";"))
    ]


class CareProvider(Base):
    """Vårdgivare."""

    __tablename__ = "care_providers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Unit(Base):
    """Vårdenhet."""

    __tablename__ = "units"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    care_provider_id: Mapped[str] = mapped_column(ForeignKey("care_providers.id"), index=True)


class Doctor(Base):
    """The signing doctor (läkare), by HSA id."""

    __tablename__ = "doctors"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Patient(Base):
    """A patient by personnummer; ``ref`` is the opaque reference used in URLs and the API."""

    __tablename__ = "patients"
    id: Mapped[str] = mapped_column(String(13), primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    protected: Mapped[bool] = mapped_column(Boolean, default=False)


class ImportBatch(Base):
    """One run of ``rehabkoll import`` (or one HTTP intake call)."""

    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(500))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """``host:pid`` of the process that runs the import (null: one transaction)."""
    interrupted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    """When a later import found this one's process gone before it finished."""


class Rejection(Base):
    """A rejected line: where, which field, and why (never the rejected value itself)."""

    __tablename__ = "rejections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)


class Certificate(Base):
    """Läkarintyg för sjukpenning (FK 7804), as stored.

    ``effective`` is false for test, revoked and replaced certificates; it is
    kept up to date on every import so that queries need not work it out.
    """

    __tablename__ = "certificates"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))
    signed_at: Mapped[datetime] = mapped_column(DateTime)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    doctor_id: Mapped[str] = mapped_column(ForeignKey("doctors.id"))
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    care_provider_id: Mapped[str] = mapped_column(ForeignKey("care_providers.id"))
    diagnosis: Mapped[str] = mapped_column(String(10))
    secondary_diagnoses: Mapped[list[str]] = mapped_column(CodeList)
    occupation: Mapped[list[str]] = mapped_column(CodeList)
    replaces: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    test: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    effective: Mapped[bool] = mapped_column(Boolean, default=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    spans: Mapped[str] = mapped_column(Text)
    """The periods with their degrees (sjukskrivningsgrad), in the compact form
    of ``encode_spans``: read with the certificate, never joined."""

    __table_args__ = (
        # Covers the work list's question "which patients have a certificate
        # reaching as_of" without touching the table.
        Index("ix_certificates_unit_end", "unit_id", "end", "start", "effective", "patient_id"),
        # Covers what the work list and the patient view read of every
        # certificate (chaining and measuring), so that neither reads the table.
        Index(
            "ix_certificates_unit_patient",
            "unit_id",
            "patient_id",
            "effective",
            "signed_at",
            "id",
            "spans",
        ),
        Index("ix_certificates_patient_provider", "patient_id", "care_provider_id"),
    )
