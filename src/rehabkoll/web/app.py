"""The web application: server-rendered pages for people, a JSON API under
``/api`` for integrations, and the app's own static files (no CDN)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from rehabkoll.config import get_settings
from rehabkoll.db import wal
from rehabkoll.db.session import open_database, session_factory
from rehabkoll.web import (
    admin,
    admin_accounts,
    agreement_api,
    api,
    api_contract,
    api_corrections,
    api_docs,
    auth,
    cases,
    coordination,
    corrections,
    errors,
    matters,
    patient,
    risk_admin,
    risk_api,
    risk_statistics,
    risk_views,
    rivta,
    statements,
)
from rehabkoll.web import agreement as agreement_pages
from rehabkoll.web import statistics as statistics_pages
from rehabkoll.web.admission import Admission
from rehabkoll.web.deps import PACKAGE

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def secure_cookies_default() -> bool:
    """REHABKOLL_COOKIE_SECURE=true marks the cookies Secure (behind HTTPS)."""
    return get_settings().cookie_secure


def create_app(database_url: str | None = None, *, secure_cookies: bool | None = None) -> FastAPI:
    """The app on the database at ``database_url`` (default: the configured one),
    its schema brought up to date."""
    app = FastAPI(
        title="rehabkoll",
        description="Sick-leave cases (sjukfall) and rehabilitation coordination. "
        "Authenticate with `Authorization: Bearer <token>` (`rehabkoll users token`).",
        version="0.1.0",
        docs_url=None,  # /api/docs is web/api_docs.py: Swagger UI from its package, no CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    engine = open_database(database_url)
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.secure_cookies = (
        secure_cookies_default() if secure_cookies is None else secure_cookies
    )
    app.state.login_delay_scale = 1.0
    app.state.statistics = False
    errors.install(app)
    settings = get_settings()
    app.add_middleware(
        Admission,
        limit=settings.db_pool_size,
        wait_seconds=settings.db_wait_seconds,
        busy=errors.busy,
        quiet=wal.keeper_of(engine),
    )
    api_contract.install(app)
    app.mount("/static", StaticFiles(directory=PACKAGE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(api_corrections.router)  # coordination entries corrected, withdrawn
    app.include_router(risk_api.router)  # POST /api/risk/score
    api_docs.install(app)  # Swagger UI from the package's files
    app.include_router(agreement_api.router)
    app.include_router(auth.public)
    app.include_router(auth.router)
    app.include_router(cases.router)
    app.include_router(patient.router)
    app.include_router(risk_views.router)  # the doctor's view of a risk on the patient page
    app.include_router(coordination.router)
    app.include_router(corrections.router)  # correcting and withdrawing record entries
    app.include_router(admin.router)
    app.include_router(admin_accounts.router)  # one user's page, own new password
    app.include_router(risk_admin.router)  # /admin/risk: train and evaluate the risk model
    app.include_router(rivta.router)
    app.include_router(matters.router)
    app.include_router(statements.router)
    app.include_router(agreement_pages.router)  # the agreement follow-up (överenskommelsen)
    app.include_router(statistics_pages.router)  # manager and analyst pages
    app.include_router(risk_statistics.router)  # the risk model's calibration
    app.state.statistics = True

    @app.middleware("http")
    async def headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
