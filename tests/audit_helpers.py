"""Reading the access log in tests: each entry with the patients of its
patient list, so a test can say "this read named these patients"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabkoll.audit.models import AccessLog, AccessLogPatient


def reads(session: Session, *where: Any) -> list[tuple[AccessLog, str]]:
    """(entry, patient) for every patient of every entry matching ``where``, in
    entry order, then patient order."""
    query = (
        select(AccessLog, AccessLogPatient.patient_id)
        .join(AccessLogPatient, AccessLogPatient.list_id == AccessLog.patient_list_id)
        .where(*where)
        .order_by(AccessLog.id, AccessLogPatient.patient_id)
    )
    return [(entry, str(patient)) for entry, patient in session.execute(query)]


def patients_read(session: Session, *where: Any) -> list[str]:
    """The patients of the matching entries, in entry order."""
    return [patient for _entry, patient in reads(session, *where)]
