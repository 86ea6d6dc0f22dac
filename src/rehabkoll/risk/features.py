"""What is known of a case on its day 15, and what became of it: pure
functions on the case engine's records, no I/O.

A case's *day 15* is ``start + 14``. Its features are computed from the
patient's certificates that had been signed by the end of day 15 and start on
or before it, chained again by the case engine; nothing signed or starting
later is looked at, so a later certificate cannot change them (the test
``test_later_certificates_leave_day15_features_unchanged``).

Outcome (docs/decision-support.md, "Risk"): on the as-of date, using only the
certificates signed by then and the days up to it, a case is

- *long* (1) when it has more than 90 days (``engine.measure`` of its periods
  cut at the as-of date);
- *short* (0) when it has at most 90 days and can no longer grow: its last
  day plus the chaining gap lies before the as-of date;
- *censored* (None) otherwise: still open and 90 days or fewer so far. A
  censored case is neither a positive nor a negative; training leaves it out.

The population is the cases that reach day 15 (more than 14 days), as in
Försäkringskassan's share of cases longer than 14 days that last more than 90.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rehabkoll.cases import engine
from rehabkoll.cases.engine import Case, CertificateRecord, Period
from rehabkoll.statistics.groups import CHAPTERS, DIAGNOSIS_GROUPS, classify_code

DAY = 15
LONG = 90
CATEGORICAL = (
    "age_band",
    "sex",
    "diagnosis",
    "diagnosis_group",
    "chapter",
    "degree_at_start",
    "occupation",
    "unit_kind",
    "care_provider",
    "previous_long",
)
NUMERIC = (
    "secondary_diagnoses",
    "previous_12m",
    "previous_12m_days",
    "cases_3y",
    "age",
    "previous_long_days",
)
FEATURES = CATEGORICAL + NUMERIC
LEGACY_FEATURES = (
    *CATEGORICAL[:-1],
    *NUMERIC[:4],
)
"""The features of models stored before ``age`` and ``previous_long`` were added."""
PREVIOUS_LONG_BOUNDS = (90, 180)

LABELS = {
    "age_band": "ålder",
    "sex": "kön",
    "diagnosis": "diagnos",
    "diagnosis_group": "diagnosgrupp",
    "chapter": "diagnoskapitel",
    "degree_at_start": "sjukskrivningsgrad vid start",
    "occupation": "sysselsättning",
    "unit_kind": "typ av vårdenhet",
    "care_provider": "vårdgivare",
    "secondary_diagnoses": "bidiagnoser",
    "previous_12m": "tidigare sjukfall senaste 12 månaderna",
    "previous_12m_days": "längd på tidigare sjukfall senaste 12 månaderna",
    "cases_3y": "antal sjukfall senaste tre åren",
    "age": "ålder i år",
    "previous_long": "tidigare sjukfall över 14 dagar senaste 12 månaderna",
    "previous_long_days": "längd på senaste sjukfallet över 14 dagar",
}

_AGE_BANDS = ((29, "16-29"), (39, "30-39"), (49, "40-49"), (59, "50-59"))
_UNIT_WORDS = (
    ("vårdcentral", "primary care"),
    ("hälsocentral", "primary care"),
    ("psykiatri", "psychiatry"),
    ("klinik", "hospital clinic"),
    ("sjukhus", "hospital clinic"),
)


@dataclass(frozen=True, slots=True)
class Patient:
    birth_date: date
    sex: str  # "F" or "M"


@dataclass(frozen=True, slots=True)
class Example:
    """One case that reached day 15: where it is, what was known then, and its
    outcome on the as-of date (1 long, 0 short, None censored)."""

    patient_id: str
    care_provider_id: str
    unit_id: str
    start: date
    features: dict[str, str | int]
    outcome: int | None
    days: int  # days up to the as-of date
    ended: bool | None = None
    """The case can no longer grow on the as-of date (its last day plus the gap
    lies before it); None where unknown. For the outcomes after day 90."""


def age_in_years(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def previous_long(days: int) -> str:
    """The length of the most recent earlier case over 14 days, in SRS's steps
    ("none" when there was none in the 12 months)."""
    if days <= 0:
        return "none"
    if days <= PREVIOUS_LONG_BOUNDS[0]:
        return "15-90"
    if days <= PREVIOUS_LONG_BOUNDS[1]:
        return "91-180"
    return "181-"


_BAND_MIDDLE = {"16-29": 23, "30-39": 35, "40-49": 45, "50-59": 55, "60-": 62}


def completed(row: dict[str, str | int]) -> dict[str, str | int]:
    """``row`` with the features added after the first version filled in from
    the older ones, for callers that give only those (an API client, a test):
    age from the middle of the age band; the most recent earlier case over 14
    days taken as the longest case of the last 12 months."""
    if all(name in row for name in FEATURES):
        return row
    filled = dict(row)
    filled.setdefault("age", _BAND_MIDDLE.get(str(row.get("age_band")), 45))
    before = int(row.get("previous_12m_days", 0)) if int(row.get("previous_12m", 0)) else 0
    filled.setdefault("previous_long_days", before if before > DAY - 1 else 0)
    filled.setdefault("previous_long", previous_long(int(filled["previous_long_days"])))
    return filled


def age_band(birth: date, on: date) -> str:
    age = age_in_years(birth, on)
    for high, key in _AGE_BANDS:
        if age <= high:
            return key
    return "60-"


def unit_kind(name: str) -> str:
    """The kind of unit read from its name (the register holds no kind): a
    first approximation, 'other' when no word fits."""
    lowered = name.lower()
    for word, kind in _UNIT_WORDS:
        if word in lowered:
            return kind
    return "other"


def _cut(cert: CertificateRecord, last: date) -> CertificateRecord | None:
    """The certificate as known on ``last``: None if signed later or starting
    later; its periods cut at ``last``."""
    if cert.signed_at.date() > last or cert.start > last:
        return None
    if cert.end <= last:
        return cert
    periods = tuple(
        Period(p.start, min(p.end, last), p.degree) for p in cert.periods if p.start <= last
    )
    return CertificateRecord(
        cert.id,
        cert.patient_id,
        cert.care_provider_id,
        cert.unit_id,
        cert.doctor_id,
        cert.signed_at,
        periods,
        cert.diagnosis,
        cert.secondary_diagnoses,
        cert.occupation,
    )


def known_on(certificates: Iterable[CertificateRecord], last: date) -> list[CertificateRecord]:
    return [c for c in (_cut(cert, last) for cert in certificates) if c is not None]


def outcome(case: Case, as_of: date, gap: int = engine.DEFAULT_GAP) -> int | None:
    """1 long, 0 short, None censored, for a case built from certificates known
    on ``as_of`` (``known_on``)."""
    if case.days > LONG:
        return 1
    if case.end + timedelta(days=gap) < as_of:
        return 0
    return None


def day15_features(
    certificates: Sequence[CertificateRecord],
    case_start: date,
    care_provider_id: str,
    patient: Patient,
    unit_names: dict[str, str],
    gap: int = engine.DEFAULT_GAP,
) -> dict[str, str | int] | None:
    """The features of the patient's case at ``care_provider_id`` that starts on
    ``case_start``, from what was known on its day 15; None when nothing of
    it was known by then (every certificate signed later)."""
    day15 = case_start + timedelta(days=DAY - 1)
    known = known_on(certificates, day15)
    cases = engine.build_cases(known, gap)
    mine = [
        c
        for c in cases
        if c.care_provider_id == care_provider_id and case_start <= c.start <= day15
    ]
    if not mine:
        return None
    case = mine[0]
    lead = engine.case_row(case, day15)  # through the certificate leading on day 15
    first = case.certificates[0]
    earlier = [c for c in cases if c.end < case.start]
    year_ago = case.start - timedelta(days=365)
    last_12m = [c for c in earlier if c.end >= year_ago]
    three_years = case.start - timedelta(days=3 * 365)
    code = lead.diagnosis.replace(".", "").upper()
    # The most recent earlier case of more than 14 days, if it ended in the 12
    # months before this one started (SRS's strongest predictor), and its length.
    long_before = [c for c in last_12m if c.days > DAY - 1]
    recent = max(long_before, key=lambda c: c.end, default=None)
    recent_days = recent.days if recent is not None else 0
    return {
        "age_band": age_band(patient.birth_date, case.start),
        "sex": patient.sex,
        "diagnosis": code[:3],
        "diagnosis_group": classify_code(code, DIAGNOSIS_GROUPS).key,
        "chapter": classify_code(code, CHAPTERS).key,
        "degree_at_start": str(min(first.periods, key=lambda p: p.start).degree),
        "occupation": "+".join(sorted(lead.occupation)) or "unknown",
        "unit_kind": unit_kind(unit_names.get(lead.unit_id, "")),
        "care_provider": care_provider_id,
        "secondary_diagnoses": len(lead.secondary_diagnoses),
        "previous_12m": len(last_12m),
        "previous_12m_days": max((c.days for c in last_12m), default=0),
        "cases_3y": sum(1 for c in earlier if c.end >= three_years),
        "age": age_in_years(patient.birth_date, case.start),
        "previous_long": previous_long(recent_days),
        "previous_long_days": recent_days,
    }


def examples(
    certificates: Sequence[CertificateRecord],
    patient: Patient,
    unit_names: dict[str, str],
    *,
    as_of: date,
    gap: int = engine.DEFAULT_GAP,
    started: tuple[date, date] | None = None,
    with_censored: bool = False,
) -> list[Example]:
    """One patient's cases that reached day 15 by ``as_of`` (and started within
    ``started``, both days included), with features and outcome."""
    if started is not None and not any(started[0] <= c.start <= started[1] for c in certificates):
        return []  # a case starts with one of its certificates: none can start within
    known = known_on(certificates, as_of)
    result: list[Example] = []
    for case in engine.build_cases(known, gap):
        if case.days < DAY or case.start + timedelta(days=DAY - 1) > as_of:
            continue
        if started is not None and not started[0] <= case.start <= started[1]:
            continue
        result_outcome = outcome(case, as_of, gap)
        if result_outcome is None and not with_censored:
            continue
        features = day15_features(
            certificates, case.start, case.care_provider_id, patient, unit_names, gap
        )
        if features is None:
            continue
        lead = max(case.certificates, key=lambda c: c.recency)
        result.append(
            Example(
                case.patient_id,
                case.care_provider_id,
                lead.unit_id,
                case.start,
                features,
                result_outcome,
                case.days,
                case.end + timedelta(days=gap) < as_of,
            )
        )
    return result
