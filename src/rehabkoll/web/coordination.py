"""The coordination record page (koordineringsinsatser) and its forms, and the
"my tasks" list. Every read and every change is logged; status and plan
changes carry the version the form was read at, so a stale edit is refused
with a conflict instead of silently overwriting someone else's change."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from rehabkoll.accounts import access
from rehabkoll.accounts.errors import AccessDeniedError
from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_access
from rehabkoll.coordination import service as coordination
from rehabkoll.coordination.enums import (
    CONSENT_PARTIES,
    MeetingKind,
    Party,
    PlanKind,
    ReferralKind,
    Status,
    Way,
)
from rehabkoll.web import queries
from rehabkoll.web.cases import list_settings
from rehabkoll.web.deps import AsOf, CurrentUser, SessionDep, Viewer, check_csrf, render
from rehabkoll.web.errors import FormError
from rehabkoll.web.patient import open_patient

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

SAVED = {
    "status": "Statusen har ändrats.",
    "consent": "Samtycket har registrerats.",
    "withdrawn": "Samtycket har återkallats.",
    "contact": "Kontakten har registrerats.",
    "meeting": "Mötet har registrerats.",
    "plan": "Planen har sparats.",
    "referral": "Remissen har registrerats.",
    "task": "Uppgiften har lagts till.",
    "done": "Uppgiften är klar.",
}
Short = Annotated[str, Form(max_length=200)]
Long = Annotated[str, Form(max_length=5000)]


def _day(name: str, text: str, *, required: bool = True) -> date | None:
    text = text.strip()
    if not text:
        if required:
            raise FormError(name, "a date is required")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FormError(name, "must be a date, YYYY-MM-DD") from None


def _required_day(name: str, text: str) -> date:
    day = _day(name, text)
    assert day is not None
    return day


def _editor(session: Session, viewer: Viewer, ref: str, as_of: date) -> tuple[str, str]:
    """(patient id, unit id) for a user who may change this patient's record."""
    if not access.can_edit_coordination(viewer.role):
        raise AccessDeniedError("only coordinators keep the coordination record")
    patient, _ = open_patient(session, viewer, ref, as_of, list_settings(viewer).gap)
    return patient.id, viewer.require_unit()


def _done(
    session: Session, viewer: Viewer, patient_id: str, ref: str, what: str, action: Action
) -> Response:
    log_access(
        session,
        user=viewer.user,
        role=viewer.role,
        unit_id=viewer.unit_id,
        patient_ids=[patient_id],
        action=action,
        purpose=viewer.purpose,
        detail=what,
    )
    session.commit()
    return RedirectResponse(f"/patients/{ref}/coordination?saved={what}#{what}", status_code=303)


@router.get("/patients/{ref}/coordination", response_class=HTMLResponse)
def record_page(
    request: Request,
    ref: str,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    saved: str = "",
) -> Response:
    patient, _ = open_patient(session, viewer, ref, as_of, list_settings(viewer).gap)
    unit_id = viewer.require_unit()
    record = coordination.get_record(session, patient_id=patient.id, unit_id=unit_id)
    log_access(
        session,
        user=viewer.user,
        role=viewer.role,
        unit_id=unit_id,
        patient_ids=[patient.id],
        action=Action.PATIENT_VIEW,
        purpose=viewer.purpose,
        detail="coordination record",
    )
    session.commit()
    return render(
        request,
        "coordination.html",
        viewer,
        title="Koordinering",
        nav="cases",
        patient=patient,
        record=record,
        can_edit=access.can_edit_coordination(viewer.role),
        flash=SAVED.get(saved, ""),
        today=date.today(),
        statuses=Status.choices(),
        consent_parties=[(p.value, p.label) for p in Party if p in CONSENT_PARTIES],
        parties=Party.choices(),
        ways=Way.choices(),
        meeting_kinds=MeetingKind.choices(),
        plan_kinds=PlanKind.choices(),
        referral_kinds=ReferralKind.choices(),
        Party=Party,
    )


@router.post("/patients/{ref}/coordination/status")
def set_status(
    ref: str,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    status: Short,
    version: Annotated[int, Form()],
) -> Response:
    patient_id, unit_id = _editor(session, viewer, ref, as_of)
    try:
        chosen = Status(status)
    except ValueError:
        raise FormError("status", "unknown status") from None
    coordination.set_status(
        session,
        patient_id=patient_id,
        unit_id=unit_id,
        status=chosen,
        expected_version=version,
        user=viewer.user,
    )
    return _done(session, viewer, patient_id, ref, "status", Action.COORDINATION_UPDATE)


@router.post("/patients/{ref}/coordination/consent")
async def add_consent(
    request: Request,
    ref: str,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    valid_from: Short,
    valid_to: Short = "",
    note: Long = "",
) -> Response:
    patient_id, unit_id = _editor(session, viewer, ref, as_of)
    form = await request.form()
    coordination.add_consent(
        session,
        patient_id=patient_id,
        unit_id=unit_id,
        parties=[str(p) for p in form.getlist("parties")],
        valid_from=_required_day("valid_from", valid_from),
        valid_to=_day("valid_to", valid_to, required=False),
        note=note,
        user=viewer.user,
    )
    return _done(session, viewer, patient_id, ref, "consent", Action.COORDINATION_CREATE)


@router.post("/patients/{ref}/coordination/consent/{consent_id}/withdraw")
def withdraw_consent(
    ref: str,
    consent_id: int,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    on: Short,
) -> Response:
    patient_id, unit_id = _editor(session, viewer, ref, as_of)
    coordination.withdraw_consent(
        session,
        patient_id=patient_id,
        consent_id=consent_id,
        unit_id=unit_id,
        on=_required_day("on", on),
        user=viewer.user,
    )
    return _done(session, viewer, patient_id, ref, "withdrawn", Action.COORDINATION_UPDATE)


@router.post("/patients/{ref}/coordination/contact")
def add_contact(
    ref: str,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    day: Short,
    party: Short,
    way: Short,
    summary: Long = "",
) -> Response:
    patient_id, unit_id = _editor(session, viewer, ref, as_of)
    coordination.add_contact(
        session,
        patient_id=patient_id,
        unit_id=unit_id,
        day=_required_day("day", day),
        party=_choice(Party, "party", party),
        way=_choice(Way, "way", way),
        summary=summary,
        user=viewer.user,
    )
    return _done(session, viewer, patient_id, ref, "contact", Action.COORDINATION_CREATE)


@router.post("/patients/{ref}/coordination/meeting")
def add_meeting(
    ref: str,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    kind: Short,
    day: Short,
    participants: Long = "",
    outcome: Long = "",
) -> Response:
    patient_id, unit_id = _editor(session, viewer, ref, as_of)
    coordination.add_meeting(
        session,
        patient_id=patient_id,
        unit_id=unit_id,
        kind=_choice(MeetingKind, "kind", kind),
        day=_required_day("day", day),
        participants=[p for p in participants.replace("\n", ",").split(",") if p.strip()],
        outcome=outcome,
        user=viewer.user,
    )
    return _done(session, viewer, patient_id, ref, "meeting", Action.COORDINATION_CREATE)


@router.post("/patients/{ref}/coordination/plan")
def add_plan(
    ref: str,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    kind: Short,
    version: Annotated[int, Form()],
    text: Long = "",
    planned_end: Short = "",
    responsible: Short = "",
) -> Response:
    patient_id, unit_id = _editor(session, viewer, ref, as_of)
    coordination.add_plan(
        session,
        patient_id=patient_id,
        unit_id=unit_id,
        kind=_choice(PlanKind, "kind", kind),
        text=text,
        planned_end=_day("planned_end", planned_end, required=False),
        responsible=responsible,
        expected_version=version,
        user=viewer.user,
    )
    return _done(session, viewer, patient_id, ref, "plan", Action.COORDINATION_UPDATE)


@router.post("/patients/{ref}/coordination/referral")
def add_referral(
    ref: str,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    kind: Short,
    day: Short,
    note: Long = "",
) -> Response:
    patient_id, unit_id = _editor(session, viewer, ref, as_of)
    coordination.add_referral(
        session,
        patient_id=patient_id,
        unit_id=unit_id,
        kind=_choice(ReferralKind, "kind", kind),
        day=_required_day("day", day),
        note=note,
        user=viewer.user,
    )
    return _done(session, viewer, patient_id, ref, "referral", Action.COORDINATION_CREATE)


@router.post("/patients/{ref}/coordination/task")
def add_task(
    ref: str,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    title: Short,
    due: Short = "",
    assignee: Short = "",
) -> Response:
    patient_id, unit_id = _editor(session, viewer, ref, as_of)
    coordination.add_task(
        session,
        patient_id=patient_id,
        unit_id=unit_id,
        title=title,
        due=_day("due", due, required=False),
        assignee=assignee.strip() or viewer.username,
        user=viewer.user,
    )
    return _done(session, viewer, patient_id, ref, "task", Action.COORDINATION_CREATE)


@router.post("/patients/{ref}/coordination/task/{task_id}/done")
def complete_task(
    ref: str, task_id: int, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    patient_id, unit_id = _editor(session, viewer, ref, as_of)
    coordination.complete_task(
        session, patient_id=patient_id, task_id=task_id, unit_id=unit_id, user=viewer.user
    )
    return _done(session, viewer, patient_id, ref, "done", Action.COORDINATION_UPDATE)


def _choice(
    kind: type[Status | Party | Way | MeetingKind | PlanKind | ReferralKind], name: str, value: str
) -> str:
    try:
        return str(kind(value))
    except ValueError:
        raise FormError(name, "not one of the choices") from None


@router.get("/tasks", response_class=HTMLResponse)
def my_tasks(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    unit_id = viewer.require_patients()
    tasks = coordination.my_tasks(session, username=viewer.username, unit_id=unit_id)
    patients = queries.patients_by_id(session, {t.record.patient_id for t in tasks})
    log_access(
        session,
        user=viewer.user,
        role=viewer.role,
        unit_id=unit_id,
        patient_ids=sorted(patients),
        action=Action.WORKLIST_VIEW,
        purpose=viewer.purpose,
        detail="my tasks",
    )
    session.commit()
    return render(
        request,
        "tasks.html",
        viewer,
        title="Mina uppgifter",
        nav="tasks",
        tasks=tasks,
        patients=patients,
        today=date.today(),
    )
