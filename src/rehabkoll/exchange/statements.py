"""Läkarutlåtanden (LUSE, LUAE_NA, LUAE_FS) for the unit's page: the
statements signed in the last three years, filtered by pure rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabkoll.certificates.models import Doctor, Patient
from rehabkoll.exchange.messages import STATEMENT_FORMS
from rehabkoll.exchange.models import Statement
from rehabkoll.lib import personnummer

YEARS = 3
FORM_LABELS = {
    "LUSE": "FK 7800 Sjukersättning",
    "LUAE_NA": "FK 7801 Aktivitetsersättning, nedsatt arbetsförmåga",
    "LUAE_FS": "FK 7802 Aktivitetsersättning, förlängd skolgång",
}
assert set(FORM_LABELS) == set(STATEMENT_FORMS)


@dataclass(frozen=True, slots=True)
class StatementRow:
    id: str
    patient_id: str
    patient_ref: str
    name: str
    protected: bool
    age: int
    sex: str
    form: str
    diagnoses: tuple[str, ...]
    signed_at: datetime
    doctor_id: str
    doctor_name: str


@dataclass(frozen=True, slots=True)
class StatementFilters:
    form: str = ""
    chapter: str = ""
    doctor: str = ""
    signed_from: date | None = None
    signed_to: date | None = None
    text: str = ""


def matches(row: StatementRow, f: StatementFilters) -> bool:
    if f.form and row.form != f.form:
        return False
    if f.chapter and not any(d.startswith(f.chapter) for d in row.diagnoses):
        return False
    if f.doctor and row.doctor_id != f.doctor:
        return False
    day = row.signed_at.date()
    if (f.signed_from and day < f.signed_from) or (f.signed_to and day > f.signed_to):
        return False
    if f.text:
        needle = f.text.casefold()
        haystack = [*row.diagnoses, row.doctor_name, FORM_LABELS.get(row.form, row.form)]
        if not row.protected:
            haystack += [row.name, row.patient_id, row.patient_id.replace("-", "")]
        if not any(needle in h.casefold() for h in haystack):
            return False
    return True


def unit_statements(
    session: Session, *, unit_id: str, as_of: date, doctor_id: str | None = None
) -> list[StatementRow]:
    """The unit's statements signed in the three years up to ``as_of``, newest
    first; only ``doctor_id``'s when given (a doctor sees their own)."""
    since = datetime.combine(as_of.replace(year=as_of.year - YEARS), datetime.min.time())
    until = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    query = (
        select(Statement, Patient, Doctor.name)
        .join(Patient, Patient.id == Statement.patient_id)
        .join(Doctor, Doctor.id == Statement.doctor_id)
        .where(
            Statement.unit_id == unit_id,
            Statement.revoked_at.is_(None),
            Statement.signed_at >= since,
            Statement.signed_at < until,
        )
        .order_by(Statement.signed_at.desc(), Statement.id)
    )
    if doctor_id is not None:
        query = query.where(Statement.doctor_id == doctor_id)
    rows = []
    for statement, patient, doctor_name in session.execute(query):
        rows.append(
            StatementRow(
                id=statement.id,
                patient_id=patient.id,
                patient_ref=patient.ref,
                name=patient.name,
                protected=patient.protected,
                age=personnummer.parse(patient.id).age_on(as_of),
                sex=patient.sex,
                form=statement.form,
                diagnoses=tuple(
                    d for d in (statement.diagnosis, *statement.secondary_diagnoses) if d
                ),
                signed_at=statement.signed_at,
                doctor_id=statement.doctor_id,
                doctor_name=doctor_name or statement.doctor_id,
            )
        )
    return rows
