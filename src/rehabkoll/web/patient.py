"""The patient page: the patient's cases at the unit, newest first, with their
certificates and a timeline; other units' certificates of the same care
provider only on explicit request (logged as such)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabkoll.accounts import access
from rehabkoll.accounts.errors import AccessDeniedError
from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_access
from rehabkoll.cases import engine
from rehabkoll.cases import service as cases_service
from rehabkoll.cases.engine import CaseRow, CertificateRecord
from rehabkoll.certificates.models import Unit
from rehabkoll.coordination import service as coordination
from rehabkoll.exchange import matters as care_matters
from rehabkoll.fmb import service as fmb_service
from rehabkoll.web import queries, risk_views, timeline
from rehabkoll.web.cases import list_settings
from rehabkoll.web.deps import AsOf, CurrentUser, SessionDep, Viewer, check_csrf, render
from rehabkoll.web.errors import NotFoundError
from rehabkoll.web.fmb_views import CaseFmb, case_fmb
from rehabkoll.web.worklist import TIMELINE_MILESTONES

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


@dataclass(frozen=True, slots=True)
class CaseView:
    row: CaseRow
    certificates: list[CertificateRecord]  # newest first
    timeline: object
    milestones: dict[int, date]
    """The day the case reaches each milestone, shown beside the timeline."""
    fmb: CaseFmb | None = None


def unit_cases(
    session: Session, *, patient_id: str, unit_id: str, as_of: date, gap: int
) -> list[tuple[CaseRow, list[CertificateRecord]]]:
    """The patient's cases at the unit on ``as_of``, newest first, with their certificates."""
    # Like cases.service.patient_cases, but the cases are kept whole: the page
    # shows each case's certificates.
    records = cases_service.patient_records(session, patient_id=patient_id, unit_id=unit_id)
    found = [c for c in engine.build_cases(records, gap) if c.start <= as_of]
    found.sort(key=lambda c: c.start, reverse=True)
    return [
        (
            engine.case_row(case, as_of),
            sorted(case.certificates, key=lambda c: c.recency, reverse=True),
        )
        for case in found
    ]


def open_patient(
    session: Session, viewer: Viewer, ref: str, as_of: date, gap: int
) -> tuple[queries.PatientFacts, list[tuple[CaseRow, list[CertificateRecord]]]]:
    """The patient behind ``ref`` and the cases this user may see, or 403/404."""
    unit_id = viewer.require_patients()
    patient = queries.patient_by_ref(session, ref)
    if patient is None:
        raise NotFoundError("no patient with this reference")
    cases = unit_cases(session, patient_id=patient.id, unit_id=unit_id, as_of=as_of, gap=gap)
    rows = [row for row, _ in cases]
    if not access.can_view_patient(
        rows, role=viewer.role, hsa_id=viewer.hsa_id, protected=patient.protected
    ):
        raise AccessDeniedError("the patient is out of reach")
    protected = {patient.id} if patient.protected else set()
    visible = access.visible_rows(
        rows, role=viewer.role, hsa_id=viewer.hsa_id, protected_patient_ids=protected
    )
    return patient, [(row, certs) for row, certs in cases if row in visible]


def case_views(
    cases: list[tuple[CaseRow, list[CertificateRecord]]],
    prefix: str,
    today: date | None = None,
    fmb: fmb_service.Catalogue | None = None,
) -> list[CaseView]:
    views = []
    for i, (row, certs) in enumerate(cases):
        spans = [timeline.Span(p.start, p.end, p.degree, c.id) for c in certs for p in c.periods]
        found = case_fmb(fmb, row)
        svg = timeline.timeline(
            f"{prefix}-{i}",
            f"Tidslinje för sjukfallet {row.start.isoformat()}–{row.end.isoformat()}",
            spans,
            TIMELINE_MILESTONES,
            today,
            fmb_days=found.assessment.max_days if found.assessment else None,
        )
        views.append(
            CaseView(row, certs, svg, timeline.milestone_dates(spans, TIMELINE_MILESTONES), found)
        )
    return views


def sibling_units(session: Session, unit_id: str) -> list[tuple[str, str]]:
    """The other units of the unit's care provider."""
    provider = session.scalar(select(Unit.care_provider_id).where(Unit.id == unit_id))
    if provider is None:
        return []
    return [
        (str(i), str(n))
        for i, n in session.execute(
            select(Unit.id, Unit.name)
            .where(Unit.care_provider_id == provider, Unit.id != unit_id)
            .order_by(Unit.name)
        )
    ]


@router.get("/patients/{ref}/print", response_class=HTMLResponse)
def print_page(
    request: Request, ref: str, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    """The patient page laid out for printing; logged as a print."""
    return patient_page(request, ref, session, viewer, as_of, printing=True)


@router.get("/patients/{ref}", response_class=HTMLResponse)
def patient_page(
    request: Request,
    ref: str,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    other_unit: str = "",
    printing: bool = False,
) -> Response:
    gap = list_settings(viewer).gap
    patient, cases = open_patient(session, viewer, ref, as_of, gap)
    unit_id = viewer.require_unit()
    log_access(
        session,
        user=viewer.user,
        role=viewer.role,
        unit_id=unit_id,
        patient_ids=[patient.id],
        action=Action.PRINT if printing else Action.PATIENT_VIEW,
        purpose=viewer.purpose,
    )
    siblings = sibling_units(session, unit_id)
    other_views: list[CaseView] = []
    other_name = ""
    if other_unit:
        names = dict(siblings)
        if other_unit not in names:
            raise AccessDeniedError("not a unit of the same care provider")
        other_name = names[other_unit]
        other = unit_cases(session, patient_id=patient.id, unit_id=other_unit, as_of=as_of, gap=gap)
        other_views = case_views(other, "other", as_of, fmb_service.catalogue(session, as_of))
        log_access(
            session,
            user=viewer.user,
            role=viewer.role,
            unit_id=unit_id,
            patient_ids=[patient.id],
            action=Action.OTHER_UNIT_VIEW,
            purpose=viewer.purpose,
            detail=f"unit {other_unit}",
        )
    record = coordination.get_record(session, patient_id=patient.id, unit_id=unit_id)
    session.commit()
    views = case_views(cases, "case", as_of, fmb_service.catalogue(session, as_of))
    doctors = queries.doctor_names(
        session, {c.doctor_id for v in [*views, *other_views] for c in v.certificates}
    )
    return render(
        request,
        "patient.html",
        viewer,
        title="Patient",
        nav="cases",
        patient=patient,
        age=patient.age_on(as_of),
        cases=views,
        record=record,
        siblings=siblings,
        other_unit=other_unit,
        other_name=other_name,
        other_cases=other_views,
        doctors=doctors,
        as_of=as_of,
        printing=printing,
        care_messages=care_matters.for_patient(session, unit_id=unit_id, patient_id=patient.id),
        matter_subjects=care_matters.SUBJECT_LABELS,
        care_messages_by_certificate=care_matters.by_certificate,
        risks=risk_views.case_risks(
            session,
            patient_id=patient.id,
            unit_id=unit_id,
            rows=[v.row for v in views],
            as_of=as_of,
        ),
        risk_state=risk_views.form_state(request),
        opinion_choices=risk_views.OPINION_CHOICES,
    )
