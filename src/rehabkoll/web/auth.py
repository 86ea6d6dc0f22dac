"""Login, logout, the PDL notice and the unit switch."""

from __future__ import annotations

import hmac
import math
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rehabkoll.accounts import service as accounts
from rehabkoll.accounts.errors import AccountLockedError, LoginFailedError, LoginThrottledError
from rehabkoll.web.deps import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfError,
    NoticeUser,
    SessionDep,
    check_csrf,
    render,
    start_page,
)

public = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


def _secure(request: Request) -> bool:
    return bool(request.app.state.secure_cookies)


def _login_page(
    request: Request, *, error: str = "", username: str = "", status_code: int = 200
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        None,
        title="Logga in",
        login_csrf=token,
        error=error,
        username=username,
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/login",
    )
    return response


def _refused(request: Request, message: str, username: str, retry_after: float) -> HTMLResponse:
    """429 at once, with Retry-After: the attacker is slowed without a worker
    thread waiting (no sleeping here)."""
    response = _login_page(request, error=message, username=username, status_code=429)
    response.headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    return response


def _seconds_text(seconds: float) -> str:
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        return "1 sekund" if whole == 1 else f"{whole} sekunder"
    minutes = math.ceil(whole / 60)
    return "1 minut" if minutes == 1 else f"{minutes} minuter"


@public.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return _login_page(request)


@public.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf_token, expected):
        raise CsrfError
    scale: float = request.app.state.login_delay_scale
    try:
        # Counted and committed before the password is checked, so parallel
        # guesses see each other's count (see accounts.service.claim_login).
        claim = accounts.claim_login(session, username=username)
        session.commit()
        user = accounts.check_login(session, claim, password=password, delay_scale=scale)
    except AccountLockedError as err:
        session.commit()
        return _refused(
            request,
            "För många misslyckade inloggningar. Kontot är låst en stund; försök igen senare.",
            username,
            err.retry_after,
        )
    except LoginThrottledError as err:
        session.commit()
        return _refused(
            request,
            "För många inloggningsförsök i rad. Vänta "
            f"{_seconds_text(err.retry_after)} och försök igen.",
            username,
            err.retry_after,
        )
    except LoginFailedError:
        session.commit()
        return _login_page(
            request, error="Fel användarnamn eller lösenord.", username=username, status_code=401
        )
    units = user.unit_ids
    last = user.settings.get("unit_id")
    unit = last if last in units else (units[0] if units else None)
    cookie, _ = accounts.start_session(session, user=user, unit_id=unit)
    session.commit()
    target = "/notice" if user.accepted_notice_at is None else start_page(user.role)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, viewer: NoticeUser) -> Response:
    accounts.end_session(session, cookie=request.cookies.get(SESSION_COOKIE, ""))
    session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/notice", response_class=HTMLResponse)
def notice(request: Request, viewer: NoticeUser) -> Response:
    return render(request, "notice.html", viewer, title="Information om loggning")


@router.post("/notice")
def accept_notice(session: SessionDep, viewer: NoticeUser) -> Response:
    accounts.accept_notice(session, user=viewer.user)
    session.commit()
    return RedirectResponse(viewer.start_page, status_code=303)


@router.post("/unit")
def switch_unit(
    session: SessionDep, viewer: NoticeUser, unit_id: Annotated[str, Form(max_length=64)]
) -> Response:
    assert viewer.web_session is not None
    accounts.switch_unit(session, web_session=viewer.web_session, unit_id=unit_id)
    accounts.save_settings(
        session, user=viewer.user, settings={**viewer.user.settings, "unit_id": unit_id}
    )
    session.commit()
    return RedirectResponse(
        "/cases" if viewer.sees_patients else viewer.start_page, status_code=303
    )
