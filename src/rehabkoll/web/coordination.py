"""The coordination record page (koordineringsinsatser) and its forms, and the
task lists. Every read and every change is logged.

A form that cannot be saved comes back on the same page with everything the
user typed and a Swedish message next to each field (status 422); nothing is
lost. Concurrent edits conflict only when they touch the same thing: the
status form carries the status it was read with, the plan form the plan it was
read with, so a new status does not block a new plan. A true conflict shows
the other person's version beside the user's own, kept, to merge and save.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabkoll.accounts import access
from rehabkoll.accounts.errors import AccessDeniedError
from rehabkoll.accounts.models import User, UserUnit
from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_access
from rehabkoll.coordination import corrections, rules
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
from rehabkoll.coordination.errors import ConflictError, ConsentRequiredError, InvalidEntryError
from rehabkoll.coordination.models import Plan
from rehabkoll.web import queries
from rehabkoll.web.cases import list_settings
from rehabkoll.web.deps import AsOf, CurrentUser, SessionDep, Viewer, check_csrf, render
from rehabkoll.web.forms import Fields, FormProblemsError, FormState
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
    "corrected": "Posten har rättats; den tidigare versionen finns i historiken.",
    "retracted": "Posten har återkallats; den finns kvar i historiken.",
}
TASK_DAYS = 7
"""A new task is due this many days ahead unless the user picks another day."""
CONFLICT = (
    "Någon annan sparade {what} medan du skrev. Din text finns kvar nedan, "
    "bredvid den sparade versionen: jämför, ändra och spara igen."
)


class PlanConflictError(Exception):
    """The plan of this kind changed since the form was read."""

    def __init__(self, current: Plan) -> None:
        super().__init__("the plan changed")
        self.current = current


class StatusConflictError(Exception):
    """The status changed since the form was read."""


def _editor(
    session: Session, viewer: Viewer, ref: str, as_of: date
) -> tuple[queries.PatientFacts, str]:
    """The patient and unit for a user who may change this patient's record."""
    if not access.can_edit_coordination(viewer.role):
        raise AccessDeniedError("only coordinators keep the coordination record")
    patient, _ = open_patient(session, viewer, ref, as_of, list_settings(viewer).gap)
    return patient, viewer.require_unit()


def _log(session: Session, viewer: Viewer, patient_id: str, action: Action, detail: str) -> None:
    log_access(
        session,
        user=viewer.user,
        role=viewer.role,
        unit_id=viewer.unit_id,
        patient_ids=[patient_id],
        action=action,
        purpose=viewer.purpose,
        detail=detail,
    )


def unit_users(session: Session, unit_id: str) -> list[User]:
    """The enabled users of the unit who see patients, by name: who a task can go to."""
    users = session.scalars(
        select(User)
        .join(UserUnit, UserUnit.user_id == User.id)
        .where(UserUnit.unit_id == unit_id, User.disabled.is_(False))
    ).unique()
    return sorted(
        (u for u in users if access.can_view_patient_list(u.role)), key=lambda u: display(u)
    )


def display(user: User) -> str:
    """A user as people know them: the name where one is kept, else the user name."""
    return user.full_name or user.username


def names_of(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return {}
    users = session.scalars(select(User).where(User.username.in_(wanted)))
    return {u.username: display(u) for u in users}


def _authors(record: coordination.RecordView) -> list[str | None]:
    found: list[str | None] = [record.updated_by]
    found += [s.changed_by for s in record.status_changes]
    for consent in record.consents:
        found += [consent.recorded_by, consent.withdrawn_by]
    found += [c.recorded_by for c in record.contacts]
    found += [m.recorded_by for m in record.meetings]
    found += [p.recorded_by for p in record.plans]
    found += [r.recorded_by for r in record.referrals]
    for task in record.tasks:
        found += [task.created_by, task.assignee, task.done_by]
    return found


def _page(
    request: Request,
    session: Session,
    viewer: Viewer,
    patient: queries.PatientFacts,
    *,
    as_of: date,
    state: FormState | None = None,
    conflict: Plan | None = None,
    status_code: int = 200,
    flash: str = "",
) -> Response:
    unit_id = viewer.require_unit()
    record = coordination.get_record(session, patient_id=patient.id, unit_id=unit_id)
    can_edit = access.can_edit_coordination(viewer.role)
    assignees = unit_users(session, unit_id) if can_edit else []
    history = corrections.history(session, patient_id=patient.id, unit_id=unit_id)
    changers = [v.changed_by for versions in history.values() for v in versions]

    def may_fix(entry: corrections.Entry) -> bool:
        author = corrections.author(entry)
        return corrections.may_correct(author=author, username=viewer.username, role=viewer.role)

    return render(
        request,
        "coordination.html",
        viewer,
        status_code=status_code,
        title="Koordinering",
        nav="cases",
        patient=patient,
        record=record,
        can_edit=can_edit,
        flash=flash,
        today=as_of,
        task_due=as_of + timedelta(days=TASK_DAYS),
        state=state or FormState(),
        conflict=conflict,
        names=names_of(session, [*_authors(record), *(u.username for u in assignees), *changers]),
        history=history,
        may_fix=may_fix,
        describe=corrections.describe,
        assignees=[(u.username, display(u)) for u in assignees],
        statuses=Status.choices(),
        consent_parties=[(p.value, p.label) for p in Party if p in CONSENT_PARTIES],
        parties=Party.choices(),
        ways=Way.choices(),
        meeting_kinds=MeetingKind.choices(),
        plan_kinds=PlanKind.choices(),
        referral_kinds=ReferralKind.choices(),
        Party=Party,
        limits={"short": rules.SHORT_MAX, "text": rules.TEXT_MAX, "title": rules.TITLE_MAX},
    )


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
    viewer.require_unit()
    _log(session, viewer, patient.id, Action.PATIENT_VIEW, "coordination record")
    session.commit()
    return _page(request, session, viewer, patient, as_of=as_of, flash=SAVED.get(saved, ""))


Change = Callable[[Fields, str, str], None]


async def _submit(
    request: Request,
    ref: str,
    session: Session,
    viewer: Viewer,
    as_of: date,
    *,
    form: str,
    action: Action,
    change: Change,
) -> Response:
    """Run ``change`` on the posted form; saved → back to the record, else the
    record page again with the form as typed and its problems."""
    patient, unit_id = _editor(session, viewer, ref, as_of)
    data = await request.form()
    fields = Fields(data)
    message, conflict, errors = "", None, dict[str, str]()
    status_code = 422
    try:
        change(fields, patient.id, unit_id)
    except FormProblemsError as problems:
        errors = problems.problems
    except InvalidEntryError as error:
        errors = {error.field: error.reason}
    except ConsentRequiredError as error:
        field = "kind" if form == "meeting" else "party"
        errors = {
            field: f"Patienten har inget samtycke som gäller kontakt med {error.party} den "
            "dagen. Registrera samtycket under Samtycke först, eller välj en annan part."
        }
    except PlanConflictError as clash:
        conflict, status_code = clash.current, 409
        message = CONFLICT.format(what="en ny version av planen")
    except StatusConflictError:
        status_code = 409
        message = CONFLICT.format(what="en annan status")
    except ConflictError:
        status_code = 409
        message = CONFLICT.format(what="en ändring i journalen")
    else:
        _log(session, viewer, patient.id, action, form)
        session.commit()
        return RedirectResponse(
            f"/patients/{ref}/coordination?saved={form}#{form}", status_code=303
        )
    session.rollback()
    state = FormState.of(form, data, errors, message)
    if conflict is not None:
        # Saving again builds on the version now shown beside the user's text.
        state.values[f"based_on_{conflict.kind}"] = [str(conflict.id)]
    if form == "status" and status_code == 409:
        record = coordination.get_record(session, patient_id=patient.id, unit_id=unit_id)
        state.values["seen_status"] = [str(record.status or "")]
    return _page(
        request,
        session,
        viewer,
        patient,
        as_of=as_of,
        state=state,
        conflict=conflict,
        status_code=status_code,
    )


@router.post("/patients/{ref}/coordination/status")
async def set_status(
    request: Request, ref: str, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    def change(fields: Fields, patient_id: str, unit_id: str) -> None:
        chosen = fields.choice("status", Status)
        fields.raise_problems()
        assert chosen is not None
        record = coordination.get_record(session, patient_id=patient_id, unit_id=unit_id)
        if fields.raw("seen_status") != str(record.status or ""):
            raise StatusConflictError
        coordination.set_status(
            session,
            patient_id=patient_id,
            unit_id=unit_id,
            status=chosen,
            expected_version=record.version,
            user=viewer.user,
        )

    return await _submit(
        request,
        ref,
        session,
        viewer,
        as_of,
        form="status",
        action=Action.COORDINATION_UPDATE,
        change=change,
    )


@router.post("/patients/{ref}/coordination/consent")
async def add_consent(
    request: Request, ref: str, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    def change(fields: Fields, patient_id: str, unit_id: str) -> None:
        valid_from = fields.day("valid_from")
        valid_to = fields.day("valid_to", required=False)
        note = fields.text("note", limit=rules.TEXT_MAX)
        parties = fields.all("parties")
        if not parties:
            fields.problem("parties", "Kryssa i minst en part som samtycket gäller.")
        if valid_from is not None:
            fields.add(rules.consent(valid_from=valid_from, valid_to=valid_to))
        fields.raise_problems()
        assert valid_from is not None
        coordination.add_consent(
            session,
            patient_id=patient_id,
            unit_id=unit_id,
            parties=parties,
            valid_from=valid_from,
            valid_to=valid_to,
            note=note,
            user=viewer.user,
        )

    return await _submit(
        request,
        ref,
        session,
        viewer,
        as_of,
        form="consent",
        action=Action.COORDINATION_CREATE,
        change=change,
    )


@router.post("/patients/{ref}/coordination/consent/{consent_id}/withdraw")
async def withdraw_consent(
    request: Request,
    ref: str,
    consent_id: int,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
) -> Response:
    def change(fields: Fields, patient_id: str, unit_id: str) -> None:
        on = fields.day("on")
        fields.raise_problems()
        assert on is not None
        coordination.withdraw_consent(
            session,
            patient_id=patient_id,
            consent_id=consent_id,
            unit_id=unit_id,
            on=on,
            user=viewer.user,
        )

    return await _submit(
        request,
        ref,
        session,
        viewer,
        as_of,
        form="withdrawn",
        action=Action.COORDINATION_UPDATE,
        change=change,
    )


@router.post("/patients/{ref}/coordination/contact")
async def add_contact(
    request: Request, ref: str, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    def change(fields: Fields, patient_id: str, unit_id: str) -> None:
        day = fields.day("day")
        party = fields.choice("party", Party)
        way = fields.choice("way", Way)
        summary = fields.text("summary", limit=rules.TEXT_MAX)
        if day is not None:
            fields.add(rules.contact(day=day, summary=summary, today=as_of))
        fields.raise_problems()
        assert day is not None
        assert party is not None
        assert way is not None
        coordination.add_contact(
            session,
            patient_id=patient_id,
            unit_id=unit_id,
            day=day,
            party=party,
            way=way,
            summary=summary,
            user=viewer.user,
            today=as_of,
        )

    return await _submit(
        request,
        ref,
        session,
        viewer,
        as_of,
        form="contact",
        action=Action.COORDINATION_CREATE,
        change=change,
    )


@router.post("/patients/{ref}/coordination/meeting")
async def add_meeting(
    request: Request, ref: str, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    def change(fields: Fields, patient_id: str, unit_id: str) -> None:
        kind = fields.choice("kind", MeetingKind)
        day = fields.day("day")
        participants = fields.text("participants", limit=rules.SHORT_MAX * 5)
        outcome = fields.text("outcome", limit=rules.TEXT_MAX)
        fields.raise_problems()
        assert kind is not None
        assert day is not None
        coordination.add_meeting(
            session,
            patient_id=patient_id,
            unit_id=unit_id,
            kind=kind,
            day=day,
            participants=[p for p in participants.replace("\n", ",").split(",") if p.strip()],
            outcome=outcome,
            user=viewer.user,
        )

    return await _submit(
        request,
        ref,
        session,
        viewer,
        as_of,
        form="meeting",
        action=Action.COORDINATION_CREATE,
        change=change,
    )


@router.post("/patients/{ref}/coordination/plan")
async def add_plan(
    request: Request, ref: str, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    def change(fields: Fields, patient_id: str, unit_id: str) -> None:
        kind = fields.choice("kind", PlanKind)
        text = fields.text("text", limit=rules.TEXT_MAX, required="Skriv planens innehåll.")
        planned_end = fields.day("planned_end", required=False)
        responsible = fields.text("responsible", limit=rules.SHORT_MAX)
        fields.add(rules.plan(planned_end=planned_end, today=as_of))
        fields.raise_problems()
        assert kind is not None
        record = coordination.get_record(session, patient_id=patient_id, unit_id=unit_id)
        current = record.current_plan(kind)
        if fields.integer(f"based_on_{kind}") != (current.id if current else 0):
            assert current is not None
            raise PlanConflictError(current)
        coordination.add_plan(
            session,
            patient_id=patient_id,
            unit_id=unit_id,
            kind=kind,
            text=text,
            planned_end=planned_end,
            responsible=responsible,
            expected_version=record.version,
            user=viewer.user,
            today=as_of,
        )

    return await _submit(
        request,
        ref,
        session,
        viewer,
        as_of,
        form="plan",
        action=Action.COORDINATION_UPDATE,
        change=change,
    )


@router.post("/patients/{ref}/coordination/referral")
async def add_referral(
    request: Request, ref: str, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    def change(fields: Fields, patient_id: str, unit_id: str) -> None:
        kind = fields.choice("kind", ReferralKind)
        day = fields.day("day")
        note = fields.text("note", limit=rules.TEXT_MAX)
        fields.raise_problems()
        assert kind is not None
        assert day is not None
        coordination.add_referral(
            session,
            patient_id=patient_id,
            unit_id=unit_id,
            kind=kind,
            day=day,
            note=note,
            user=viewer.user,
        )

    return await _submit(
        request,
        ref,
        session,
        viewer,
        as_of,
        form="referral",
        action=Action.COORDINATION_CREATE,
        change=change,
    )


@router.post("/patients/{ref}/coordination/task")
async def add_task(
    request: Request, ref: str, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    def change(fields: Fields, patient_id: str, unit_id: str) -> None:
        title = fields.text("title", limit=rules.TITLE_MAX)
        due = fields.day("due", required=False)
        assignee = fields.text("assignee", limit=rules.SHORT_MAX) or viewer.username
        fields.add(rules.task(title=title, due=due, today=as_of))
        fields.add(coordination.assignee_problems(session, username=assignee, unit_id=unit_id))
        fields.raise_problems()
        coordination.add_task(
            session,
            patient_id=patient_id,
            unit_id=unit_id,
            title=title,
            due=due,
            assignee=assignee,
            user=viewer.user,
            today=as_of,
        )

    return await _submit(
        request,
        ref,
        session,
        viewer,
        as_of,
        form="task",
        action=Action.COORDINATION_CREATE,
        change=change,
    )


@router.post("/patients/{ref}/coordination/task/{task_id}/done")
def complete_task(
    request: Request,
    ref: str,
    task_id: int,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    back: str = "",
) -> Response:
    patient, unit_id = _editor(session, viewer, ref, as_of)
    try:
        coordination.complete_task(
            session, patient_id=patient.id, task_id=task_id, unit_id=unit_id, user=viewer.user
        )
    except InvalidEntryError as error:
        # A withdrawn task (its button is hidden, but a form may be old or the
        # post direct): the record page again, the reason beside the task.
        session.rollback()
        state = FormState(form=f"done-{task_id}", message=error.reason)
        return _page(request, session, viewer, patient, as_of=as_of, state=state, status_code=422)
    _log(session, viewer, patient.id, Action.COORDINATION_UPDATE, "done")
    session.commit()
    lists = {"tasks": "/tasks", "unit-tasks": "/tasks/unit"}
    if back in lists:
        return RedirectResponse(f"{lists[back]}?saved=done", status_code=303)
    return RedirectResponse(f"/patients/{ref}/coordination?saved=done#task", status_code=303)


def _task_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    *,
    tasks: list[Any],
    unit_wide: bool,
    saved: str,
) -> Response:
    patients = queries.patients_by_id(session, {t.record.patient_id for t in tasks})
    _log_many(session, viewer, sorted(patients), "unit tasks" if unit_wide else "my tasks")
    session.commit()
    return render(
        request,
        "tasks.html",
        viewer,
        title="Enhetens uppgifter" if unit_wide else "Mina uppgifter",
        nav="tasks",
        tasks=tasks,
        patients=patients,
        names=names_of(session, [t.assignee for t in tasks]),
        today=date.today(),
        unit_wide=unit_wide,
        can_edit=access.can_edit_coordination(viewer.role),
        flash=SAVED.get(saved, ""),
    )


def _log_many(session: Session, viewer: Viewer, patient_ids: list[str], detail: str) -> None:
    log_access(
        session,
        user=viewer.user,
        role=viewer.role,
        unit_id=viewer.unit_id,
        patient_ids=patient_ids,
        action=Action.WORKLIST_VIEW,
        purpose=viewer.purpose,
        detail=detail,
    )


@router.get("/tasks", response_class=HTMLResponse)
def my_tasks(
    request: Request, session: SessionDep, viewer: CurrentUser, saved: str = ""
) -> Response:
    unit_id = viewer.require_patients()
    tasks = coordination.my_tasks(session, username=viewer.username, unit_id=unit_id)
    return _task_page(request, session, viewer, tasks=tasks, unit_wide=False, saved=saved)


@router.get("/tasks/unit", response_class=HTMLResponse)
def unit_tasks(
    request: Request, session: SessionDep, viewer: CurrentUser, saved: str = ""
) -> Response:
    """Every open task of the unit, for the unit's coordinators."""
    unit_id = viewer.require_patients()
    if not access.can_edit_coordination(viewer.role):
        raise AccessDeniedError("the unit's tasks are for its coordinators")
    tasks = coordination.unit_tasks(session, unit_id=unit_id)
    return _task_page(request, session, viewer, tasks=tasks, unit_wide=True, saved=saved)
