"""The one place that turns domain errors into HTTP answers.

Pages get a page (or a redirect to the login page), the API gets JSON:

=============================  ======  =====================================
error                          status  answer
=============================  ======  =====================================
NotAuthenticatedError          401     pages: redirect to /login
NoticeRequiredError            303     redirect to the PDL notice
AccessDeniedError              403     unit, patient or page out of reach
CsrfError                      403     form without the session's token
NotFoundError                  404     unknown patient reference or record
ConflictError                  409     stale edit of a coordination record
FieldError, ConsentRequired…   422     ``{"field": …, "reason": …}``
=============================  ======  =====================================
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from rehabkoll.accounts.errors import AccessDeniedError, NotAuthenticatedError
from rehabkoll.cases.engine import InvalidSettingError
from rehabkoll.certificates.schema import FieldError
from rehabkoll.coordination.errors import (
    ConflictError,
    ConsentRequiredError,
    CoordinationError,
    InvalidEntryError,
)
from rehabkoll.coordination.errors import NotFoundError as RecordNotFoundError
from rehabkoll.web.deps import SESSION_COOKIE, CsrfError, NoticeRequiredError, render


class NotFoundError(LookupError):
    """No such patient reference, record or page."""


class FormError(ValueError):
    """A form field with a bad value (pages), 422 with field and reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _page(request: Request, status: int, heading: str, message: str) -> Response:
    viewer = getattr(request.state, "viewer", None)
    return render(
        request,
        "error.html",
        viewer,
        status_code=status,
        title=heading,
        heading=heading,
        message=message,
        back=request.headers.get("referer", ""),
    )


def _answer(request: Request, status: int, heading: str, message: str, **extra: Any) -> Response:
    if _is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"detail": message, **extra}, status_code=status, headers=headers)
    return _page(request, status, heading, message)


async def not_authenticated(request: Request, exc: Exception) -> Response:
    if _is_api(request):
        return _answer(request, 401, "Inte inloggad", "not authenticated")
    response = RedirectResponse("/login", status_code=303)
    if request.cookies.get(SESSION_COOKIE):
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def notice_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/notice", status_code=303)


async def access_denied(request: Request, exc: Exception) -> Response:
    return _answer(
        request,
        403,
        "Åtkomst nekad",
        "Du har inte behörighet till den här enheten, patienten eller sidan."
        if not _is_api(request)
        else f"forbidden: {exc}",
    )


async def csrf_failed(request: Request, exc: Exception) -> Response:
    return _answer(
        request,
        403,
        "Formuläret kunde inte skickas",
        "Formuläret saknade en giltig säkerhetskod (CSRF). Ladda om sidan och försök igen.",
    )


async def not_found(request: Request, exc: Exception) -> Response:
    return _answer(request, 404, "Hittades inte", str(exc) or "not found")


async def conflict(request: Request, exc: Exception) -> Response:
    message = (
        "Någon annan har ändrat koordineringsjournalen medan du arbetade. Din ändring "
        "sparades inte. Ladda om sidan, se den senaste versionen och gör ändringen igen."
    )
    if _is_api(request):
        message = f"conflict: {exc}"
    return _answer(request, 409, "Krock: journalen har ändrats", message)


def _unprocessable(request: Request, field: str, reason: str) -> Response:
    if _is_api(request):
        return JSONResponse(
            {"detail": f"{field}: {reason}", "field": field, "reason": reason}, status_code=422
        )
    return _page(request, 422, "Felaktiga uppgifter", f"{field}: {reason}")


async def field_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FieldError | FormError | InvalidEntryError)
    return _unprocessable(request, exc.field, exc.reason)


async def consent_required(request: Request, exc: Exception) -> Response:
    if _is_api(request):
        return _unprocessable(request, "party", str(exc))
    return _page(
        request,
        422,
        "Samtycke saknas",
        "Kontakt med en extern part kräver ett giltigt samtycke som omfattar den parten. "
        "Registrera samtycket först.",
    )


async def coordination_error(request: Request, exc: Exception) -> Response:
    return _unprocessable(request, getattr(exc, "field", "record"), str(exc))


async def invalid_setting(request: Request, exc: Exception) -> Response:
    text = str(exc)
    return _unprocessable(request, "recent" if text.startswith("recent") else "gap", text)


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": ("request",), "msg": "invalid"}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "form")]
    return _unprocessable(request, ".".join(loc) or "request", str(first.get("msg", "invalid")))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _is_api(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
    return _page(request, exc.status_code, "Fel", str(exc.detail))


Handler = Callable[[Request, Exception], Awaitable[Response]]
HANDLERS: tuple[tuple[type[Exception], Handler], ...] = (
    (NotAuthenticatedError, not_authenticated),
    (NoticeRequiredError, notice_required),
    (AccessDeniedError, access_denied),
    (CsrfError, csrf_failed),
    (NotFoundError, not_found),
    (RecordNotFoundError, not_found),
    (InvalidEntryError, field_error),
    (ConflictError, conflict),
    (ConsentRequiredError, consent_required),
    (CoordinationError, coordination_error),
    (FieldError, field_error),
    (FormError, field_error),
    (InvalidSettingError, invalid_setting),
    (RequestValidationError, validation_error),
    (StarletteHTTPException, http_error),
)


def install(app: FastAPI) -> None:
    for error, handler in HANDLERS:
        app.add_exception_handler(error, handler)
