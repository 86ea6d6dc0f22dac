"""Correcting and withdrawing entries of the coordination record, on the
record's page (``coordination/corrections.py`` keeps the earlier versions).

The entry is reached through its patient and unit (another patient's or unit's
id: 404); only its author or a coordinator of the unit may change it (else
403, in Swedish); a correction that cannot be saved comes back on the record
page with everything typed and the message next to its field (422). Each
change is in the access log under the entry's own patient.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from rehabkoll.accounts.errors import AccessDeniedError
from rehabkoll.audit.models import Action
from rehabkoll.coordination import corrections, rules
from rehabkoll.coordination.enums import Way
from rehabkoll.coordination.errors import InvalidEntryError
from rehabkoll.web.cases import list_settings
from rehabkoll.web.coordination import _log, _page
from rehabkoll.web.deps import AsOf, CurrentUser, SessionDep, Viewer, check_csrf
from rehabkoll.web.forms import Fields, FormProblemsError, FormState
from rehabkoll.web.patient import open_patient

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

REFUSED = "Bara den som skrev posten eller en koordinator på enheten kan rätta eller återkalla den."

Read = Callable[[Fields, corrections.Entry, date], dict[str, Any]]


def _contact(fields: Fields, entry: Any, today: date) -> dict[str, Any]:
    day = fields.day("day")
    way = fields.choice("way", Way)
    summary = fields.text("summary", limit=rules.TEXT_MAX)
    if day is not None:
        fields.add(rules.contact(day=day, summary=summary, today=today))
    return {"day": day, "way": way, "summary": summary}


def _meeting(fields: Fields, entry: Any, today: date) -> dict[str, Any]:
    day = fields.day("day")
    text = fields.text("participants", limit=rules.SHORT_MAX * 5)
    outcome = fields.text("outcome", limit=rules.TEXT_MAX)
    participants = [p.strip() for p in text.replace("\n", ",").split(",") if p.strip()]
    return {"day": day, "participants": participants, "outcome": outcome}


def _plan(fields: Fields, entry: Any, today: date) -> dict[str, Any]:
    text = fields.text("text", limit=rules.TEXT_MAX, required="Skriv planens innehåll.")
    planned_end = fields.day("planned_end", required=False)
    responsible = fields.text("responsible", limit=rules.SHORT_MAX)
    if planned_end != entry.planned_end:  # an end kept as it was may have passed since
        fields.add(rules.plan(planned_end=planned_end, today=today))
    return {"text": text, "planned_end": planned_end, "responsible": responsible}


def _task(fields: Fields, entry: Any, today: date) -> dict[str, Any]:
    title = fields.text("title", limit=rules.TITLE_MAX)
    due = fields.day("due", required=False)
    fields.add(rules.task(title=title, due=due if due != entry.due else None, today=today))
    return {"title": title, "due": due}


def _consent(fields: Fields, entry: Any, today: date) -> dict[str, Any]:
    valid_to = fields.day("valid_to", required=False)
    note = fields.text("note", limit=rules.TEXT_MAX)
    fields.add(rules.consent(valid_from=entry.valid_from, valid_to=valid_to))
    return {"valid_to": valid_to, "note": note}


def _referral(fields: Fields, entry: Any, today: date) -> dict[str, Any]:
    day = fields.day("day")
    note = fields.text("note", limit=rules.TEXT_MAX)
    return {"day": day, "note": note}


READERS: dict[str, Read] = {
    "consent": _consent,
    "contact": _contact,
    "meeting": _meeting,
    "plan": _plan,
    "referral": _referral,
    "task": _task,
}


def form_name(kind: str, entry_id: int, change: str) -> str:
    """The name of one entry's correction or withdrawal form (its fields' ids start so)."""
    return f"{change}-{kind}-{entry_id}"


async def _change(
    request: Request,
    ref: str,
    kind: str,
    entry_id: int,
    session: Session,
    viewer: Viewer,
    as_of: date,
    *,
    change: str,
) -> Response:
    patient, _ = open_patient(session, viewer, ref, as_of, list_settings(viewer).gap)
    unit_id = viewer.require_unit()
    entry, _record = corrections.find(
        session, kind=kind, entry_id=entry_id, patient_id=patient.id, unit_id=unit_id
    )
    author = corrections.author(entry)
    if not corrections.may_correct(author=author, username=viewer.username, role=viewer.role):
        raise AccessDeniedError(REFUSED)
    data = await request.form()
    fields = Fields(data)
    errors: dict[str, str] = {}
    try:
        reason = fields.text("reason", limit=rules.TEXT_MAX)
        fields.add(corrections.reason_problems(reason))
        if change == "correct":
            values = READERS[kind](fields, entry, as_of)
            fields.raise_problems()
            corrections.correct(
                session,
                kind=kind,
                entry_id=entry_id,
                patient_id=patient.id,
                unit_id=unit_id,
                values=values,
                reason=reason,
                user=viewer.user,
                role=viewer.role,
            )
        else:
            fields.raise_problems()
            corrections.retract(
                session,
                kind=kind,
                entry_id=entry_id,
                patient_id=patient.id,
                unit_id=unit_id,
                reason=reason,
                user=viewer.user,
                role=viewer.role,
            )
    except FormProblemsError as problems:
        errors = problems.problems
    except InvalidEntryError as error:
        errors = {error.field: error.reason}
    else:
        detail = f"{'corrected' if change == 'correct' else 'retracted'} {kind} {entry_id}"
        _log(session, viewer, patient.id, Action.COORDINATION_UPDATE, detail)
        session.commit()
        saved = "corrected" if change == "correct" else "retracted"
        return RedirectResponse(
            f"/patients/{ref}/coordination?saved={saved}#{kind}-{entry_id}", status_code=303
        )
    session.rollback()
    state = FormState.of(form_name(kind, entry_id, change), data, errors)
    return _page(request, session, viewer, patient, as_of=as_of, state=state, status_code=422)


@router.post("/patients/{ref}/coordination/{kind}/{entry_id}/correct")
async def correct_entry(
    request: Request,
    ref: str,
    kind: str,
    entry_id: int,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
) -> Response:
    return await _change(request, ref, kind, entry_id, session, viewer, as_of, change="correct")


@router.post("/patients/{ref}/coordination/{kind}/{entry_id}/retract")
async def retract_entry(
    request: Request,
    ref: str,
    kind: str,
    entry_id: int,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
) -> Response:
    return await _change(request, ref, kind, entry_id, session, viewer, as_of, change="retract")
