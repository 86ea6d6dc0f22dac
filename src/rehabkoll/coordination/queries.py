"""Questions about many patients' coordination records at once, for the work
list ("needs attention", the status column) and for statistics. Each is one
query (per 10,000 patients), never one per patient. Entries withdrawn as
written in error (``retracted_at``) count for none of them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, union_all
from sqlalchemy.orm import Session

from rehabkoll.coordination.enums import PlanKind, Status
from rehabkoll.coordination.models import (
    Consent,
    Contact,
    CoordinationRecord,
    Meeting,
    Plan,
    Referral,
    StatusChange,
    Task,
)
from rehabkoll.db.listed import listed

CHUNK = 10_000
R = CoordinationRecord


def _chunks(ids: Collection[str]) -> Iterator[list[str]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _run(
    session: Session,
    ids: Collection[str],
    build: Callable[[ColumnElement[bool]], Select[*tuple[Any, ...]]],
) -> Iterator[Any]:
    """Rows of ``build(listed)`` for each chunk of ``ids``, ``listed`` being
    the condition that a record's patient is in the chunk."""
    for chunk in _chunks(ids):
        yield from session.execute(build(listed(session, R.patient_id, chunk)))


def statuses(session: Session, *, unit_id: str, patient_ids: Collection[str]) -> dict[str, str]:
    """Patient → status value (a ``Status``) of the records at the unit that have one."""
    return {
        row.patient_id: str(row.status)
        for row in _run(
            session,
            patient_ids,
            lambda listed: select(R.patient_id, R.status).where(
                R.unit_id == unit_id, listed, R.status.is_not(None)
            ),
        )
    }


def last_contact(
    session: Session, *, unit_id: str, patient_ids: Collection[str]
) -> dict[str, date]:
    """Patient → day of the latest contact or meeting recorded at the unit."""

    def build(listed: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
        days = union_all(
            select(Contact.record_id, Contact.day).where(Contact.retracted_at.is_(None)),
            select(Meeting.record_id, Meeting.day).where(Meeting.retracted_at.is_(None)),
        ).subquery()
        return (
            select(R.patient_id, func.max(days.c.day).label("day"))
            .join(days, days.c.record_id == R.id)
            .where(R.unit_id == unit_id, listed)
            .group_by(R.patient_id)
        )

    return {row.patient_id: row.day for row in _run(session, patient_ids, build)}


def consent_expiry(
    session: Session, *, unit_id: str, patient_ids: Collection[str]
) -> dict[str, date]:
    """Patient → the last day covered by the patient's consents at the unit (the
    latest ``valid_to``). Withdrawn consents do not count; a patient with an
    open-ended consent, or none, is left out: nothing expires."""

    def build(listed: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
        return (
            select(R.patient_id, func.max(Consent.valid_to).label("valid_to"))
            .join(Consent, Consent.record_id == R.id)
            .where(
                R.unit_id == unit_id,
                listed,
                Consent.withdrawn_on.is_(None),
                Consent.retracted_at.is_(None),
            )
            .group_by(R.patient_id)
            # count(valid_to) skips the open-ended ones
            .having(func.count(Consent.id) == func.count(Consent.valid_to))
        )

    return {row.patient_id: row.valid_to for row in _run(session, patient_ids, build)}


def has_closing_plan(session: Session, *, unit_id: str, patient_ids: Collection[str]) -> set[str]:
    """The patients with a plan for closing (plan för avslut) at the unit."""
    kinds = plan_kinds(session, unit_id=unit_id, patient_ids=patient_ids)
    return {patient for patient, found in kinds.items() if PlanKind.CLOSING_PLAN in found}


def plan_kinds(
    session: Session, *, unit_id: str, patient_ids: Collection[str]
) -> dict[str, set[str]]:
    """Patient → the kinds of plan (a ``PlanKind``: rehabiliteringsplan, plan
    för avslut) the patient has at the unit; patients without one are left out."""
    found: dict[str, set[str]] = {}
    for row in _run(
        session,
        patient_ids,
        lambda listed: (
            select(R.patient_id, Plan.kind)
            .join(Plan, Plan.record_id == R.id)
            .where(R.unit_id == unit_id, listed, Plan.retracted_at.is_(None))
            .distinct()
        ),
    ):
        found.setdefault(row.patient_id, set()).add(str(row.kind))
    return found


def overdue_tasks(
    session: Session, *, unit_id: str, patient_ids: Collection[str], as_of: date
) -> dict[str, date]:
    """Patient → the due day of their oldest open task at the unit due before ``as_of``."""
    return {
        row.patient_id: _as_day(row.due)
        for row in _run(
            session,
            patient_ids,
            lambda listed: (
                select(R.patient_id, func.min(Task.due).label("due"))
                .join(Task, Task.record_id == R.id)
                .where(
                    R.unit_id == unit_id,
                    listed,
                    Task.done.is_(False),
                    Task.retracted_at.is_(None),
                    Task.due < as_of,
                )
                .group_by(R.patient_id)
            ),
        )
    }


def _as_day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def closing_plans(session: Session, *, patient_ids: Collection[str]) -> dict[str, date]:
    """Patient → the day a plan for closing was first recorded for them, at any unit."""
    return {
        row.patient_id: _as_day(row.at)
        for row in _run(
            session,
            patient_ids,
            lambda listed: (
                select(R.patient_id, func.min(Plan.recorded_at).label("at"))
                .join(Plan, Plan.record_id == R.id)
                .where(
                    listed,
                    Plan.kind == PlanKind.CLOSING_PLAN,
                    Plan.retracted_at.is_(None),
                )
                .group_by(R.patient_id)
            ),
        )
    }


def closed_records(session: Session, *, patient_ids: Collection[str]) -> dict[str, date]:
    """Patient → the day a record of theirs was recorded as closed (Avslutad).

    Only records whose status is Avslutad now count, each by the day of the
    change that closed it (a closed and reopened record is not closed); with
    several closed records (units), the earliest day."""
    return {
        row.patient_id: _as_day(row.at)
        for row in _run(
            session,
            patient_ids,
            lambda listed: (
                select(R.patient_id, func.min(StatusChange.changed_at).label("at"))
                .join(
                    StatusChange,
                    and_(StatusChange.record_id == R.id, StatusChange.version == R.version),
                )
                .where(listed, R.status == Status.CLOSED)
                .group_by(R.patient_id)
            ),
        )
    }


def measures_by_month(
    session: Session, *, unit_ids: Collection[str] | None, start: date, end: date
) -> list[tuple[str, str, date]]:
    """(unit, patient, first day of month) for each month from ``start`` to ``end``
    (inclusive, by the day the measure took place) in which the patient had a
    contact, meeting or referral at the unit; all units when ``unit_ids`` is None."""
    days = union_all(
        *(
            select(model.record_id, model.day.label("day")).where(
                model.day >= start, model.day <= end, model.retracted_at.is_(None)
            )
            for model in (Contact, Meeting, Referral)
        )
    ).subquery()
    query = (
        select(R.unit_id, R.patient_id, days.c.day).join(days, days.c.record_id == R.id).distinct()
    )
    if unit_ids is not None:
        if not unit_ids:
            return []
        query = query.where(R.unit_id.in_(sorted(set(unit_ids))))
    months = {
        (row.unit_id, row.patient_id, row.day.replace(day=1)) for row in session.execute(query)
    }
    return sorted(months)
