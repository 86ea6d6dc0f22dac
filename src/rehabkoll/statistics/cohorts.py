"""Cohort follow-up (kohortuppföljning), as in the seeds' "long cases" project:
take the cases ongoing on a day and at least so long, then follow how many get a
plan for closing (plan för avslut) or are closed.

- Member: a case (reference engine, the scope's certificates) with a
  certificate active on ``as_of`` and at least ``min_days`` calendar days in
  the union of its periods up to ``as_of``.
- On a later day D a member *has a plan* when a plan for closing was first
  recorded on or before D; it is *closed* when its case (rebuilt from the
  certificates known now) ended before D, or its coordination record was set to
  Avslutad on or before D. The share is (plan or closed) / size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from rehabkoll.cases.engine import Case, CertificateRecord, build_cases, check_gap, measure
from rehabkoll.certificates.models import Certificate
from rehabkoll.lib import personnummer
from rehabkoll.statistics.models import Cohort, CohortMember
from rehabkoll.statistics.query import Scope, ScopeKind, month_end, months
from rehabkoll.statistics.source import periods_table, records_of


class CohortError(ValueError):
    """A cohort that cannot be made or found."""


def _records(
    session: Session, scope: Scope, patient_ids: Sequence[str], until: date
) -> list[CertificateRecord]:
    table = periods_table(session, scope, until=until, patient_ids=patient_ids)
    return records_of(table)[0]


def _scope_filter(scope: Scope) -> list[ColumnElement[bool]]:
    if scope.kind is ScopeKind.UNIT:
        return [Certificate.unit_id == scope.id]
    if scope.kind is ScopeKind.PROVIDER:
        return [Certificate.care_provider_id == scope.id]
    return []


def days_until(case: Case, day: date) -> int:
    """Calendar days in the union of the case's periods up to ``day``."""
    clipped = []
    for cert in case.certificates:
        periods = tuple(replace(p, end=min(p.end, day)) for p in cert.periods if p.start <= day)
        if periods:
            clipped.append(replace(cert, periods=periods))
    return measure(clipped)[0]


def sex_of(patient_id: str) -> str:
    """Sex from the personnummer ('F' or 'M')."""
    return personnummer.parse(patient_id).sex.value


def create(
    session: Session, *, name: str, scope: Scope, as_of: date, min_days: int, gap: int = 5
) -> Cohort:
    """Store the cohort of ``scope`` on ``as_of``; the caller commits."""
    check_gap(gap)
    if not name.strip() or len(name) > 100:
        raise CohortError("a cohort needs a name of 1–100 characters")
    if min_days < 1:
        raise CohortError("--min-days must be at least 1")
    if session.get(Cohort, name) is not None:
        raise CohortError(f"a cohort named {name!r} exists already")
    candidates = session.scalars(
        select(Certificate.patient_id)
        .where(
            Certificate.effective.is_(True),
            Certificate.start <= as_of,
            Certificate.end >= as_of,
            *_scope_filter(scope),
        )
        .distinct()
    ).all()
    cohort = Cohort(
        name=name,
        scope=str(scope),
        as_of=as_of,
        min_days=min_days,
        gap=gap,
        created_at=datetime.now(),
    )
    for case in build_cases(_records(session, scope, candidates, as_of), gap):
        active = [c for c in case.certificates if c.active_on(as_of)]
        if not active or days_until(case, as_of) < min_days:
            continue
        lead = max(active, key=lambda c: c.recency)
        cohort.members.append(
            CohortMember(
                patient_id=case.patient_id,
                care_provider_id=case.care_provider_id,
                case_start=case.start,
                unit_id=lead.unit_id,
                sex=sex_of(case.patient_id),
            )
        )
    session.add(cohort)
    session.flush()
    return cohort


@dataclass(frozen=True, slots=True)
class MemberState:
    member: CohortMember
    plan: date | None  # first plan for closing
    closed_record: date | None  # record set to Avslutad
    case_end: date | None  # the case's end as known now
    days: int  # length up to the report day

    def done_on(self, day: date) -> bool:
        return self.has_plan_on(day) or self.closed_on(day)

    def has_plan_on(self, day: date) -> bool:
        return self.plan is not None and self.plan <= day

    def closed_on(self, day: date) -> bool:
        ended = self.case_end is not None and self.case_end < day
        return ended or (self.closed_record is not None and self.closed_record <= day)


@dataclass
class CohortReport:
    name: str
    scope: str
    created_as_of: date
    min_days: int
    as_of: date
    size: int
    with_plan: int
    closed: int
    done: int  # with a plan or closed
    by_sex: dict[str, tuple[int, int]]  # sex → (members, with a plan or closed)
    movement: list[tuple[date, int, float]]  # (day, done, share)
    open_cases: list[MemberState] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.done / self.size if self.size else 0.0


def get(session: Session, name: str) -> Cohort:
    cohort = session.get(Cohort, name)
    if cohort is None:
        raise CohortError(f"no cohort named {name!r}")
    return cohort


def report(session: Session, *, name: str, as_of: date | None = None) -> CohortReport:
    """Where the cohort stands on ``as_of`` (default today) and month by month since."""
    from rehabkoll.coordination.queries import closed_records, closing_plans

    cohort = get(session, name)
    day = as_of or date.today()
    members = list(cohort.members)
    ids = [m.patient_id for m in members]
    plans = closing_plans(session, patient_ids=ids)
    closed = closed_records(session, patient_ids=ids)
    cases: dict[tuple[str, str], list[Case]] = {}
    for case in build_cases(_records(session, Scope.parse(cohort.scope), ids, day), cohort.gap):
        cases.setdefault((case.patient_id, case.care_provider_id), []).append(case)
    states = []
    for m in members:
        found = next(
            (
                c
                for c in cases.get((m.patient_id, m.care_provider_id), [])
                if c.start <= m.case_start <= c.end
            ),
            None,
        )
        states.append(
            MemberState(
                m,
                plans.get(m.patient_id),
                closed.get(m.patient_id),
                found.end if found else None,
                days_until(found, day) if found else 0,
            )
        )
    movement = []
    for first in months(cohort.as_of, day):
        point = min(month_end(first), day)
        done = sum(1 for s in states if s.done_on(point))
        movement.append((point, done, done / len(states) if states else 0.0))
    by_sex = {
        sex: (
            sum(1 for s in states if s.member.sex == sex),
            sum(1 for s in states if s.member.sex == sex and s.done_on(day)),
        )
        for sex in ("F", "M")
    }
    return CohortReport(
        name=cohort.name,
        scope=cohort.scope,
        created_as_of=cohort.as_of,
        min_days=cohort.min_days,
        as_of=day,
        size=len(states),
        with_plan=sum(1 for s in states if s.has_plan_on(day)),
        closed=sum(1 for s in states if s.closed_on(day)),
        done=sum(1 for s in states if s.done_on(day)),
        by_sex=by_sex,
        movement=movement,
        open_cases=sorted(
            (s for s in states if not s.done_on(day)),
            key=lambda s: (s.member.unit_id, -s.days, s.member.patient_id),
        ),
    )
