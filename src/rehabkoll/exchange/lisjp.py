"""LISJP (FK 7804, läkarintyg för sjukpenning) in RegisterCertificate v3 →
the project's certificate, with the content rules on the fields rehabkoll
uses (docs/exchange.md lists them). Versions 1.x (1, 1.0, 1.1, 1.2) and 2.0
are read: svar 6, 27, 28 and 32 are the same in all of them.

The rules below follow the LISJP schematron (lisjp.v1.sch, as summarised in
shared/data/rivta/FORMAT.md) for svar 6, 28 and 32, and the project's own
certificate rules (schema.py) for dates and degrees.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta

from rehabkoll.certificates.models import encode_spans
from rehabkoll.certificates.reading import PreparedCertificate
from rehabkoll.certificates.schema import EARLIEST_DATE, LATEST_DATE, MAX_DAYS_AHEAD, Occupation
from rehabkoll.exchange.errors import RuleError
from rehabkoll.exchange.header import Answer, Code, Header, as_date, read_answers, truthy
from rehabkoll.lib import icd10

FORM = "LISJP"
MAJOR_VERSIONS = ("1", "2")
ICD10_SE = "1.2.752.116.1.1.1.1.3"
KSH97_P = "1.2.752.116.1.3.1.4.1"
DEGREES = {"HELT_NEDSATT": 100, "TRE_FJARDEDEL": 75, "HALFTEN": 50, "EN_FJARDEDEL": 25}
"""KV_FKMU_0003 → sjukskrivningsgrad (the reduction of work capacity) in per cent."""
MAX_PERIODS = 4
"""Svar 32 has 1..4 instances (lisjp.v1.sch and lisjp.v2.sch)."""
OCCUPATIONS = {
    "NUVARANDE_ARBETE": Occupation.CURRENT_JOB,
    "ARBETSSOKANDE": Occupation.JOB_SEEKER,
    "FORALDRALEDIG": Occupation.PARENTAL_LEAVE,
    "STUDIER": Occupation.STUDIES,
}
"""KV_FKMU_0002 → the project's occupation values."""
REPLACING_RELATIONS = ("ERSATT", "KOMPLT")
"""Relations under which the new certificate replaces the earlier; FRLANG
(renewal) and KOPIA replace nothing."""
# The schematron's diagnosis code pattern (lisjp.v1.sch): F codes need a
# fourth character, Z73 needs a fourth, and Z codes otherwise follow ICD-10.
_CODE = re.compile(
    r"^([A-EG-Ya-eg-y][0-9]{2}[A-Za-z0-9-]*|[Zz][0-689][0-9][A-Za-z0-9-]*"
    r"|[Zz]7[0-24-9][A-Za-z0-9-]*|[Zz]73[A-Za-z0-9-]+|[Ff][0-9]{2}[A-Za-z0-9-]+)$"
)
_DIAGNOSIS_PARTS = (
    ("6.2", "main diagnosis"),
    ("6.4", "secondary diagnosis 1"),
    ("6.6", "secondary diagnosis 2"),
)


@dataclass(frozen=True, slots=True)
class Lisjp:
    """A LISJP as stored: the project's certificate and what RIVTA adds."""

    certificate: PreparedCertificate
    version: str
    relation: str | None
    related_id: str | None
    infection_carrier: bool


def check_version(version: str, majors: tuple[str, ...] = MAJOR_VERSIONS) -> str:
    major = version.split(".", 1)[0]
    if major not in majors:
        known = ", ".join(f"{m}.x" for m in majors)
        raise RuleError("version", f"version {version or '(empty)'} is not supported ({known} are)")
    return version


def diagnoses(answers: list[Answer]) -> tuple[str, tuple[str, ...]]:
    """Svar 6: the main diagnosis (6.2) and up to two secondary (6.4, 6.6), in
    the project's canonical ICD-10-SE form (``F438A`` → ``F43.8A``; the
    KSH97-P fill ``A00-`` → ``A00``)."""
    found = [a for a in answers if a.id == "6"]
    if not found:
        raise RuleError("svar 6 (diagnosis)", "is missing; a main diagnosis (6.2) is required")
    if len(found) > 1:
        raise RuleError("svar 6 (diagnosis)", "is given more than once")
    parts = found[0].parts
    codes: list[str] = []
    systems: set[str] = set()
    for part_id, label in _DIAGNOSIS_PARTS:
        value = parts.get(part_id)
        if value is None:
            continue
        field = f"svar 6 / {part_id} ({label})"
        if not isinstance(value, Code) or not value.code:
            raise RuleError(field, "must be a code (cv)")
        if value.system not in (ICD10_SE, KSH97_P):
            raise RuleError(
                field, f"code system must be ICD-10-SE ({ICD10_SE}) or KSH97-P ({KSH97_P})"
            )
        systems.add(value.system)
        codes.append(_diagnosis_code(value.code.strip(), field))
    if "6.2" not in parts:
        raise RuleError("svar 6 / 6.2 (main diagnosis)", "is missing")
    if len(systems) > 1:
        raise RuleError("svar 6 (diagnosis)", "mixes code systems; all codes must use one")
    return codes[0], tuple(codes[1:])


def _diagnosis_code(code: str, field: str) -> str:
    if len(code) > 5:
        raise RuleError(field, "a code has at most 5 characters, without a dot")
    if not _CODE.match(code):
        raise RuleError(
            field,
            "is not a valid code (a letter and two digits; F codes and "
            "Z73 need a fourth character)",
        )
    try:
        return icd10.normalize(code.split("-", 1)[0])
    except icd10.UnknownDiagnosisCodeError as err:
        raise RuleError(field, str(err)) from None


def occupations(answers: list[Answer], *, required: bool) -> tuple[str, ...]:
    """Svar 28: one to four occupations, each once (none needed for smittbärarpenning)."""
    found: list[str] = []
    for answer in answers:
        if answer.id != "28":
            continue
        value = answer.parts.get("28.1")
        field = "svar 28 / 28.1 (occupation)"
        if not isinstance(value, Code) or value.code.strip() not in OCCUPATIONS:
            raise RuleError(field, "code must be one of " + ", ".join(OCCUPATIONS))
        occupation = str(OCCUPATIONS[value.code.strip()])
        if occupation in found:
            raise RuleError(field, f"{value.code.strip()} is given more than once")
        found.append(occupation)
    if len(found) > 4:
        raise RuleError("svar 28 (occupation)", "at most 4 occupations")
    if required and not found:
        raise RuleError("svar 28 (occupation)", "is missing; at least one occupation is required")
    return tuple(found)


def periods(answers: list[Answer], signed: date) -> list[tuple[date, date, int]]:
    """Svar 32: periods (32.2) with their degree (32.1), not overlapping, in
    order. FK's rules (lisjp.v1.sch, unchanged in v2): one to four instances,
    each degree (KV_FKMU_0003 code) at most once."""
    count = sum(1 for a in answers if a.id == "32")
    if count > MAX_PERIODS:
        # Counted first: five periods always repeat a degree, but the count is the rule broken.
        raise RuleError(
            "svar 32 (sick leave)", f"has {count} periods; at most {MAX_PERIODS} (one per degree)"
        )
    found: list[tuple[date, date, int]] = []
    codes: list[str] = []
    for answer in answers:
        if answer.id != "32":
            continue
        code = answer.parts.get("32.1")
        field = "svar 32 / 32.1 (degree)"
        if not isinstance(code, Code) or code.code.strip() not in DEGREES:
            raise RuleError(field, "code must be one of " + ", ".join(DEGREES) + " (KV_FKMU_0003)")
        if code.code.strip() in codes:
            raise RuleError(
                field, f"{code.code.strip()} is given more than once; each degree at most once"
            )
        codes.append(code.code.strip())
        span = answer.parts.get("32.2")
        field = "svar 32 / 32.2 (period)"
        if not isinstance(span, tuple):
            raise RuleError(field, "is missing; each degree needs its period")
        start, end = as_date(span[0], field + " start"), as_date(span[1], field + " end")
        if start > end:
            raise RuleError(field, f"start {start} is after end {end}")
        for day in (start, end):
            if not EARLIEST_DATE <= day <= LATEST_DATE:
                raise RuleError(field, f"dates must lie between {EARLIEST_DATE} and {LATEST_DATE}")
        found.append((start, end, DEGREES[code.code.strip()]))
    if not found:
        raise RuleError("svar 32 (sick leave)", "is missing; at least one period is required")
    found.sort()
    for before, after in itertools.pairwise(found):
        if after[0] <= before[1]:
            raise RuleError(
                "svar 32 / 32.2 (period)",
                f"periods overlap: {before[0]}–{before[1]} and {after[0]}–{after[1]}",
            )
    if found[-1][1] > signed + timedelta(days=MAX_DAYS_AHEAD):
        raise RuleError(
            "svar 32 / 32.2 (period)", f"ends more than {MAX_DAYS_AHEAD} days after signing"
        )
    return found


def infection_carrier(answers: list[Answer]) -> bool:
    """Svar 27.1 true: smittbärarpenning, never a sick-leave case."""
    return any(a.id == "27" and truthy(a.parts.get("27.1")) for a in answers)


def read(header: Header, intyg_answers: list[Answer]) -> Lisjp:
    version = check_version(header.version)
    carrier = infection_carrier(intyg_answers)
    main, secondary = diagnoses(intyg_answers)
    occupation = occupations(intyg_answers, required=not carrier)
    spans = periods(intyg_answers, header.signed_at.date())
    replaces = header.related_id if header.relation in REPLACING_RELATIONS else None
    values = {
        "id": header.id,
        "version": version,
        "signed_at": header.signed_at.isoformat(),
        "patient": header.patient_id,
        "doctor": [header.doctor_id, header.doctor_name],
        "unit": [header.unit_id, header.unit_name],
        "care_provider": [header.care_provider_id, header.care_provider_name],
        "diagnoses": [main, *secondary],
        "occupation": occupation,
        "spans": encode_spans(spans),
        "relation": [header.relation, header.related_id],
        "infection_carrier": carrier,
    }
    digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()
    certificate = PreparedCertificate(
        id=header.id,
        content_hash=digest,
        signed_at=header.signed_at,
        patient_id=header.patient_id,
        patient_name=header.patient_name,
        doctor_id=header.doctor_id,
        doctor_name=header.doctor_name,
        unit_id=header.unit_id,
        unit_name=header.unit_name,
        care_provider_id=header.care_provider_id,
        care_provider_name=header.care_provider_name,
        diagnosis=main,
        secondary_diagnoses=secondary,
        occupation=occupation,
        replaces=replaces,
        test=carrier,
        start=spans[0][0],
        end=spans[-1][1],
        spans=encode_spans(spans),
    )
    return Lisjp(certificate, version, header.relation, header.related_id, carrier)


__all__ = ["FORM", "Lisjp", "read", "read_answers"]
