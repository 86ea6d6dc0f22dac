"""``POST /api/risk/score``: the risk of a long case for one certificate's
features, as a doctor's system would ask at the first certificate or a
renewal. Nothing is stored; no patient is named, so the access log gets one
entry without a patient (action ``api_risk_score``: who asked, when, which
model version). The case objects of ``/api`` carry their ``risk`` through
``risk_rows`` instead."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import text

from rehabkoll.accounts import access
from rehabkoll.accounts.errors import AccessDeniedError
from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_event
from rehabkoll.certificates.schema import FieldError
from rehabkoll.lib import icd10
from rehabkoll.risk import answers, service
from rehabkoll.risk.features import age_band, previous_long
from rehabkoll.statistics.groups import CHAPTERS, DIAGNOSIS_GROUPS, classify_code
from rehabkoll.web.api import ERRORS, NOT_JSON, RiskOut
from rehabkoll.web.api_contract import json_body, json_request
from rehabkoll.web.deps import ApiUser, SessionDep, Viewer
from rehabkoll.web.risk_rows import risk_json, thresholds

router = APIRouter(prefix="/api", tags=["api"])

CODE_PATTERN = r"^[A-Za-z][0-9]{2}(\.?[0-9A-Za-z]{1,3})?$"
Occupation = Literal["CURRENT_JOB", "JOB_SEEKER", "PARENTAL_LEAVE", "STUDIES"]


class RiskScoreIn(BaseModel):
    """One certificate's features, as known on the case's day 15 (or at the
    first certificate). Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", strict=True, title="RiskScoreIn")

    age: int = Field(ge=16, le=100, description="The patient's age in years at the case's start")
    sex: Literal["F", "M"]
    diagnosis: str = Field(pattern=CODE_PATTERN, description="Main diagnosis, ICD-10-SE (F32.1)")
    secondary_diagnoses: list[Annotated[str, Field(pattern=CODE_PATTERN)]] = Field(
        default_factory=list, max_length=2
    )
    degree: Literal[25, 50, 75, 100] = Field(description="Degree of the first period, %")
    occupation: list[Occupation] = Field(min_length=1, max_length=4)
    unit_kind: Literal["primary care", "psychiatry", "hospital clinic", "other"] = "primary care"
    previous_cases_12m: int = Field(
        default=0, ge=0, le=50, description="Cases over 14 days that ended in the 12 months before"
    )
    longest_previous_days_12m: int = Field(
        default=0, ge=0, le=366, description="The longest of those, in days (0: none)"
    )
    cases_3y: int = Field(
        default=0, ge=0, le=100, description="Cases that ended in the three years before"
    )
    latest_previous_days_12m: int | None = Field(
        default=None,
        ge=0,
        le=3650,
        description="Days of the most recent earlier case over 14 days that ended in the "
        "12 months before (0: none); default: the longest of them, when there were any",
    )
    days_lasted: int = Field(
        default=15,
        ge=0,
        le=3650,
        description="Days the case has lasted: up to 90 the question is more than 90 days, "
        "then more than 180, then more than 365",
    )


class ScoreOut(BaseModel):
    risk: RiskOut
    diagnosis_average: float | None = Field(
        description="Share of the diagnosis's training cases longer than 90 days"
    )
    diagnosis_cases: int | None = Field(description="How many training cases that share is of")
    explanation: list[str] = Field(description="The three features that raise or lower it most")
    estimates: list[dict[str, Any]] = Field(
        description="Every estimate by the day: question, given_days, probability"
    )


def _reader(viewer: ApiUser) -> Viewer:
    """Coordinators and doctors, checked before the body is read."""
    if not access.can_view_patient_list(viewer.role):
        raise AccessDeniedError("this role does not see patient data")
    return viewer


Reader = Annotated[Viewer, Depends(_reader)]
JsonBody = Annotated[Any, Depends(json_body)]


def _parse(document: Any) -> RiskScoreIn:
    if not isinstance(document, dict):
        raise FieldError("(body)", "must be a JSON object")
    try:
        parsed = RiskScoreIn.model_validate(document)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "(body)"
        raise FieldError(field, str(first.get("msg", "invalid"))) from None
    for name, code in [("diagnosis", parsed.diagnosis)] + [
        (f"secondary_diagnoses.{i}", c) for i, c in enumerate(parsed.secondary_diagnoses)
    ]:
        if not icd10.is_valid(code):
            raise FieldError(name, "is not an ICD-10-SE code")
    return parsed


def features_of(body: RiskScoreIn, care_provider: str) -> dict[str, str | int]:
    """The model's day-15 features from the body (``features.day15_features``'s keys)."""
    code = body.diagnosis.replace(".", "").upper()
    return {
        "age_band": age_band(date(2000, 1, 1), date(2000 + body.age, 1, 1)),
        "sex": body.sex,
        "diagnosis": code[:3],
        "diagnosis_group": classify_code(code, DIAGNOSIS_GROUPS).key,
        "chapter": classify_code(code, CHAPTERS).key,
        "degree_at_start": str(body.degree),
        "occupation": "+".join(sorted(set(body.occupation))),
        "unit_kind": body.unit_kind,
        "care_provider": care_provider,
        "secondary_diagnoses": len(body.secondary_diagnoses),
        "previous_12m": body.previous_cases_12m,
        "previous_12m_days": body.longest_previous_days_12m,
        "cases_3y": body.cases_3y,
        "age": body.age,
        **(
            {}
            if body.latest_previous_days_12m is None
            else {
                "previous_long_days": body.latest_previous_days_12m,
                "previous_long": previous_long(body.latest_previous_days_12m),
            }
        ),
    }


@router.post(
    "/risk/score",
    response_model=ScoreOut,
    responses={**ERRORS, **NOT_JSON},
    openapi_extra=json_request(RiskScoreIn.model_json_schema()),
)
def score(session: SessionDep, viewer: Reader, document: JsonBody) -> JSONResponse:
    """The risk of a long case for one certificate's features, from the model
    in force; nothing is stored. The access log gets one entry without a
    patient (who asked, the model version). Coordinators and doctors."""
    body = _parse(document)
    provider = session.execute(
        text("SELECT care_provider_id FROM units WHERE id = :unit"),
        {"unit": sorted(viewer.user.unit_ids)[0] if viewer.user.unit_ids else ""},
    ).scalar()
    try:
        loaded, compiled = service.current(session)
    except (service.NoModelError, service.DamagedModelError):
        found = None
    else:
        case = answers.Case15(
            "",
            date.today(),
            body.diagnosis,
            features_of(body, str(provider or "")),
            body.days_lasted,
        )
        (found,) = answers.assess(loaded, compiled, [case], thresholds=thresholds())
    log_event(
        session,
        user_id=viewer.user.id,
        username=viewer.user.username,
        role=str(viewer.role),
        action=Action.API_RISK_SCORE,
        purpose=viewer.purpose,
        detail="Riskberäkning utan patient"
        + (f", modellversion {found.model_version}" if found else ", ingen modell"),
    )
    session.commit()
    out = {
        "risk": risk_json(found),
        "diagnosis_average": round(found.diagnosis_average, 4) if found else None,
        "diagnosis_cases": found.diagnosis_cases if found else None,
        "explanation": list(found.explanation) if found else [],
        "estimates": found.as_json()["estimates"] if found else [],
    }
    return JSONResponse(out)
