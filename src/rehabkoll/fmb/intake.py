"""Intake notices (FMB-varningar): for each certificate just stored, whether it
takes its case at the unit over FMB's recommendation, told as Webcert tells
the doctor who writes it.

The case is the engine's: the patient's certificates at the unit chained with
the gap, the new certificate's whole period included; the codes are the new
certificate's own; the FMB version is the one in force on the day it was signed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabkoll.cases import engine
from rehabkoll.cases import service as cases_service
from rehabkoll.certificates.models import Certificate
from rehabkoll.fmb import service


@dataclass(frozen=True, slots=True)
class Notice:
    certificate_id: str
    days: int
    max_days: int
    code: str

    @property
    def text(self) -> str:
        """Webcert's wording, in Swedish."""
        return (
            f"Den totala sjukskrivningsperioden är {self.days} dagar och därmed längre än "
            f"FMB:s rekommendation på {self.max_days} dagar för diagnosen {self.code}."
        )

    def as_json(self) -> dict[str, object]:
        return {
            "certificate_id": self.certificate_id,
            "days": self.days,
            "fmb_max_days": self.max_days,
            "fmb_code": self.code,
            "text": self.text,
        }


CHUNK = 900


def notices(
    session: Session, certificate_ids: Iterable[str], *, gap: int = engine.DEFAULT_GAP
) -> list[Notice]:
    """The notices of these certificates (those not effective are passed over)."""
    wanted = sorted(set(certificate_ids))
    if not wanted or service.in_force(session, date.max) is None:
        return []
    stored: list[tuple[str, str, str, datetime, str, list[str]]] = []
    for i in range(0, len(wanted), CHUNK):
        query = select(
            Certificate.id,
            Certificate.patient_id,
            Certificate.unit_id,
            Certificate.signed_at,
            Certificate.diagnosis,
            Certificate.secondary_diagnoses,
        ).where(Certificate.id.in_(wanted[i : i + CHUNK]), Certificate.effective.is_(True))
        stored.extend(tuple(row) for row in session.execute(query))  # type: ignore[misc]
    by_place: dict[tuple[str, str], list[tuple[str, datetime, str, list[str]]]] = defaultdict(list)
    for cert_id, patient, unit, signed, diagnosis, secondary in stored:
        by_place[(patient, unit)].append((cert_id, signed, diagnosis, list(secondary or [])))
    found: list[Notice] = []
    for (patient, unit), certs in sorted(by_place.items()):
        records = cases_service.patient_records(session, patient_id=patient, unit_id=unit)
        days_of = {
            record.id: case.days
            for case in engine.chain(records, gap)
            for record in case.certificates
        }
        for cert_id, signed, diagnosis, secondary in certs:
            catalogue = service.catalogue(session, signed.date())
            if catalogue is None or cert_id not in days_of:
                continue
            assessment = catalogue.assess((diagnosis, *secondary), days_of[cert_id])
            if assessment is not None and assessment.over:
                found.append(Notice(cert_id, assessment.days, assessment.max_days, assessment.code))
    return sorted(found, key=lambda n: n.certificate_id)


def batch_notices(
    session: Session, batch_id: int, *, gap: int = engine.DEFAULT_GAP
) -> list[Notice]:
    """The notices of the certificates an import batch stored."""
    ids = session.scalars(select(Certificate.id).where(Certificate.batch_id == batch_id))
    return notices(session, list(ids), gap=gap)
