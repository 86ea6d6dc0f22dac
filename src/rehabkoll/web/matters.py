"""Ärenden on the patient page: Försäkringskassan's messages about the
patient's certificates at the unit, newest first, and marking one handled
(a doctor or coordinator of the unit; logged with who and when)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse, Response

from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_access
from rehabkoll.exchange import matters
from rehabkoll.web.cases import list_settings
from rehabkoll.web.deps import AsOf, CurrentUser, SessionDep, check_csrf
from rehabkoll.web.errors import NotFoundError
from rehabkoll.web.patient import open_patient

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


@router.post("/patients/{ref}/matters/{message_id}/handled")
def mark_handled(
    ref: str, message_id: str, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    patient, _ = open_patient(session, viewer, ref, as_of, list_settings(viewer).gap)
    unit_id = viewer.require_unit()
    handled = matters.mark_handled(
        session,
        message_id=message_id,
        patient_id=patient.id,
        unit_ids=[unit_id],
        username=viewer.username,
    )
    if handled is None:
        raise NotFoundError("no such message for this patient at this unit")
    log_access(
        session,
        user=viewer.user,
        role=viewer.role,
        unit_id=unit_id,
        patient_ids=[patient.id],
        action=Action.MATTER_HANDLED,
        purpose=viewer.purpose,
        detail=f"message {message_id}",
    )
    session.commit()
    return RedirectResponse(f"/patients/{ref}#arenden", status_code=303)
