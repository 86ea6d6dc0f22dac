"""The statistics' counting rules, reference form: plain Python on the reference
case engine (``rehabkoll.cases.engine``), no I/O.

The DuckDB engine (``rehabkoll.statistics.duck``) is the fast form of the same
rules; a property test holds the two to the same report counts. The rules,
with hand-worked examples, are in docs/statistics.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from rehabkoll.cases.engine import Case, CertificateRecord, Period, build_cases, measure
from rehabkoll.lib.personnummer import PersonalNumber
from rehabkoll.statistics.query import Query, ScopeKind, month_end, months


@dataclass(frozen=True, slots=True)
class Person:
    """What the statistics need of a patient: sex ('F'/'M') and birth date."""

    sex: str
    birth_date: date

    @classmethod
    def of(cls, number: PersonalNumber) -> Person:
        return cls(number.sex.value, number.birth_date)


@dataclass(frozen=True, slots=True)
class CaseMonth:
    """One case counted in one calendar month."""

    patient_id: str
    care_provider_id: str
    case_start: date
    month: date  # its first day
    sex: str
    age: int  # on the case's last day in the month
    last_day: date  # the latest day of the month one of its periods covers
    days: int  # calendar days in the union of its periods up to last_day
    net_days: float  # the month's covered days, each by its degree
    certificates: int  # its certificates starting on or before last_day
    diagnosis: str  # of its most recently signed certificate covering the month
    degree: int  # of that certificate's latest period in the month
    unit_id: str  # of that certificate
    doctor_id: str  # of that certificate


def in_scope(record: CertificateRecord, query: Query) -> bool:
    if query.scope.kind is ScopeKind.UNIT:
        return record.unit_id == query.scope.id
    if query.scope.kind is ScopeKind.PROVIDER:
        return record.care_provider_id == query.scope.id
    return True


def case_months(
    records: Iterable[CertificateRecord], people: Mapping[str, Person], query: Query
) -> list[CaseMonth]:
    """Every case of the scope in every month of the query it covers."""
    own = [r for r in records if in_scope(r, query)]
    out: list[CaseMonth] = []
    for case in build_cases(own, query.gap):
        if case.end < query.first or case.start > query.window_end:
            continue
        for first in months(max(case.start, query.first), min(case.end, query.window_end)):
            row = month_of(case, first, people[case.patient_id])
            if row is not None:
                out.append(row)
    return out


def _clip(record: CertificateRecord, start: date, end: date) -> CertificateRecord | None:
    periods = tuple(
        Period(max(p.start, start), min(p.end, end), p.degree)
        for p in record.periods
        if p.start <= end and p.end >= start
    )
    return replace(record, periods=periods) if periods else None


def month_of(case: Case, first: date, person: Person) -> CaseMonth | None:
    """The case as counted in the month starting ``first`` (None: no period covers it)."""
    last = month_end(first)
    in_month = [c for c in (_clip(r, first, last) for r in case.certificates) if c is not None]
    if not in_month:
        return None
    lead = max(in_month, key=lambda c: c.recency)
    last_day = max(c.end for c in in_month)
    so_far = [c for c in (_clip(r, case.start, last_day) for r in case.certificates) if c]
    days, _ = measure(so_far)
    _, net = measure(in_month)
    return CaseMonth(
        patient_id=case.patient_id,
        care_provider_id=case.care_provider_id,
        case_start=case.start,
        month=first,
        sex=person.sex,
        age=_age(person.birth_date, last_day),
        last_day=last_day,
        days=days,
        net_days=net,
        certificates=sum(1 for c in case.certificates if c.start <= last_day),
        diagnosis=lead.diagnosis,
        degree=max(lead.periods, key=lambda p: p.start).degree,
        unit_id=lead.unit_id,
        doctor_id=lead.doctor_id,
    )


def _age(born: date, day: date) -> int:
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years
