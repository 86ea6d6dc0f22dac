"""The doctor's own view of a risk, as in SRS (läkarens egen bedömning):
"Högre", "Korrekt", "Lägre" or "Kan ej bedöma", given by a doctor of the
unit on the prediction shown for a case (patient, unit, the case's start,
the model version, the question and the day it was asked on, the
probability shown), with who and when.

Rows are only added (migration 0017): a changed view is a new row and the
newest per prediction is the one in force; the same view again by the same
doctor on the same prediction adds nothing. The web route checks the rights
and logs the change in the access log; this module does no access control.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import Date, DateTime, Enum, Float, ForeignKey, Index, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from rehabkoll.db.base import Base


class Opinion(StrEnum):
    """The doctor's view of the risk shown: is the true risk higher, is it
    right, lower, or can the doctor not judge?"""

    HIGHER = "higher"
    CORRECT = "correct"
    LOWER = "lower"
    CANNOT = "cannot"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(o.value, o.label) for o in cls]


_LABELS = {
    Opinion.HIGHER: "Högre",
    Opinion.CORRECT: "Korrekt",
    Opinion.LOWER: "Lägre",
    Opinion.CANNOT: "Kan ej bedöma",
}


class RiskOpinion(Base):
    """One doctor's view of one prediction, kept for good."""

    __tablename__ = "risk_opinions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    unit_id: Mapped[str] = mapped_column(String(64))
    case_start: Mapped[date] = mapped_column(Date)
    model_version: Mapped[int] = mapped_column(ForeignKey("risk_models.version"))
    horizon: Mapped[int] = mapped_column(Integer)
    """The question: more than 90, 180 or 365 days."""
    given_days: Mapped[int] = mapped_column(Integer)
    """Y of P(T > horizon | T > Y): the day the estimate was made on (14: day 15)."""
    probability: Mapped[float] = mapped_column(Float)
    opinion: Mapped[Opinion] = mapped_column(
        Enum(Opinion, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    username: Mapped[str] = mapped_column(String(100))
    doctor_hsa_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_risk_opinions_patient_unit", "patient_id", "unit_id", "case_start"),
    )


@dataclass(frozen=True, slots=True)
class Prediction:
    """What the page showed: the case and the estimate."""

    patient_id: str
    unit_id: str
    case_start: date
    model_version: int
    horizon: int
    given_days: int
    probability: float

    def matches(self, row: RiskOpinion) -> bool:
        return (
            row.patient_id == self.patient_id
            and row.unit_id == self.unit_id
            and row.case_start == self.case_start
            and row.model_version == self.model_version
            and row.horizon == self.horizon
            and row.given_days == self.given_days
            and abs(row.probability - self.probability) < 1e-9
        )


def record(
    session: Session,
    prediction: Prediction,
    opinion: Opinion,
    *,
    username: str,
    hsa_id: str | None,
    at: datetime | None = None,
) -> RiskOpinion | None:
    """Store the view; None when this doctor's newest view of this prediction
    is already ``opinion`` (nothing changes). The caller commits."""
    mine = [
        row
        for row in of_case(
            session,
            patient_id=prediction.patient_id,
            unit_id=prediction.unit_id,
            case_start=prediction.case_start,
        )
        if row.username == username and prediction.matches(row)
    ]
    if mine and mine[0].opinion == opinion:
        return None
    row = RiskOpinion(
        patient_id=prediction.patient_id,
        unit_id=prediction.unit_id,
        case_start=prediction.case_start,
        model_version=prediction.model_version,
        horizon=prediction.horizon,
        given_days=prediction.given_days,
        probability=prediction.probability,
        opinion=opinion,
        username=username,
        doctor_hsa_id=hsa_id,
        at=at or datetime.now(UTC).replace(tzinfo=None),
    )
    session.add(row)
    session.flush()
    return row


def of_case(
    session: Session, *, patient_id: str, unit_id: str, case_start: date
) -> list[RiskOpinion]:
    """Every view given on the case at the unit, newest first."""
    return list(
        session.scalars(
            select(RiskOpinion)
            .where(
                RiskOpinion.patient_id == patient_id,
                RiskOpinion.unit_id == unit_id,
                RiskOpinion.case_start == case_start,
            )
            .order_by(RiskOpinion.at.desc(), RiskOpinion.id.desc())
        )
    )


def of_patient(session: Session, *, patient_id: str, unit_id: str) -> dict[date, list[RiskOpinion]]:
    """Every view given on the patient's cases at the unit, by case start, newest first."""
    found: dict[date, list[RiskOpinion]] = {}
    for row in session.scalars(
        select(RiskOpinion)
        .where(RiskOpinion.patient_id == patient_id, RiskOpinion.unit_id == unit_id)
        .order_by(RiskOpinion.at.desc(), RiskOpinion.id.desc())
    ):
        found.setdefault(row.case_start, []).append(row)
    return found


def current(rows: Sequence[RiskOpinion], prediction: Prediction) -> RiskOpinion | None:
    """The newest view (by any doctor) of this very prediction."""
    return next((row for row in rows if prediction.matches(row)), None)
