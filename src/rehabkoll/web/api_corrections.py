"""Corrections of the coordination record through the JSON API: read one
entry with its history, correct it, or withdraw it (återkalla) as written in
error; the same rules as the record page (``web/corrections.py``) and the same
``coordination.corrections`` service.

Who may: the entry is reached through its patient and unit (``unit`` must be
one of the caller's units and the patient within the caller's reach, as for
``GET /api/patients/{ref}``); an entry of another patient or unit answers 404;
only the one who wrote it or a coordinator of the unit may change it (403).
The body is read after those checks (``api_contract.json_body``). Every read
and change is in the access log under the entry's own patient.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, cast

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabkoll.accounts import access
from rehabkoll.accounts.errors import AccessDeniedError
from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_access
from rehabkoll.cases import service as cases_service
from rehabkoll.cases.engine import DEFAULT_GAP
from rehabkoll.certificates.text import FieldError
from rehabkoll.coordination import corrections, rules
from rehabkoll.coordination.enums import Way
from rehabkoll.coordination.models import EntryVersion
from rehabkoll.web import queries
from rehabkoll.web.api import ERRORS, NOT_JSON, ErrorOut, JsonBody, _patient_reader
from rehabkoll.web.api_contract import DAY_PATTERN, _day, json_request
from rehabkoll.web.deps import ApiUser, SessionDep, Viewer
from rehabkoll.web.errors import NotFoundError

router = APIRouter(prefix="/api", tags=["coordination"])

REFUSED = "only the author of the entry or a coordinator of the unit may correct or withdraw it"


class Kind(StrEnum):
    """The kinds of entry that can be corrected or withdrawn."""

    CONSENT = "consent"
    CONTACT = "contact"
    MEETING = "meeting"
    PLAN = "plan"
    REFERRAL = "referral"
    TASK = "task"


class VersionOut(BaseModel):
    """An earlier version of the entry, kept when it was changed."""

    change: str = Field(description="`corrected` or `retracted`")
    values: dict[str, Any] = Field(description="The entry's correctable values before the change")
    reason: str
    changed_by: str
    changed_at: str


class EntryOut(BaseModel):
    """One entry of the coordination record with its history, oldest first."""

    kind: str
    id: int
    values: dict[str, Any] = Field(description="The correctable values (FIELDS of the kind)")
    author: str
    retracted: bool
    retracted_at: str | None = None
    retracted_by: str | None = None
    retract_reason: str | None = None
    history: list[VersionOut]


Unit = Annotated[str, Query(description="HSA id of the care unit", max_length=64)]
EntryId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    404: {"model": ErrorOut, "description": "No such patient, or no such entry of the patient"},
}

_DATE = {"type": "string", "pattern": DAY_PATTERN, "description": "YYYY-MM-DD"}
_OPTIONAL_DATE = {"anyOf": [_DATE, {"type": "null"}]}
_TEXT = {"type": "string", "maxLength": rules.TEXT_MAX}
VALUE_SCHEMAS: dict[str, dict[str, Any]] = {
    "day": _DATE,
    "way": {"type": "string", "enum": [w.value for w in Way]},
    "summary": _TEXT,
    "participants": {
        "type": "array",
        "items": {"type": "string", "maxLength": rules.SHORT_MAX},
        "maxItems": 50,
    },
    "outcome": _TEXT,
    "text": {"type": "string", "minLength": 1, "maxLength": rules.TEXT_MAX},
    "planned_end": _OPTIONAL_DATE,
    "responsible": {"type": "string", "maxLength": rules.SHORT_MAX},
    "title": {"type": "string", "minLength": 1, "maxLength": rules.TITLE_MAX},
    "due": _OPTIONAL_DATE,
    "valid_to": _OPTIONAL_DATE,
    "note": _TEXT,
}
_REASON = {
    "type": "string",
    "minLength": 1,
    "maxLength": rules.TEXT_MAX,
    "description": "Why it changes; kept in the history",
}
CORRECT_BODY: dict[str, Any] = {
    "type": "object",
    "title": "CorrectionIn",
    "additionalProperties": False,
    "required": ["reason", "values"],
    "properties": {
        "reason": _REASON,
        "values": {
            "type": "object",
            "additionalProperties": False,
            "description": "The values to change; the others stay. Which may change, per "
            "kind: "
            + "; ".join(
                f"{kind}: {', '.join(fields)}" for kind, fields in corrections.FIELDS.items()
            ),
            "properties": VALUE_SCHEMAS,
        },
    },
}
RETRACT_BODY: dict[str, Any] = {
    "type": "object",
    "title": "RetractionIn",
    "additionalProperties": False,
    "required": ["reason"],
    "properties": {"reason": _REASON},
}


def _patient(session: Session, viewer: Viewer, patient_ref: str, unit: str) -> queries.PatientFacts:
    """The patient, if within this caller's reach at the unit (else 403/404)."""
    _patient_reader(viewer, unit)
    facts = queries.patient_by_ref(session, patient_ref)
    if facts is None:
        raise NotFoundError("no patient with this reference")
    rows = cases_service.patient_cases(
        session, patient_id=facts.id, unit_id=unit, as_of=date.today(), gap=DEFAULT_GAP
    )
    if not access.can_view_patient(
        rows, role=viewer.role, hsa_id=viewer.hsa_id, protected=facts.protected
    ):
        raise AccessDeniedError("the patient is out of reach")
    return facts


def _log(
    session: Session, viewer: Viewer, unit: str, patient_id: str, action: Action, detail: str
) -> None:
    log_access(
        session,
        user=viewer.user,
        role=viewer.role,
        unit_id=unit,
        patient_ids=[patient_id],
        action=action,
        purpose=viewer.purpose,
        detail=detail,
    )


def _entry_out(session: Session, kind: str, entry: corrections.Entry) -> EntryOut:
    versions = session.scalars(
        select(EntryVersion)
        .where(EntryVersion.entry_kind == kind, EntryVersion.entry_id == entry.id)
        .order_by(EntryVersion.id)
    )
    return EntryOut(
        kind=kind,
        id=entry.id,
        values=corrections.snapshot(kind, entry),
        author=corrections.author(entry),
        retracted=entry.retracted_at is not None,
        retracted_at=entry.retracted_at.isoformat() if entry.retracted_at else None,
        retracted_by=entry.retracted_by,
        retract_reason=entry.retract_reason,
        history=[
            VersionOut(
                change=v.change,
                values=dict(v.values),
                reason=v.reason,
                changed_by=v.changed_by,
                changed_at=v.changed_at.isoformat(),
            )
            for v in versions
        ],
    )


def _text(name: str, value: object, limit: int) -> str:
    if not isinstance(value, str):
        raise FieldError(f"values.{name}", "must be a string")
    if len(value) > limit:
        raise FieldError(f"values.{name}", f"is longer than {limit} characters")
    return value


def _date(name: str, value: object, *, optional: bool) -> date | None:
    if value is None and optional:
        return None
    try:
        return cast("date", _day(value if value is not None else ""))
    except ValueError as error:
        raise FieldError(f"values.{name}", str(error)) from None


def _check(problems: rules.Problems) -> None:
    for field, reason in problems.items():
        raise FieldError(f"values.{field}", reason)


def read_values(
    kind: str, given: Mapping[str, object], entry: Any, today: date
) -> dict[str, object]:
    """The entry's values with ``given`` applied, checked by the same rules as
    the record page's correction forms; FieldError naming ``values.<name>``."""
    for name in given:
        if name not in corrections.FIELDS[kind]:
            raise FieldError(f"values.{name}", f"cannot be corrected on a {kind}")
    current = {name: getattr(entry, name) for name in corrections.FIELDS[kind]}
    values: dict[str, object] = dict(current)
    for name, value in given.items():
        if name in ("day",):
            values[name] = _date(name, value, optional=False)
        elif name in ("planned_end", "due", "valid_to"):
            values[name] = _date(name, value, optional=True)
        elif name == "way":
            try:
                values[name] = Way(_text(name, value, rules.SHORT_MAX))
            except ValueError:
                raise FieldError("values.way", "is not one of the ways of contact") from None
        elif name == "participants":
            if not isinstance(value, list):
                raise FieldError("values.participants", "must be a list of names")
            names = [_text(name, p, rules.SHORT_MAX).strip() for p in value]
            values[name] = [p for p in names if p]
        else:
            limit = {"title": rules.TITLE_MAX, "responsible": rules.SHORT_MAX}.get(
                name, rules.TEXT_MAX
            )
            values[name] = _text(name, value, limit)
    if kind == "contact":
        _check(
            rules.contact(
                day=cast("date", values["day"]), summary=str(values["summary"]), today=today
            )
        )
    elif kind == "plan":
        if not str(values["text"]).strip():
            raise FieldError("values.text", "Skriv planens innehåll.")
        if values["planned_end"] != current["planned_end"]:  # a kept end may have passed
            _check(rules.plan(planned_end=cast("date | None", values["planned_end"]), today=today))
    elif kind == "task":
        due = cast("date | None", values["due"])
        _check(
            rules.task(
                title=str(values["title"]), due=due if due != current["due"] else None, today=today
            )
        )
    elif kind == "consent":
        _check(
            rules.consent(
                valid_from=entry.valid_from, valid_to=cast("date | None", values["valid_to"])
            )
        )
    return values


def _changeable(
    session: Session, viewer: Viewer, patient_ref: str, unit: str, kind: Kind, entry_id: int
) -> tuple[queries.PatientFacts, corrections.Entry]:
    facts = _patient(session, viewer, patient_ref, unit)
    entry, _ = corrections.find(
        session, kind=kind.value, entry_id=entry_id, patient_id=facts.id, unit_id=unit
    )
    author = corrections.author(entry)
    if not corrections.may_correct(author=author, username=viewer.username, role=viewer.role):
        raise AccessDeniedError(REFUSED)
    return facts, entry


def _reason(body: object, allowed: set[str]) -> str:
    if not isinstance(body, dict):
        raise FieldError("(body)", "must be a JSON object")
    for name in body:
        if name not in allowed:
            raise FieldError(name, "unknown field")
    reason = body.get("reason")
    if not isinstance(reason, str):
        raise FieldError("reason", "Field required" if reason is None else "must be a string")
    if len(reason) > rules.TEXT_MAX:
        raise FieldError("reason", f"is longer than {rules.TEXT_MAX} characters")
    for field, problem in corrections.reason_problems(reason).items():
        raise FieldError(field, problem)
    return reason


@router.get(
    "/patients/{patient_ref}/coordination/{kind}/{entry_id}",
    response_model=EntryOut,
    responses=RESPONSES,
)
def get_entry(
    patient_ref: str,
    kind: Kind,
    entry_id: EntryId,
    unit: Unit,
    session: SessionDep,
    viewer: ApiUser,
) -> EntryOut:
    """One entry of the patient's coordination record at the unit, with its
    earlier versions (oldest first) and whether it is withdrawn."""
    facts = _patient(session, viewer, patient_ref, unit)
    entry, _ = corrections.find(
        session, kind=kind.value, entry_id=entry_id, patient_id=facts.id, unit_id=unit
    )
    _log(session, viewer, unit, facts.id, Action.API_PATIENT, "coordination record")
    session.commit()
    return _entry_out(session, kind.value, entry)


@router.post(
    "/patients/{patient_ref}/coordination/{kind}/{entry_id}/correct",
    response_model=EntryOut,
    responses={**RESPONSES, **NOT_JSON},
    openapi_extra=json_request(CORRECT_BODY),
)
def correct_entry(
    patient_ref: str,
    kind: Kind,
    entry_id: EntryId,
    unit: Unit,
    session: SessionDep,
    viewer: ApiUser,
    body: JsonBody,
) -> EntryOut:
    """Correct the entry: ``values`` holds what changes (the kind's fields; the
    others stay), ``reason`` why. The earlier version is kept in the history.
    The same correction again changes nothing. A withdrawn entry cannot be
    corrected (422). Only the entry's author or a coordinator of the unit."""
    facts, entry = _changeable(session, viewer, patient_ref, unit, kind, entry_id)
    reason = _reason(body, {"reason", "values"})
    given = body.get("values")
    if not isinstance(given, dict):
        raise FieldError("values", "Field required" if given is None else "must be a JSON object")
    if entry.retracted_at is not None:
        raise FieldError("reason", "Posten är återkallad och kan inte rättas.")
    values = read_values(kind.value, given, entry, date.today())
    corrections.correct(
        session,
        kind=kind.value,
        entry_id=entry_id,
        patient_id=facts.id,
        unit_id=unit,
        values=values,
        reason=reason,
        user=viewer.user,
        role=viewer.role,
    )
    _log(
        session, viewer, unit, facts.id, Action.COORDINATION_UPDATE, f"corrected {kind} {entry_id}"
    )
    session.commit()
    return _entry_out(session, kind.value, entry)


@router.post(
    "/patients/{patient_ref}/coordination/{kind}/{entry_id}/retract",
    response_model=EntryOut,
    responses={**RESPONSES, **NOT_JSON},
    openapi_extra=json_request(RETRACT_BODY),
)
def retract_entry(
    patient_ref: str,
    kind: Kind,
    entry_id: EntryId,
    unit: Unit,
    session: SessionDep,
    viewer: ApiUser,
    body: JsonBody,
) -> EntryOut:
    """Withdraw the entry as written in error, saying why: it stays in the
    record, marked, and no longer counts (last contact, overdue tasks,
    consents, plans). Withdrawing again changes nothing. Only the entry's
    author or a coordinator of the unit."""
    facts, entry = _changeable(session, viewer, patient_ref, unit, kind, entry_id)
    reason = _reason(body, {"reason"})
    corrections.retract(
        session,
        kind=kind.value,
        entry_id=entry_id,
        patient_id=facts.id,
        unit_id=unit,
        reason=reason,
        user=viewer.user,
        role=viewer.role,
    )
    _log(
        session, viewer, unit, facts.id, Action.COORDINATION_UPDATE, f"retracted {kind} {entry_id}"
    )
    session.commit()
    return _entry_out(session, kind.value, entry)
