"""The indicators' rules as pure functions on plain data (docs/agreement.md
defines each and works examples by hand; tests/test_agreement_indicators.py
holds them).

A **period** is a calendar year or a quarter. A **figure** is a count of a
numerator out of a denominator (a share) or a plain value, for women, men and
everyone.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from rehabkoll.cases.engine import CertificateRecord, Period, measure


@dataclass(frozen=True, slots=True)
class Window:
    """A period the indicators are counted over: a year or a quarter."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def year_window(year: int) -> Window:
    return Window(date(year, 1, 1), date(year, 12, 31), str(year))


def quarter_windows(year: int) -> list[Window]:
    out = []
    for q in range(4):
        start = date(year, 3 * q + 1, 1)
        following = date(year + (q == 3), (3 * q + 3) % 12 + 1, 1)
        out.append(Window(start, following - timedelta(days=1), f"{year} K{q + 1}"))
    return out


@dataclass(frozen=True, slots=True)
class Share:
    """numerator of denominator; ``percent`` None when the denominator is 0."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if self.denominator == 0:
            return None
        return 100 * self.numerator / self.denominator


class UnitKind(StrEnum):
    """vårdcentral, psykiatrisk mottagning, sjukhusklinik."""

    PRIMARY_CARE = "primary_care"
    PSYCHIATRY = "psychiatry"
    HOSPITAL = "hospital"


_PRIMARY_WORDS = ("vårdcentral", "hälsocentral", "husläkar", "familjeläkar", "närhälsan")


def unit_kind(name: str) -> UnitKind:
    """A unit's kind from its name (the project's rule; units carry no kind):
    a primary care word → primary care; "psykiatri" → psychiatry; else a
    hospital clinic."""
    lowered = name.lower()
    if any(word in lowered for word in _PRIMARY_WORDS):
        return UnitKind.PRIMARY_CARE
    if "psykiatri" in lowered:
        return UnitKind.PSYCHIATRY
    return UnitKind.HOSPITAL


def coordination_function(
    *,
    kinds: Mapping[str, UnitKind],
    active: Collection[str],
    with_coordinator: Collection[str],
    with_records: Collection[str],
    kind: UnitKind,
) -> Share:
    """Of the units of ``kind`` that issued a certificate in the period
    (``active``), those with both a coordinator account and coordination
    records with an entry in the period."""
    units = [u for u in active if kinds.get(u) is kind]
    met = [u for u in units if u in with_coordinator and u in with_records]
    return Share(len(met), len(units))


@dataclass(frozen=True, slots=True)
class CaseFact:
    """What the indicators need of a case: who, where, when, how long."""

    patient_id: str
    unit_id: str
    sex: str
    start: date
    end: date
    days: int


def reached(case: CaseFact, threshold: int, window: Window) -> bool:
    """Whether the case was more than ``threshold`` days long at some day of the
    window: it was ongoing in the window, and its day threshold + 1 fell on or
    before the window's end. (Days are counted from the case's start, so a case
    with gaps reaches it a little later; the rule counts calendar days.)"""
    if case.end < window.start or case.start > window.end:
        return False
    return case.days > threshold and case.start + timedelta(days=threshold) <= window.end


def coverage(
    cases: Iterable[CaseFact],
    *,
    threshold: int,
    window: Window,
    covered: Collection[tuple[str, str]],
) -> dict[str, Share]:
    """Of the cases over ``threshold`` days in the window, those whose (patient,
    unit) is in ``covered``; by sex (F, M) and for all ("all")."""
    counts = {"F": [0, 0], "M": [0, 0], "all": [0, 0]}
    for case in cases:
        if not reached(case, threshold, window):
            continue
        hit = (case.patient_id, case.unit_id) in covered
        for key in (case.sex, "all"):
            if key in counts:
                counts[key][1] += 1
                counts[key][0] += hit
    return {k: Share(n, d) for k, (n, d) in counts.items()}


def clipped(record: CertificateRecord, window: Window) -> CertificateRecord | None:
    """The certificate with its periods cut to the window (None if nothing is left)."""
    periods = tuple(
        Period(max(p.start, window.start), min(p.end, window.end), p.degree)
        for p in record.periods
        if p.end >= window.start and p.start <= window.end
    )
    if not periods:
        return None
    return replace(record, periods=periods)


def net_days(records: Iterable[CertificateRecord], window: Window) -> float:
    """Net days within the window: each day by the degree of the most recently
    signed certificate covering it (the case engine's rule), per patient and
    care provider."""
    return sum(net_days_by_patient(records, window).values())


def net_days_by_patient(records: Iterable[CertificateRecord], window: Window) -> dict[str, float]:
    """The same net days, per patient (summed over their care providers)."""
    by_key: dict[tuple[str, str], list[CertificateRecord]] = {}
    for record in records:
        if record.end < window.start or record.start > window.end:
            continue
        cut = clipped(record, window)
        if cut is not None:
            by_key.setdefault((record.patient_id, record.care_provider_id), []).append(cut)
    out: dict[str, float] = {}
    for (patient, _), group in by_key.items():
        out[patient] = out.get(patient, 0.0) + measure(group)[1]
    return out


def per_insured_and_year(net: float, insured: int, window: Window) -> float | None:
    """Net days per insured person, scaled to a year of 365 days."""
    if insured <= 0:
        return None
    return net / insured * 365 / window.days


def relative_change(current: float | None, previous: float | None) -> float | None:
    """(current − previous) / previous × 100, in per cent."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous * 100


def length_difference(cases: Iterable[CaseFact], window: Window) -> float | None:
    """Mean length in days of the cases that ended in the window, women minus
    men (None when either has no case)."""
    lengths: dict[str, list[int]] = {"F": [], "M": []}
    for case in cases:
        if window.start <= case.end <= window.end and case.sex in lengths:
            lengths[case.sex].append(case.days)
    if not lengths["F"] or not lengths["M"]:
        return None
    return sum(lengths["F"]) / len(lengths["F"]) - sum(lengths["M"]) / len(lengths["M"])


def meets(value: float | None, comparison: str, threshold: float | None) -> bool | None:
    """Whether a figure meets a condition's threshold (None: no figure or no threshold)."""
    if value is None or threshold is None:
        return None
    return value >= threshold if comparison == ">=" else value <= threshold


def shares_by_sex(items: Iterable[tuple[str, bool]]) -> dict[str, Share]:
    """(sex, counted as a hit) per item → the share of hits for F, M and all."""
    counts = {"F": [0, 0], "M": [0, 0], "all": [0, 0]}
    for sex, hit in items:
        for key in (sex, "all"):
            if key in counts:
                counts[key][1] += 1
                counts[key][0] += hit
    return {k: Share(n, d) for k, (n, d) in counts.items()}
