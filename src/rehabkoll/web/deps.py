"""What every route depends on: the database session, the logged-in user
(from the session cookie on pages, from ``Authorization: Bearer`` on the API),
the CSRF check, and the templates with their ``base.html`` layout.

Routes of other capabilities (statistics) use these too::

    from rehabkoll.web.deps import CurrentUser, SessionDep, render

    @router.get("/statistics")
    def page(request: Request, session: SessionDep, viewer: CurrentUser) -> HTMLResponse:
        return render(request, "statistics/page.html", viewer, title="Statistik")

``viewer.role`` is an ``accounts.roles.Role``, ``viewer.unit_id`` the unit the
user works in now (None for a user without units).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from rehabkoll.accounts import access
from rehabkoll.accounts import service as accounts
from rehabkoll.accounts.errors import AccessDeniedError, NotAuthenticatedError
from rehabkoll.accounts.models import User, WebSession
from rehabkoll.accounts.roles import Role
from rehabkoll.certificates.models import Unit
from rehabkoll.config import get_settings
from rehabkoll.lib import diagnosis_texts, formats, personnummer
from rehabkoll.web import worklist

SESSION_COOKIE = "rehabkoll_session"
LOGIN_CSRF_COOKIE = "rehabkoll_login_csrf"
CSRF_FIELD = "csrf_token"
PURPOSES = {
    Role.COORDINATOR: "Rehabiliteringskoordinering",
    Role.DOCTOR: "Vård och behandling",
}
SEEN_EVERY = timedelta(seconds=60)
PACKAGE = Path(__file__).parent
_ROOT = PACKAGE.parent


class NoticeRequiredError(Exception):
    """Logged in, but the PDL notice is not accepted yet: pages send the user to it."""


class PasswordChangeRequiredError(Exception):
    """An admin reset the password: pages send the user to choose a new one."""


class CsrfError(Exception):
    """A form without the session's CSRF token."""


def _template_dirs() -> list[str]:
    """The web templates first, then any other capability's ``templates`` folder."""
    others = sorted(str(p) for p in _ROOT.glob("*/templates") if p.parent.name != "web")
    return [str(PACKAGE / "templates"), *others]


templates = Jinja2Templates(directory=_template_dirs())
templates.env.loader = ChoiceLoader([FileSystemLoader(d) for d in _template_dirs()])
templates.env.globals["OCCUPATIONS"] = worklist.OCCUPATIONS
templates.env.globals["MATTER_FILTERS"] = worklist.MATTER_FILTERS
templates.env.globals["SEXES"] = worklist.SEXES
templates.env.globals["PROTECTED_LABEL"] = worklist.PROTECTED_LABEL
templates.env.globals["diagnosis"] = diagnosis_texts.describe
for _name in ("day", "moment", "number", "percent", "days"):
    templates.env.filters[_name] = getattr(formats, _name)
templates.env.tests["synthetic_number"] = lambda text: personnummer.parse(text).synthetic


def get_session(request: Request) -> Iterator[Session]:
    """A session per request; routes that change something commit themselves."""
    factory: sessionmaker[Session] = request.app.state.sessions
    session = factory()
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def start_page(role: Role) -> str:
    """Where the login and ``/`` lead: the unit's overview; for an analyst the
    statistics, for an admin the users."""
    if access.can_view_overview(role):
        return "/"
    if access.can_view_provider_statistics(role):
        return "/statistics"
    if role in (Role.REGION_COORDINATOR, Role.NATIONAL_COORDINATOR):
        return "/agreement"
    return "/admin/users"


@dataclass
class Viewer:
    """The logged-in user as a request sees them."""

    user: User
    unit_id: str | None
    csrf_token: str
    web_session: WebSession | None = None
    unit_names: dict[str, str] = field(default_factory=dict)

    @property
    def unit_name(self) -> str:
        return self.unit_names.get(self.unit_id or "", self.unit_id or "")

    @property
    def role(self) -> Role:
        return self.user.role

    @property
    def hsa_id(self) -> str | None:
        return self.user.hsa_id

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def sees_patients(self) -> bool:
        return access.can_view_patient_list(self.role)

    @property
    def sees_overview(self) -> bool:
        return access.can_view_overview(self.role)

    @property
    def sees_statistics(self) -> bool:
        return access.can_view_unit_statistics(self.role) or access.can_view_provider_statistics(
            self.role
        )

    @property
    def start_page(self) -> str:
        return start_page(self.role)

    def require_unit(self) -> str:
        if self.unit_id is None:
            raise AccessDeniedError("no care unit chosen")
        return self.unit_id

    def require_patients(self) -> str:
        """The current unit, for a user who may see patient data there."""
        if not self.sees_patients:
            raise AccessDeniedError("this role does not see patient data")
        return self.require_unit()

    @property
    def purpose(self) -> str:
        """Why this user reads patient data (ändamål), for the access log."""
        return PURPOSES.get(self.role, "Administration")

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles:
            raise AccessDeniedError("this page is not for this role")


def _unit_names(session: Session, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    known = {
        str(i): str(n)
        for i, n in session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))
    }
    return {i: known.get(i, i) for i in ids}


def idle_minutes() -> int:
    return get_settings().session_idle_minutes


def session_viewer(request: Request, session: SessionDep) -> Viewer:
    """The user of a page, from the session cookie (401 → the login page)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise NotAuthenticatedError("not logged in")
    row = session.get(WebSession, accounts.sha256(cookie))
    web_session: WebSession | None
    if (
        row is not None
        and not row.user.disabled
        and accounts.utcnow() - row.last_seen_at < SEEN_EVERY
    ):
        # Seen within the last minute: the idle clock need not move, which
        # saves a write (and, on SQLite, the write lock) per request.
        web_session = row
    else:
        web_session = accounts.resume_session(session, cookie=cookie, idle_minutes=idle_minutes())
        session.commit()  # the idle clock restarts, or the ended session is removed
    if web_session is None:
        raise NotAuthenticatedError("the session has ended")
    viewer = Viewer(
        user=web_session.user,
        unit_id=web_session.unit_id,
        csrf_token=web_session.csrf_token,
        web_session=web_session,
        unit_names=_unit_names(session, web_session.user.unit_ids),
    )
    request.state.viewer = viewer
    return viewer


NoticeUser = Annotated[Viewer, Depends(session_viewer)]
"""A logged-in user who may not have accepted the PDL notice yet."""


def page_viewer(viewer: NoticeUser) -> Viewer:
    """A logged-in user who has accepted the PDL notice (else → the notice)."""
    if viewer.user.accepted_notice_at is None:
        raise NoticeRequiredError
    if viewer.user.must_change_password:
        raise PasswordChangeRequiredError
    return viewer


bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearerToken",
    description="An API token: `rehabkoll users token USERNAME`.",
)
"""Declares the API's security scheme in the OpenAPI document; the check is ours."""


def api_viewer(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Viewer:
    """The user of an API call, from ``Authorization: Bearer <token>``."""
    token = credentials.credentials.strip() if credentials is not None else ""
    if not token:
        raise NotAuthenticatedError("missing bearer token")
    user = accounts.user_for_token(session, token=token)
    session.commit()
    if user is None:
        raise NotAuthenticatedError("unknown token")
    return Viewer(user=user, unit_id=None, csrf_token="")


CurrentUser = Annotated[Viewer, Depends(page_viewer)]
ApiUser = Annotated[Viewer, Depends(api_viewer)]


async def check_csrf(request: Request, viewer: NoticeUser) -> None:
    """Every form POST carries the session's CSRF token (a router dependency of
    every page router; GETs change nothing and pass)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent, viewer.csrf_token):
        raise CsrfError


def as_of_day(request: Request) -> date:
    """The day to look from: ``?as_of=YYYY-MM-DD`` (demo and tests), else today."""
    text = request.query_params.get("as_of", "")
    try:
        return date.fromisoformat(text) if text else date.today()
    except ValueError:
        return date.today()


AsOf = Annotated[date, Depends(as_of_day)]


def render(
    request: Request,
    name: str,
    viewer: Viewer | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page in the layout; ``viewer`` fills the header (None: logged out)."""
    context.setdefault("title", "rehabkoll")
    return templates.TemplateResponse(
        request,
        name,
        {
            "viewer": viewer,
            "csrf_token": viewer.csrf_token if viewer else "",
            "statistics": getattr(request.app.state, "statistics", False),
            "as_of_param": request.query_params.get("as_of", ""),
            **context,
        },
        status_code=status_code,
    )
