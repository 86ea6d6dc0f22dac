"""The coordination state the work list shows and the "needs attention" view
weighs, for many patients at once (five queries, never one per patient)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy.orm import Session

from rehabkoll.coordination import service as coordination
from rehabkoll.coordination.enums import PlanKind, Status
from rehabkoll.web.worklist import CoordinationFacts

NONE = CoordinationFacts()


def load(
    session: Session, *, unit_id: str, patient_ids: Collection[str], as_of: date
) -> dict[str, CoordinationFacts]:
    if not patient_ids:
        return {}
    ids = list(patient_ids)
    statuses = coordination.statuses(session, unit_id=unit_id, patient_ids=ids)
    contacts = coordination.last_contact(session, unit_id=unit_id, patient_ids=ids)
    expiry = coordination.consent_expiry(session, unit_id=unit_id, patient_ids=ids)
    plans = coordination.plan_kinds(session, unit_id=unit_id, patient_ids=ids)
    overdue = coordination.overdue_tasks(session, unit_id=unit_id, patient_ids=ids, as_of=as_of)
    facts: dict[str, CoordinationFacts] = {}
    for patient in set(statuses) | set(contacts) | set(expiry) | set(plans) | set(overdue):
        status = statuses.get(patient)
        facts[patient] = CoordinationFacts(
            status=Status(status).label if status else "",
            active=status == Status.ACTIVE,
            last_contact=contacts.get(patient),
            consent_expiry=expiry.get(patient),
            closing_plan=PlanKind.CLOSING_PLAN in plans.get(patient, ()),
            plan=patient in plans,
            overdue_since=overdue.get(patient),
        )
    return facts
