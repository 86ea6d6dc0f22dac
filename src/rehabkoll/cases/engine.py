"""The case engine (sjukfallsmotor), reference form.

Plain functions on plain data, no I/O. The rules, with hand-worked examples,
are in docs/cases.md; ``rehabkoll.cases.bulk`` is the vectorised form of the
same rules and a property test holds the two to the same answers.

- A certificate's start is its earliest period start, its end its latest
  period end; it is *active* on a day inside one of its periods.
- Per patient and care provider, certificates sorted by start chain into one
  case while ``start <= latest end so far + gap + 1`` (at most ``gap``
  uncovered days between them).
- ``days``: calendar days in the union of the case's periods. ``net_days``:
  each of those days weighted by the degree of the most recently signed
  certificate covering it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import attrgetter, lt
from typing import NamedTuple

DEFAULT_GAP = 5
MAX_GAP = 90
MAX_RECENT = 14
ONE_DAY = timedelta(days=1)


class InvalidSettingError(ValueError):
    """A gap or recently-ended window outside its allowed range."""


# Period, CertificateRecord and Case are values, never changed once made; they
# are not declared frozen because a work list builds tens of thousands of them
# and a frozen dataclass costs three times as much to create. CaseRow, the
# answer, is immutable: callers keep it and key dictionaries on it.


@dataclass(slots=True)
class Period:
    start: date
    end: date
    degree: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(slots=True)
class CertificateRecord:
    """What the engine needs of one effective certificate (not test, revoked or replaced)."""

    id: str
    patient_id: str
    care_provider_id: str
    unit_id: str
    doctor_id: str
    signed_at: datetime
    periods: tuple[Period, ...]
    diagnosis: str
    secondary_diagnoses: tuple[str, ...] = ()
    occupation: tuple[str, ...] = ()
    start: date = field(init=False, compare=False)
    end: date = field(init=False, compare=False)

    def __post_init__(self) -> None:
        # Derived once: the engine asks for them many times per certificate.
        periods = self.periods
        if len(periods) == 1:
            start, end = periods[0].start, periods[0].end
        else:
            start, end = min(p.start for p in periods), max(p.end for p in periods)
        self.start = start
        self.end = end

    def degree_on(self, day: date) -> int | None:
        """The degree on ``day``, or None when no period covers it (not active)."""
        for period in self.periods:
            if period.start <= day <= period.end:
                return period.degree
        return None

    def active_on(self, day: date) -> bool:
        return self.degree_on(day) is not None

    @property
    def recency(self) -> tuple[datetime, str]:
        """Order of 'most recently signed'; the id breaks ties so the answer is stable."""
        return (self.signed_at, self.id)


@dataclass(slots=True)
class Case:
    """Sjukfall: one patient's chained certificates at one care provider."""

    patient_id: str
    care_provider_id: str
    certificates: tuple[CertificateRecord, ...]  # sorted by start
    start: date
    end: date
    days: int
    net_days: float


class CaseRow(NamedTuple):
    """One case as a work list or patient view shows it (the CLI's JSON keys).

    A named tuple: immutable and hashable like a frozen dataclass, and a fifth
    of the cost to create, which counts in a work list of thousands of rows."""

    patient_id: str
    start: date
    end: date
    days: int
    net_days: float
    certificates: int
    degree: int | None
    degrees: tuple[int, ...]
    diagnosis: str
    secondary_diagnoses: tuple[str, ...]
    doctor_id: str
    unit_id: str
    occupation: tuple[str, ...]
    days_left: int
    recently_ended: bool
    lead_certificate_id: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "patient_id": self.patient_id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "net_days": self.net_days,
            "certificates": self.certificates,
            "degree": self.degree,
            "degrees": list(self.degrees),
            "diagnosis": self.diagnosis,
            "secondary_diagnoses": list(self.secondary_diagnoses),
            "doctor_id": self.doctor_id,
            "unit_id": self.unit_id,
            "occupation": list(self.occupation),
            "days_left": self.days_left,
            "recently_ended": self.recently_ended,
        }


JSON_KEYS = (
    "patient_id",
    "start",
    "end",
    "days",
    "net_days",
    "certificates",
    "degree",
    "degrees",
    "diagnosis",
    "secondary_diagnoses",
    "doctor_id",
    "unit_id",
    "occupation",
    "days_left",
    "recently_ended",
)


_START = attrgetter("start")
_END = attrgetter("end")
_CHAIN_ORDER = attrgetter("start", "signed_at", "id")
# How far past a case's latest end a certificate may start and still join it,
# for each allowed gap: made once rather than for every patient of a work list.
_REACH = tuple(timedelta(days=gap + 1) for gap in range(MAX_GAP + 1))


def check_gap(gap: int) -> int:
    if not 0 <= gap <= MAX_GAP:
        raise InvalidSettingError(f"gap must be between 0 and {MAX_GAP} days, not {gap}")
    return gap


def check_recent(recent: int) -> int:
    if not 0 <= recent <= MAX_RECENT:
        raise InvalidSettingError(
            f"recently ended must be between 0 and {MAX_RECENT} days, not {recent}"
        )
    return recent


def chain(certificates: Sequence[CertificateRecord], gap: int = DEFAULT_GAP) -> list[Case]:
    """Chain one patient's certificates at one care provider into cases."""
    check_gap(gap)
    return [_case(group) for group in _groups(certificates, gap)]


def _groups(certificates: Sequence[CertificateRecord], gap: int) -> list[list[CertificateRecord]]:
    """The chaining rule: certificates by start, each joining the current group
    while it starts at most gap + 1 days after the latest end so far."""
    starts = list(map(_START, certificates))
    ordered = (
        certificates
        if all(map(lt, starts, itertools.islice(starts, 1, None)))
        else sorted(certificates, key=_CHAIN_ORDER)
    )  # already in order, as the database mostly returns them, saves the sort keys
    step = _REACH[gap]
    groups: list[list[CertificateRecord]] = []
    reach = date.min  # the last day a certificate may start on and still join
    for cert in ordered:
        if groups and cert.start <= reach:
            groups[-1].append(cert)
            if cert.end + step > reach:
                reach = cert.end + step
        else:
            groups.append([cert])
            reach = cert.end + step
    return groups


def _by_patient_and_provider(
    certificates: Iterable[CertificateRecord], *, ordered: bool = True
) -> list[list[CertificateRecord]]:
    """Each patient's certificates at each care provider; ``ordered``: by patient
    and provider, else in the order they first appear."""
    by_key: dict[tuple[str, str], list[CertificateRecord]] = defaultdict(list)
    for cert in certificates:
        by_key[(cert.patient_id, cert.care_provider_id)].append(cert)
    return [by_key[key] for key in sorted(by_key)] if ordered else list(by_key.values())


def _case(group: list[CertificateRecord]) -> Case:
    days, net = measure(group)
    first = group[0]
    # Positional, in the order of Case's fields: a work list makes one per
    # listed patient, and keyword arguments cost an eighth of the engine's time.
    return Case(
        first.patient_id,
        first.care_provider_id,
        tuple(group),
        first.start,  # groups are ordered by start
        max(map(_END, group)),
        days,
        net,
    )


def measure(certificates: Iterable[CertificateRecord]) -> tuple[int, float]:
    """Days in the union of the periods, and net days (each day by the degree of
    the most recently signed certificate covering it).

    Works on intervals, not days: periods are taken most recent first, and each
    contributes only the days no more recent period has claimed.
    """
    if not isinstance(certificates, list):
        certificates = list(certificates)
    # The common case first: no day covered twice, so no certificate outranks
    # another. Chained certificates mostly come in start order already.
    all_periods = [p for c in certificates for p in c.periods]
    totals = _disjoint_totals(all_periods)
    if totals is None and len(all_periods) > 1:
        totals = _disjoint_totals(sorted(all_periods, key=_START))
    if totals is not None:
        return totals[0], round(totals[1] / 100, 2)
    periods = [(c.recency, p) for c in certificates for p in c.periods]
    periods.sort(key=lambda item: item[0], reverse=True)
    claimed: list[tuple[date, date]] = []  # disjoint, sorted by start
    days = 0
    weighted = 0
    for _, period in periods:
        fresh = _uncovered_days(claimed, period.start, period.end)
        days += fresh
        weighted += fresh * period.degree
        claimed = _merge(claimed, period.start, period.end)
    return days, round(weighted / 100, 2)


def _disjoint_totals(periods: list[Period]) -> tuple[int, int] | None:
    """Days and degree-weighted days of ``periods`` if each starts after the
    previous one ends (so they are in order and no day is covered twice), else None."""
    days = weighted = 0
    last = date.min
    for period in periods:
        if period.start <= last:
            return None
        length = (period.end - period.start).days + 1
        days += length
        weighted += length * period.degree
        last = period.end
    return days, weighted


def _uncovered_days(claimed: list[tuple[date, date]], start: date, end: date) -> int:
    covered = 0
    for c_start, c_end in claimed:
        lo, hi = max(c_start, start), min(c_end, end)
        if lo <= hi:
            covered += (hi - lo).days + 1
    return (end - start).days + 1 - covered


def _merge(claimed: list[tuple[date, date]], start: date, end: date) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for c_start, c_end in sorted([*claimed, (start, end)]):
        if merged and c_start <= merged[-1][1] + ONE_DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], c_end))
        else:
            merged.append((c_start, c_end))
    return merged


def build_cases(certificates: Iterable[CertificateRecord], gap: int = DEFAULT_GAP) -> list[Case]:
    """Every case of every patient and care provider, ordered by patient, provider, start."""
    check_gap(gap)  # also when there is nothing to chain
    cases: list[Case] = []
    for certs in _by_patient_and_provider(certificates):
        cases.extend(_case(group) for group in _groups(certs, gap))
    return cases


def case_row(case: Case, as_of: date, *, recently_ended: bool = False) -> CaseRow:
    """Describe a case as seen on ``as_of`` through its lead certificate: the most
    recently signed certificate active that day, else the one with the latest end
    (ties again by signing time)."""
    lead = _lead_on(case.certificates, as_of)
    if lead is None:
        lead = max(case.certificates, key=lambda c: (c.end, c.recency))
    return _row(case, as_of, lead, recently_ended=recently_ended)


def _lead_on(certificates: Iterable[CertificateRecord], day: date) -> CertificateRecord | None:
    """The most recently signed of the certificates active on ``day``, if any."""
    lead: CertificateRecord | None = None
    for cert in certificates:
        if (
            cert.start <= day <= cert.end
            and cert.active_on(day)
            and (lead is None or cert.recency > lead.recency)
        ):
            lead = cert
    return lead


def _row(case: Case, as_of: date, lead: CertificateRecord, *, recently_ended: bool) -> CaseRow:
    periods = lead.periods
    # Positional, in the order of CaseRow's fields (named in the comments), as in _case.
    return CaseRow(
        case.patient_id,
        case.start,
        case.end,
        case.days,
        case.net_days,
        len(case.certificates),  # certificates
        lead.degree_on(as_of),  # degree
        (periods[0].degree,)  # degrees
        if len(periods) == 1
        else tuple(p.degree for p in sorted(periods, key=_START)),
        lead.diagnosis,
        lead.secondary_diagnoses,
        lead.doctor_id,
        lead.unit_id,
        lead.occupation,
        (case.end - as_of).days,  # days_left
        recently_ended,
        lead.id,  # lead_certificate_id
    )


def work_list(
    certificates: Iterable[CertificateRecord],
    *,
    unit_id: str,
    as_of: date,
    gap: int = DEFAULT_GAP,
    recent: int = 0,
) -> list[CaseRow]:
    """Pågående sjukfall: the unit's work list on ``as_of``.

    Only the unit's own certificates count. A patient is listed when one of
    their certificates is active on ``as_of``, or (``recent`` > 0) when none is
    active and their latest case ended within the last ``recent`` days.
    Rows are ordered by patient id.
    """
    check_gap(gap)
    check_recent(recent)
    own = [c for c in certificates if c.unit_id == unit_id]
    rows: list[CaseRow] = []
    earliest = as_of - timedelta(days=recent)
    for certs in _by_patient_and_provider(own, ordered=False):  # the rows are sorted below
        # Only the listed case is measured: a patient's older cases are chained
        # (they decide where the listed one begins) but never described. A case
        # with a certificate active on as_of has started by then.
        groups = _groups(certs, gap)
        listed = False
        for group in groups:
            lead = _lead_on(group, as_of)
            if lead is not None:
                rows.append(_row(_case(group), as_of, lead, recently_ended=False))
                listed = True
        if listed:
            continue
        started = [g for g in groups if g[0].start <= as_of]
        if not started:
            continue
        latest = max(started, key=lambda g: max(map(_END, g)))
        if earliest <= max(map(_END, latest)) < as_of:
            rows.append(case_row(_case(latest), as_of, recently_ended=True))
    rows.sort(key=lambda r: (r.patient_id, r.start))
    return rows


def patient_view(
    certificates: Iterable[CertificateRecord],
    *,
    patient_id: str,
    unit_id: str,
    as_of: date,
    gap: int = DEFAULT_GAP,
) -> list[CaseRow]:
    """All of the patient's cases at the unit on ``as_of``, newest first; cases
    that start after ``as_of`` are left out."""
    own = [c for c in certificates if c.unit_id == unit_id and c.patient_id == patient_id]
    cases = [c for c in build_cases(own, gap) if c.start <= as_of]
    cases.sort(key=lambda c: c.start, reverse=True)
    return [case_row(case, as_of, recently_ended=False) for case in cases]
