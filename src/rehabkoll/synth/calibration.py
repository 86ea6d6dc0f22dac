"""Measure generated certificates against the published figures, through the
project's own rules: the foundation's format and effective-certificate rule,
and the reference case engine. The calibration tests use this; an analyst can
too, to judge a generated file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from rehabkoll.cases.engine import Case, CertificateRecord, Period, build_cases, case_row, measure
from rehabkoll.certificates.schema import Certificate, Revocation, parse_line
from rehabkoll.lib import personnummer


def parse_file(lines: Iterable[str]) -> tuple[list[Certificate], list[Revocation]]:
    """Validate every line (a FieldError is raised on the first bad one)."""
    certificates: list[Certificate] = []
    revocations: list[Revocation] = []
    for line in lines:
        document = parse_line(line)
        if isinstance(document, Revocation):
            revocations.append(document)
        else:
            certificates.append(document)
    return certificates, revocations


def effective(
    certificates: Sequence[Certificate], revocations: Sequence[Revocation]
) -> list[Certificate]:
    """The foundation's rule: a certificate counts unless it is a test, revoked,
    or replaced by a certificate that is neither."""
    revoked = {r.revokes for r in revocations}
    replaced = {
        c.replaces for c in certificates if c.replaces and not c.test and c.id not in revoked
    }
    return [c for c in certificates if not c.test and c.id not in revoked and c.id not in replaced]


def record(certificate: Certificate) -> CertificateRecord:
    return CertificateRecord(
        id=certificate.id,
        patient_id=certificate.patient.id,
        care_provider_id=certificate.care_provider.id,
        unit_id=certificate.unit.id,
        doctor_id=certificate.doctor.id,
        signed_at=certificate.signed_at,
        periods=tuple(Period(p.start, p.end, p.degree) for p in certificate.periods),
        diagnosis=certificate.diagnosis.code,
        secondary_diagnoses=tuple(certificate.diagnosis.secondary),
        occupation=tuple(str(o) for o in certificate.occupation),
    )


def cases_of(certificates: Sequence[Certificate], revocations: Sequence[Revocation]) -> list[Case]:
    """Every case the reference engine builds from the effective certificates."""
    return build_cases(record(c) for c in effective(certificates, revocations))


@dataclass(frozen=True, slots=True)
class OngoingFigures:
    """Pågående sjukfall on one day, as Försäkringskassan's figures describe them."""

    day: date
    ongoing: int
    on_sick_leave_share: float
    """Ongoing cases per insured person."""
    women_share: float
    psychiatric_share: float
    """Main diagnosis (of the lead certificate) in chapter F."""
    musculoskeletal_share: float
    """Main diagnosis in chapter M."""
    over_365_share: float
    """Cases that began more than 365 days before ``day``."""


def ongoing(cases: Sequence[Case], *, insured: int, day: date) -> OngoingFigures:
    """Figures of the cases with a certificate active on ``day``."""
    rows = [
        case_row(case, day)
        for case in cases
        if case.start <= day <= case.end and any(c.active_on(day) for c in case.certificates)
    ]
    count = max(len(rows), 1)
    women = sum(personnummer.parse(r.patient_id).sex is personnummer.Sex.WOMAN for r in rows)
    return OngoingFigures(
        day=day,
        ongoing=len(rows),
        on_sick_leave_share=len(rows) / insured,
        women_share=women / count,
        psychiatric_share=sum(r.diagnosis.startswith("F") for r in rows) / count,
        musculoskeletal_share=sum(r.diagnosis.startswith("M") for r in rows) / count,
        over_365_share=sum((day - r.start).days + 1 > 365 for r in rows) / count,
    )


@dataclass(frozen=True, slots=True)
class YearFigures:
    year: int
    new_cases_share: float
    """Cases starting in the year, per insured person."""
    net_days_per_insured: float
    """Certificate-covered days in the year, each weighted by its degree, per insured person."""


def year(cases: Sequence[Case], *, insured: int, year: int) -> YearFigures:
    first, last = date(year, 1, 1), date(year, 12, 31)
    new = sum(first <= case.start <= last for case in cases)
    net = 0.0
    for case in cases:
        if case.end < first or case.start > last:
            continue
        clipped = []
        for cert in case.certificates:
            periods = tuple(
                Period(max(p.start, first), min(p.end, last), p.degree)
                for p in cert.periods
                if p.end >= first and p.start <= last
            )
            if periods:
                clipped.append(
                    CertificateRecord(
                        id=cert.id,
                        patient_id=cert.patient_id,
                        care_provider_id=cert.care_provider_id,
                        unit_id=cert.unit_id,
                        doctor_id=cert.doctor_id,
                        signed_at=cert.signed_at,
                        periods=periods,
                        diagnosis=cert.diagnosis,
                    )
                )
        net += measure(clipped)[1]
    return YearFigures(year, new / insured, net / insured)
