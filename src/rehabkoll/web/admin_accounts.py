"""Admin: one user's page — role, units, name and HSA id changed, a password
reset (the user must choose a new one at the next login), a disabled account
enabled; and the user's own page for that new password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rehabkoll.accounts import access, changes
from rehabkoll.accounts import service as accounts
from rehabkoll.accounts.errors import AccessDeniedError
from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.web import queries
from rehabkoll.web.deps import CurrentUser, NoticeUser, SessionDep, Viewer, check_csrf, render
from rehabkoll.web.errors import NotFoundError

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
Short = Annotated[str, Form(max_length=200)]
Password = Annotated[str, Form(max_length=1000)]
SAVED = {
    "changed": "Ändringarna är sparade.",
    "reset": "Lösenordet är återställt. Användaren måste välja ett nytt vid nästa inloggning.",
    "enabled": "Kontot är aktiverat igen.",
}


def _admin(viewer: Viewer) -> None:
    if not access.can_manage_users(viewer.role):
        raise AccessDeniedError("admins only")


def _target(session: SessionDep, username: str) -> User:
    user = accounts.get_user(session, username=username)
    if user is None:
        raise NotFoundError("Det finns ingen användare med det namnet.")
    return user


def _page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    user: User,
    *,
    error: changes.InvalidAccountError | None = None,
    typed: dict[str, object] | None = None,
    flash: str = "",
) -> HTMLResponse:
    known = queries.unit_names(session)
    return render(
        request,
        "admin_user.html",
        viewer,
        status_code=422 if error else 200,
        title=f"Användare {user.username}",
        nav="users",
        user=user,
        now=accounts.utcnow(),
        roles=[(r.value, r.label) for r in Role],
        units=known,
        error=error,
        typed=typed
        or {
            "role": user.role.value,
            "units": user.unit_ids,
            "full_name": user.full_name or "",
            "hsa_id": user.hsa_id or "",
        },
        flash=flash,
    )


@router.get("/admin/users/{username}", response_class=HTMLResponse)
def user_page(
    request: Request, username: str, session: SessionDep, viewer: CurrentUser, saved: str = ""
) -> Response:
    _admin(viewer)
    user = _target(session, username)
    return _page(request, session, viewer, user, flash=SAVED.get(saved, ""))


@router.post("/admin/users/{username}", response_class=HTMLResponse)
async def change_user(
    request: Request,
    username: str,
    session: SessionDep,
    viewer: CurrentUser,
    role: Short,
    full_name: Short = "",
    hsa_id: Short = "",
) -> Response:
    _admin(viewer)
    user = _target(session, username)
    form = await request.form()
    units = [str(u).strip() for u in form.getlist("units") if str(u).strip()]
    extra = str(form.get("unit_extra") or "").strip()[:64]
    if extra:
        units.append(extra)
    typed: dict[str, object] = {
        "role": role,
        "units": units,
        "unit_extra": extra,
        "full_name": full_name,
        "hsa_id": hsa_id,
    }
    try:
        try:
            chosen = Role(role)
        except ValueError:
            raise changes.InvalidAccountError("role", "välj en av rollerna i listan") from None
        if user.username == viewer.username and chosen is not viewer.role:
            raise changes.InvalidAccountError("role", "du kan inte ändra din egen roll")
        changes.update_user(
            session,
            username=user.username,
            role=chosen,
            unit_ids=units,
            full_name=full_name,
            hsa_id=hsa_id,
        )
    except changes.InvalidAccountError as err:
        session.rollback()
        return _page(request, session, viewer, _target(session, username), error=err, typed=typed)
    session.commit()
    return RedirectResponse(f"/admin/users/{user.username}?saved=changed", status_code=303)


@router.post("/admin/users/{username}/password", response_class=HTMLResponse)
def reset_password(
    request: Request, username: str, session: SessionDep, viewer: CurrentUser, password: Password
) -> Response:
    _admin(viewer)
    user = _target(session, username)
    try:
        changes.reset_password(session, username=user.username, password=password)
    except changes.InvalidAccountError as err:
        session.rollback()
        return _page(request, session, viewer, _target(session, username), error=err)
    session.commit()
    return RedirectResponse(f"/admin/users/{user.username}?saved=reset", status_code=303)


@router.post("/admin/users/{username}/enable")
def enable_user(username: str, session: SessionDep, viewer: CurrentUser) -> Response:
    _admin(viewer)
    user = _target(session, username)
    changes.enable_user(session, username=user.username)
    session.commit()
    return RedirectResponse(f"/admin/users/{user.username}?saved=enabled", status_code=303)


@router.get("/account/password", response_class=HTMLResponse)
def own_password_page(request: Request, viewer: NoticeUser) -> Response:
    return render(request, "account_password.html", viewer, title="Välj ett nytt lösenord")


@router.post("/account/password", response_class=HTMLResponse)
def own_password(
    request: Request,
    session: SessionDep,
    viewer: NoticeUser,
    password: Password,
    repeated: Password,
) -> Response:
    user = session.merge(viewer.user)
    try:
        changes.change_own_password(session, user=user, password=password, repeated=repeated)
    except changes.InvalidAccountError as err:
        session.rollback()
        return render(
            request,
            "account_password.html",
            viewer,
            status_code=422,
            title="Välj ett nytt lösenord",
            error=err,
        )
    session.commit()
    return RedirectResponse(viewer.start_page, status_code=303)
