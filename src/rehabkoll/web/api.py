"""The JSON API under ``/api`` for integrations: the work list, one patient,
and certificate intake. Authenticated with ``Authorization: Bearer <token>``;
the same access rules and the same access log as the pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from rehabkoll.accounts import access
from rehabkoll.accounts.errors import AccessDeniedError
from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_access
from rehabkoll.cases import service as cases_service
from rehabkoll.cases.engine import DEFAULT_GAP, MAX_GAP, MAX_RECENT, CaseRow
from rehabkoll.certificates import service as certificates
from rehabkoll.certificates.schema import Certificate, FieldError, parse_document
from rehabkoll.coordination import service as coordination
from rehabkoll.exchange import matters
from rehabkoll.fmb import intake as fmb_intake
from rehabkoll.fmb import service as fmb_service
from rehabkoll.fmb.service import Catalogue
from rehabkoll.web import queries, risk_rows
from rehabkoll.web.api_contract import (
    CERTIFICATE_REF,
    REVOCATION_BODY,
    Day,
    json_body,
    json_request,
)
from rehabkoll.web.deps import ApiUser, SessionDep, Viewer
from rehabkoll.web.errors import NotFoundError

router = APIRouter(prefix="/api", tags=["api"])


class RiskOut(BaseModel):
    """The risk of a long case (decision support, docs/decision-support.md):
    the model in force's answer to the question of the case's day."""

    probability: float | None = Field(
        description="0-1, rounded to 4 decimals; null when the model has no basis (see reason)"
    )
    category: str | None = Field(description="Måttlig risk, Hög risk or Mycket hög risk; or null")
    model_version: int | None = Field(description="The model version in force, null without one")
    question: str | None = Field(
        description='">90 dagar" up to day 90, ">180 dagar" to day 180, ">365 dagar" to day 365'
    )
    given_days: int | None = Field(
        description="Y of P(T > question | T > Y): 14 at day 15, later 15, 30, 45, 60, 90, …"
    )
    lasted: int | None = Field(description="Days the case has covered on as_of")
    reason: str | None = Field(description="Why probability is null (Swedish), else null")


class CaseOut(BaseModel):
    """One case: the keys of ``rehabkoll cases --format json`` plus ``patient_ref``
    (opaque, for ``/api/patients/{patient_ref}``) and the coordination ``status``."""

    patient_id: str
    start: date
    end: date
    days: int
    net_days: float
    certificates: int
    degree: int | None
    degrees: list[int]
    diagnosis: str
    secondary_diagnoses: list[str]
    doctor_id: str
    unit_id: str
    occupation: list[str]
    days_left: int
    recently_ended: bool
    patient_ref: str
    status: str | None = Field(description="Coordination status (contacted, active, …) or null")
    protected: bool = Field(description="Protected identity (skyddad personuppgift)")
    completions: int = Field(
        default=0, description="Försäkringskassan's open requests for completion (Ärenden)"
    )
    questions: int = Field(default=0, description="Försäkringskassan's open questions (Ärenden)")
    matters_overdue: bool = Field(default=False, description="An open matter is past its deadline")
    fmb_max_days: int | None = Field(
        default=None, description="FMB's recommended maximal length in days, or null"
    )
    fmb_code: str | None = Field(default=None, description="The code the recommendation came from")
    over_fmb: bool = Field(default=False, description="The case's days exceed the recommendation")
    risk: RiskOut | None = Field(default=None, description="The risk of a long case")


class PatientOut(BaseModel):
    patient_ref: str
    unit_id: str
    completions: int = Field(default=0, description="Open requests for completion at the unit")
    questions: int = Field(default=0, description="Open questions at the unit")
    cases: list[CaseOut]
    coordination: dict[str, Any]


class NoticeOut(BaseModel):
    """The stored certificate takes its case over FMB's recommended length."""

    certificate_id: str
    days: int
    fmb_max_days: int
    fmb_code: str
    text: str = Field(description="Webcert's warning, in Swedish")


class IntakeOut(BaseModel):
    id: str
    stored: int
    unchanged: int
    notices: list[NoticeOut] = Field(
        default_factory=list, description="FMB notices of the stored certificate"
    )


class ErrorOut(BaseModel):
    detail: str
    field: str | None = None
    reason: str | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No or unknown bearer token"},
    403: {"model": ErrorOut, "description": "Unit or patient out of reach, or wrong role"},
    422: {"model": ErrorOut, "description": "Invalid input: which field, and why"},
}
NOT_JSON: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The body is not JSON text (field `(body)`)"},
}


def _patient_reader(viewer: Viewer, unit_id: str) -> None:
    access.check_unit(unit_id, allowed=viewer.user.unit_ids)
    if not access.can_view_patient_list(viewer.role):
        raise AccessDeniedError("this role does not see patient data")


def _matters_json(counts: matters.MatterCounts) -> dict[str, Any]:
    return {
        "completions": counts.completions,
        "questions": counts.questions,
        "matters_overdue": counts.overdue_since is not None,
    }


def _case_out(
    row: CaseRow,
    patient: queries.PatientFacts,
    status: str | None,
    counts: matters.MatterCounts = matters.NO_MATTERS,
    fmb: Catalogue | None = None,
    risks: risk_rows.Risks | None = None,
) -> CaseOut:
    return CaseOut.model_validate(
        {
            **row.as_json(),
            "patient_ref": patient.ref,
            "status": status,
            "protected": patient.protected,
            **_matters_json(counts),
            **fmb_service.case_json(fmb, (row.diagnosis, *row.secondary_diagnoses), row.days),
            "risk": risk_rows.risk_json(
                risks.get(row) if risks else None, risks.reason if risks else None
            ),
        }
    )


@router.get("/units/{unit_id}/cases", response_model=list[CaseOut], responses=ERRORS)
def unit_cases(
    unit_id: str,
    session: SessionDep,
    viewer: ApiUser,
    as_of: Day | None = None,
    gap: Annotated[int, Query(ge=0, le=MAX_GAP)] = DEFAULT_GAP,
    recent: Annotated[int, Query(ge=0, le=MAX_RECENT)] = 0,
) -> JSONResponse:
    """The unit's work list (pågående sjukfall) on ``as_of`` (default today), as
    this user may see it; every row is logged."""
    _patient_reader(viewer, unit_id)
    day = as_of or date.today()
    listing = queries.unit_list(session, unit_id=unit_id, as_of=day, gap=gap, recent=recent)
    shown, protected = queries.visible(session, listing, role=viewer.role, hsa_id=viewer.hsa_id)
    ids = [r.patient_id for r in shown]
    statuses = coordination.statuses(session, unit_id=unit_id, patient_ids=ids)
    open_matters = matters.open_counts(session, unit_id=unit_id, patient_ids=ids, as_of=day)
    log_access(
        session,
        user=viewer.user,
        role=viewer.role,
        unit_id=unit_id,
        patient_ids=ids,
        action=Action.API_WORKLIST,
        purpose=viewer.purpose,
    )
    session.commit()
    fmb = fmb_service.catalogue(session, day)
    # Built as plain dicts: validating 1,500 response models would double the time.
    body = [
        {
            **row.as_json(),
            "patient_ref": listing.base[row].ref,
            "status": statuses.get(row.patient_id),
            "protected": row.patient_id in protected,
            **_matters_json(open_matters.get(row.patient_id, matters.NO_MATTERS)),
            **fmb_service.case_json(fmb, (row.diagnosis, *row.secondary_diagnoses), row.days),
            "risk": risk_rows.risk_json(listing.risks.get(row), listing.risks.reason),
        }
        for row in shown
    ]
    return JSONResponse(body)


def _entry(entry: Any) -> dict[str, Any]:
    """What every entry carries: its id (for the corrections API) and whether
    it was withdrawn as written in error (it then counts for nothing)."""
    return {"id": entry.id, "retracted": entry.retracted_at is not None}


def _record_json(record: coordination.RecordView) -> dict[str, Any]:
    return {
        "status": str(record.status) if record.status else None,
        "version": record.version,
        "updated_by": record.updated_by,
        "updated_at": record.updated_at.isoformat() if record.updated_at else None,
        "consents": [
            {
                **_entry(c),
                "parties": list(c.parties),
                "valid_from": c.valid_from.isoformat(),
                "valid_to": c.valid_to.isoformat() if c.valid_to else None,
                "withdrawn_on": c.withdrawn_on.isoformat() if c.withdrawn_on else None,
            }
            for c in record.consents
        ],
        "contacts": [
            {
                **_entry(c),
                "day": c.day.isoformat(),
                "party": str(c.party),
                "way": str(c.way),
                "summary": c.summary,
            }
            for c in record.contacts
        ],
        "meetings": [
            {
                **_entry(m),
                "day": m.day.isoformat(),
                "kind": str(m.kind),
                "participants": list(m.participants),
                "outcome": m.outcome,
            }
            for m in record.meetings
        ],
        "plans": [
            {
                **_entry(p),
                "kind": str(p.kind),
                "text": p.text,
                "planned_end": p.planned_end.isoformat() if p.planned_end else None,
                "responsible": p.responsible,
                "recorded_at": p.recorded_at.isoformat(),
            }
            for p in record.plans
        ],
        "referrals": [
            {**_entry(r), "day": r.day.isoformat(), "kind": str(r.kind), "note": r.note}
            for r in record.referrals
        ],
        "tasks": [
            {
                **_entry(t),
                "title": t.title,
                "due": t.due.isoformat() if t.due else None,
                "assignee": t.assignee,
                "done": t.done,
            }
            for t in record.tasks
        ],
    }


@router.get(
    "/patients/{patient_ref}",
    response_model=PatientOut,
    responses={**ERRORS, 404: {"model": ErrorOut, "description": "No patient with this reference"}},
)
def patient(
    patient_ref: str,
    session: SessionDep,
    viewer: ApiUser,
    unit: Annotated[str, Query(description="HSA id of the care unit")],
    as_of: Day | None = None,
    gap: Annotated[int, Query(ge=0, le=MAX_GAP)] = DEFAULT_GAP,
) -> PatientOut:
    """The patient's cases at the unit, newest first, and the coordination record."""
    _patient_reader(viewer, unit)
    facts = queries.patient_by_ref(session, patient_ref)
    if facts is None:
        raise NotFoundError("no patient with this reference")
    day = as_of or date.today()
    rows = cases_service.patient_cases(
        session, patient_id=facts.id, unit_id=unit, as_of=day, gap=gap
    )
    if not access.can_view_patient(
        rows, role=viewer.role, hsa_id=viewer.hsa_id, protected=facts.protected
    ):
        raise AccessDeniedError("the patient is out of reach")
    visible = access.visible_rows(
        rows,
        role=viewer.role,
        hsa_id=viewer.hsa_id,
        protected_patient_ids={facts.id} if facts.protected else set(),
    )
    record = coordination.get_record(session, patient_id=facts.id, unit_id=unit)
    log_access(
        session,
        user=viewer.user,
        role=viewer.role,
        unit_id=unit,
        patient_ids=[facts.id],
        action=Action.API_PATIENT,
        purpose=viewer.purpose,
    )
    session.commit()
    status = str(record.status) if record.status else None
    counts = matters.open_counts(session, unit_id=unit, patient_ids=[facts.id], as_of=day).get(
        facts.id, matters.NO_MATTERS
    )
    fmb = fmb_service.catalogue(session, day)
    risks = risk_rows.for_rows(session, visible, unit_id=unit, as_of=day, gap=gap)
    return PatientOut(
        patient_ref=facts.ref,
        unit_id=unit,
        completions=counts.completions,
        questions=counts.questions,
        cases=[_case_out(r, facts, status, counts, fmb, risks) for r in visible],
        coordination=_record_json(record),
    )


def admin_viewer(viewer: ApiUser) -> Viewer:
    """The caller of certificate intake: an admin account's token, checked
    before the body is read."""
    if viewer.role != "admin":
        raise AccessDeniedError("certificate intake needs an admin account's token")
    return viewer


AdminUser = Annotated[Viewer, Depends(admin_viewer)]
JsonBody = Annotated[Any, Depends(json_body)]


def _intake(session: SessionDep, document: Any, source: str, created: int = 201) -> JSONResponse:
    try:
        parsed = parse_document(document, whole="(body)")
    except FieldError as err:
        if err.field == "revokes":  # the path's id, in the API
            raise FieldError("certificate_id", err.reason) from None
        raise
    batch = certificates.start_batch(session, source)
    result = certificates.ingest(session, batch, [(1, parsed)])
    certificates.finish_batch(session, batch)
    session.commit()
    if result.errors:
        error = result.errors[0]
        status = 404 if error.field == "revokes" else 422
        return JSONResponse(
            {
                "detail": f"{error.field}: {error.reason}",
                "field": error.field,
                "reason": error.reason,
            },
            status_code=status,
        )
    ident = parsed.id if isinstance(parsed, Certificate) else parsed.revokes
    found = (
        fmb_intake.notices(session, [ident])
        if isinstance(parsed, Certificate) and result.stored
        else []
    )
    out = IntakeOut(
        id=ident,
        stored=result.stored,
        unchanged=result.unchanged,
        notices=[NoticeOut.model_validate(n.as_json()) for n in found],
    )
    return JSONResponse(out.model_dump(), status_code=created if result.stored else 200)


@router.post(
    "/certificates",
    response_model=IntakeOut,
    status_code=201,
    responses={
        **ERRORS,
        **NOT_JSON,
        200: {"model": IntakeOut, "description": "Already stored, unchanged"},
    },
    openapi_extra=json_request(CERTIFICATE_REF),
)
def post_certificate(session: SessionDep, viewer: AdminUser, document: JsonBody) -> JSONResponse:
    """Take in one certificate (FK 7804) in the published certificate format,
    with the same validation as ``rehabkoll import``; the same certificate
    twice changes nothing (200 the second time). Needs an admin account's token."""
    if isinstance(document, dict) and "revokes" in document:
        raise FieldError("revokes", "revoke with POST /api/certificates/{id}/revoke")
    return _intake(session, document, "api: POST /api/certificates")


@router.post(
    "/certificates/{certificate_id}/revoke",
    response_model=IntakeOut,
    responses={
        **ERRORS,
        **NOT_JSON,
        404: {"model": ErrorOut, "description": "No certificate with this id is stored"},
    },
    openapi_extra=json_request(REVOCATION_BODY),
)
def revoke_certificate(
    certificate_id: str, session: SessionDep, viewer: AdminUser, body: JsonBody
) -> JSONResponse:
    """Revoke (makulera) a stored certificate; revoking again at the same time
    changes nothing. Needs an admin account's token."""
    if not isinstance(body, dict):
        raise FieldError("(body)", "must be a JSON object")
    for name in body:
        if name != "revoked_at":
            raise FieldError(name, "unknown field")
    if "revoked_at" not in body:
        raise FieldError("revoked_at", "Field required")
    document = {"revokes": certificate_id, "revoked_at": body["revoked_at"]}
    return _intake(session, document, f"api: revoke {certificate_id}", created=200)
