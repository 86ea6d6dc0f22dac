"""Admin pages: users (list, add, disable) and the access-log search. Nothing
here can change or remove a log entry."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rehabkoll.accounts import access, changes
from rehabkoll.accounts import service as accounts
from rehabkoll.accounts.errors import AccessDeniedError, UserExistsError, WeakPasswordError
from rehabkoll.accounts.roles import Role
from rehabkoll.audit import search
from rehabkoll.audit.details import detail_text
from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_access
from rehabkoll.lib import personnummer
from rehabkoll.lib.formats import moment
from rehabkoll.web import queries
from rehabkoll.web.deps import CurrentUser, SessionDep, Viewer, check_csrf, render
from rehabkoll.web.errors import FormError

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
Short = Annotated[str, Form(max_length=200)]


def _admin(viewer: Viewer) -> None:
    if not access.can_manage_users(viewer.role):
        raise AccessDeniedError("admins only")


def _users_page(
    request: Request, session: SessionDep, viewer: Viewer, *, error: str = "", flash: str = ""
) -> HTMLResponse:
    return render(
        request,
        "admin_users.html",
        viewer,
        status_code=422 if error else 200,
        title="Användare",
        nav="users",
        users=accounts.list_users(session),
        now=accounts.utcnow(),
        roles=[(r.value, r.label) for r in Role],
        units=queries.unit_names(session),
        error=error,
        flash=flash,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, session: SessionDep, viewer: CurrentUser, saved: str = "") -> Response:
    _admin(viewer)
    flash = {"added": "Användaren har lagts till.", "disabled": "Kontot har stängts av."}
    return _users_page(request, session, viewer, flash=flash.get(saved, ""))


@router.post("/admin/users")
async def add_user(
    request: Request,
    session: SessionDep,
    viewer: CurrentUser,
    username: Short,
    role: Short,
    password: Annotated[str, Form(max_length=1000)],
    hsa_id: Short = "",
) -> Response:
    _admin(viewer)
    form = await request.form()
    units = [str(u).strip() for u in form.getlist("units") if str(u).strip()]
    extra = str(form.get("unit_extra") or "").strip()
    if extra:
        units.append(extra)
    try:
        chosen = Role(role)
    except ValueError:
        raise FormError("role", "unknown role") from None
    try:
        changes.check_username(username.strip())
        units = changes.check_units(session, units)
    except changes.InvalidAccountError as err:
        return _users_page(
            request, session, viewer, error=f"{err.reason[:1].upper()}{err.reason[1:]}."
        )
    if access.needs_unit(chosen) and not units:
        return _users_page(request, session, viewer, error="Välj minst en enhet.")
    if chosen == Role.DOCTOR and not hsa_id.strip():
        return _users_page(request, session, viewer, error="En läkare behöver ett HSA-id.")
    try:
        accounts.create_user(
            session,
            username=username,
            role=chosen,
            unit_ids=units,
            password=password,
            hsa_id=hsa_id.strip() or None,
        )
    except UserExistsError:
        return _users_page(request, session, viewer, error="Användarnamnet finns redan.")
    except (WeakPasswordError, ValueError) as err:
        return _users_page(request, session, viewer, error=f"Ogiltiga uppgifter: {err}")
    session.commit()
    return RedirectResponse("/admin/users?saved=added", status_code=303)


@router.post("/admin/users/{username}/disable")
def disable_user(username: str, session: SessionDep, viewer: CurrentUser) -> Response:
    _admin(viewer)
    if username == viewer.username:
        raise FormError("username", "you cannot disable your own account")
    accounts.disable_user(session, username=username)
    session.commit()
    return RedirectResponse("/admin/users?saved=disabled", status_code=303)


def _audit_page(request: Request, viewer: Viewer, **context: Any) -> HTMLResponse:
    return render(
        request,
        "admin_audit.html",
        viewer,
        title="Åtkomstlogg",
        nav="audit",
        labels={a.value: a.label for a in Action},
        **context,
    )


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_form(request: Request, viewer: CurrentUser) -> Response:
    _admin(viewer)
    return _audit_page(request, viewer, rows=None, query={})


def _filters(patient: str, username: str, unit: str, since: str, until: str) -> search.Filters:
    patient_id = None
    if patient.strip():
        try:
            patient_id = personnummer.normalize(patient)
        except personnummer.InvalidPersonalNumberError as err:
            raise FormError("patient", str(err)) from None
    return search.Filters(
        patient_id=patient_id,
        username=username.strip() or None,
        unit_id=unit.strip() or None,
        since=_start(since, "since"),
        until=_end(until, "until"),
    )


@router.post("/admin/audit", response_class=HTMLResponse)
def audit_search(
    request: Request,
    session: SessionDep,
    viewer: CurrentUser,
    patient: Short = "",
    username: Short = "",
    unit: Short = "",
    since: Short = "",
    until: Short = "",
    page: Annotated[int, Form(ge=1, le=1_000_000)] = 1,
) -> Response:
    """A POST, so that a personnummer searched for never appears in a URL; the
    pages are POSTs too, through every matching entry."""
    if not access.can_read_access_log(viewer.role):
        raise AccessDeniedError("admins only")
    filters = _filters(patient, username, unit, since, until)
    found, total = search.page(session, filters, number=page)
    query = {"patient": patient, "username": username, "unit": unit, "since": since, "until": until}
    pages = max(1, -(-total // search.PAGE_SIZE))
    return _audit_page(
        request,
        viewer,
        rows=found,
        total=total,
        page=min(page, pages),
        pages=pages,
        first=(page - 1) * search.PAGE_SIZE + 1,
        names=search.names(session, found),
        role_word=search.role_word,
        action_word=search.action_word,
        detail_text=detail_text,
        moment=moment,
        query=query,
    )


@router.post("/admin/audit/extract")
def audit_extract(
    session: SessionDep,
    viewer: CurrentUser,
    patient: Short = "",
    format: Short = "pdf",
) -> Response:
    """The patient's log extract (as ``rehabkoll audit --patient``), PDF or CSV.
    Making it is itself in the log (an export of the patient's data)."""
    if not access.can_read_access_log(viewer.role):
        raise AccessDeniedError("admins only")
    if not patient.strip():
        raise FormError("patient", "ange patientens personnummer för ett registerutdrag")
    if format not in ("pdf", "csv"):
        raise FormError("format", "välj PDF eller CSV")
    filters = _filters(patient, "", "", "", "")
    assert filters.patient_id is not None
    rows = search.every(session, filters)
    known = search.names(session, rows)
    log_access(
        session,
        user=viewer.user,
        role=viewer.role,
        unit_id=None,
        patient_ids=[filters.patient_id],
        action=Action.EXPORT,
        purpose="Registerutdrag ur åtkomstloggen",
        detail=f"{len(rows)} poster, {format}",
    )
    session.commit()
    if format == "csv":
        return Response(
            search.extract_csv(rows, known),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="registerutdrag.csv"'},
        )
    body = search.extract_pdf(rows, known, patient_id=filters.patient_id, made=accounts.utcnow())
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="registerutdrag.pdf"'},
    )


def _start(text: str, name: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        return datetime.combine(datetime.fromisoformat(text.strip()).date(), time())
    except ValueError:
        raise FormError(name, "must be a date, YYYY-MM-DD") from None


def _end(text: str, name: str) -> datetime | None:
    start = _start(text, name)
    return start + timedelta(days=1) if start else None
