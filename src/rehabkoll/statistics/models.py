"""Tables of rehabkoll.statistics: the insured population (for rates) and cohorts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rehabkoll.db.base import Base


class Population(Base):
    """Försäkrade: the insured of a care provider (or a unit's listed population,
    under the unit's id) in a year, by sex and an age band."""

    __tablename__ = "population"
    provider_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    sex: Mapped[str] = mapped_column(String(1), primary_key=True)
    age_from: Mapped[int] = mapped_column(Integer, primary_key=True)
    age_to: Mapped[int] = mapped_column(Integer)
    insured: Mapped[int] = mapped_column(Integer)


class Cohort(Base):
    """Kohort: the cases ongoing on ``as_of`` and at least ``min_days`` long."""

    __tablename__ = "cohorts"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    scope: Mapped[str] = mapped_column(String(100))
    as_of: Mapped[date] = mapped_column(Date)
    min_days: Mapped[int] = mapped_column(Integer)
    gap: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    members: Mapped[list[CohortMember]] = relationship(
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="(CohortMember.unit_id, CohortMember.patient_id)",
    )


class CohortMember(Base):
    """One case of a cohort, by patient, care provider and the case's start."""

    __tablename__ = "cohort_members"
    cohort: Mapped[str] = mapped_column(
        ForeignKey("cohorts.name", ondelete="CASCADE"), primary_key=True
    )
    patient_id: Mapped[str] = mapped_column(String(13), primary_key=True)
    care_provider_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_start: Mapped[date] = mapped_column(Date)
    unit_id: Mapped[str] = mapped_column(String(64))
    sex: Mapped[str] = mapped_column(String(1))
