"""Tables of rehabkoll.fmb: the FMB versions imported, and per version its
typical cases (typfall) and diagnosis entries (diagnosinformation).

A version is never changed once stored; a newer one is added beside it and is
in force from its build day on (``service.in_force``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rehabkoll.db.base import Base


class FmbVersion(Base):
    """One build of Socialstyrelsen's FMB data (``meta.buildtimestamp``)."""

    __tablename__ = "fmb_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), unique=True)
    in_force_from: Mapped[date] = mapped_column(Date, index=True)
    version: Mapped[str] = mapped_column(String(100))
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(500))
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    typical_cases: Mapped[int] = mapped_column(Integer)
    diagnoses: Mapped[int] = mapped_column(Integer)


class FmbTypicalCase(Base):
    """Typfall: a situation, the ICD-10 codes it applies to and its
    recommended maximal sick-leave length (``max_days`` null: none given)."""

    __tablename__ = "fmb_typical_cases"
    version_id: Mapped[int] = mapped_column(
        ForeignKey("fmb_versions.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    codes: Mapped[str] = mapped_column(Text)
    """ICD-10 codes without dots, space separated."""
    heading: Mapped[str] = mapped_column(Text)
    situation: Mapped[str] = mapped_column(Text)
    recommendation: Mapped[str] = mapped_column(Text)
    max_value: Mapped[str | None] = mapped_column(String(20))
    max_unit: Mapped[str | None] = mapped_column(String(10))
    max_days: Mapped[int | None] = mapped_column(Integer)


class FmbDiagnosis(Base):
    """Diagnosinformation: the texts of one diagnosis heading."""

    __tablename__ = "fmb_diagnoses"
    version_id: Mapped[int] = mapped_column(
        ForeignKey("fmb_versions.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    codes: Mapped[str] = mapped_column(Text)
    heading: Mapped[str] = mapped_column(Text)
    guidance: Mapped[str] = mapped_column(Text)
    """Försäkringsmedicinsk information, as plain text."""
    symptoms: Mapped[str] = mapped_column(Text)
    """Symtom, prognos och behandling."""
    rehabilitation: Mapped[str] = mapped_column(Text)
    functional_impairment: Mapped[str] = mapped_column(Text)
    activity_limitation: Mapped[str] = mapped_column(Text)
