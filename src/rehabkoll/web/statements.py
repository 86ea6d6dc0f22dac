"""The page Läkarutlåtanden: the unit's statements (LUSE, LUAE_NA, LUAE_FS)
signed in the last three years, with filters; a doctor sees their own. Every
patient shown is logged. Filters are posted (free text may be a personnummer,
which must not end up in a URL)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from rehabkoll.accounts.roles import Role
from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_access
from rehabkoll.exchange import matters
from rehabkoll.exchange import statements as service
from rehabkoll.web import queries
from rehabkoll.web.cases import list_settings
from rehabkoll.web.deps import AsOf, CurrentUser, SessionDep, Viewer, check_csrf, render
from rehabkoll.web.errors import NotFoundError
from rehabkoll.web.patient import open_patient

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
Text = Annotated[str, Form(max_length=100)]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    as_of: date,
    filters: service.StatementFilters,
) -> Response:
    unit_id = viewer.require_patients()
    mine = viewer.hsa_id if viewer.role == Role.DOCTOR else None
    if viewer.role == Role.DOCTOR and mine is None:
        every: list[service.StatementRow] = []
    else:
        every = service.unit_statements(session, unit_id=unit_id, as_of=as_of, doctor_id=mine)
    rows = [r for r in every if service.matches(r, filters)]
    counts = matters.open_counts(
        session, unit_id=unit_id, patient_ids=[r.patient_id for r in rows], as_of=as_of
    )
    log_access(
        session,
        user=viewer.user,
        role=viewer.role,
        unit_id=unit_id,
        patient_ids=sorted({r.patient_id for r in rows}),
        action=Action.STATEMENTS_VIEW,
        purpose=viewer.purpose,
    )
    session.commit()
    doctors = sorted({(r.doctor_id, r.doctor_name) for r in every}, key=lambda d: d[1])
    return render(
        request,
        "statements.html",
        viewer,
        title="Läkarutlåtanden",
        nav="statements",
        rows=rows,
        total=len(every),
        f=filters,
        forms=service.FORM_LABELS,
        doctors=doctors,
        chapters=sorted({d[:1] for r in every for d in r.diagnoses}),
        counts=counts,
        matters_text=lambda c: c.text() if c else "",
        years=service.YEARS,
    )


@router.get("/statements", response_class=HTMLResponse)
def statements_page(
    request: Request, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    return _page(request, session, viewer, as_of, service.StatementFilters())


@router.post("/statements", response_class=HTMLResponse)
def filtered_statements(
    request: Request,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    form: Text = "",
    chapter: Text = "",
    doctor: Text = "",
    signed_from: Text = "",
    signed_to: Text = "",
    text: Text = "",
) -> Response:
    filters = service.StatementFilters(
        form=form if form in service.FORM_LABELS else "",
        chapter=chapter.strip().upper()[:1],
        doctor=doctor.strip(),
        signed_from=_day(signed_from),
        signed_to=_day(signed_to),
        text=text.strip(),
    )
    return _page(request, session, viewer, as_of, filters)


@router.get("/patients/{ref}/statements", response_class=HTMLResponse)
def patient_statements(
    request: Request, ref: str, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    """The patient's statements at the unit (the patient page's tab). Open to a
    user who sees one of them, or who may open the patient's cases."""
    unit_id = viewer.require_patients()
    patient = queries.patient_by_ref(session, ref)
    if patient is None:
        raise NotFoundError("no patient with this reference")
    mine = viewer.hsa_id if viewer.role == Role.DOCTOR else None
    rows = (
        [
            r
            for r in service.unit_statements(session, unit_id=unit_id, as_of=as_of, doctor_id=mine)
            if r.patient_id == patient.id
        ]
        if viewer.role != Role.DOCTOR or mine is not None
        else []
    )
    if not rows:
        open_patient(session, viewer, ref, as_of, list_settings(viewer).gap)  # 403 if not
    log_access(
        session,
        user=viewer.user,
        role=viewer.role,
        unit_id=unit_id,
        patient_ids=[patient.id],
        action=Action.STATEMENTS_VIEW,
        purpose=viewer.purpose,
    )
    session.commit()
    return render(
        request,
        "patient_statements.html",
        viewer,
        title="Patient",
        nav="cases",
        patient=patient,
        age=patient.age_on(as_of),
        rows=rows,
        forms=service.FORM_LABELS,
        years=service.YEARS,
    )
