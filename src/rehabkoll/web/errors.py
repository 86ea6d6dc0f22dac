"""The one place that turns domain errors into HTTP answers.

Pages get a page (or a redirect to the login page), the API gets JSON:

=============================  ======  =====================================
error                          status  answer
=============================  ======  =====================================
NotAuthenticatedError          401     pages: redirect to /login
NoticeRequiredError            303     redirect to the PDL notice
PasswordChangeRequiredError    303     redirect to /account/password
AccessDeniedError              403     unit, patient or page out of reach
CsrfError                      403     form without the session's token
NotFoundError                  404     unknown patient reference or record
ConflictError                  409     stale edit of a coordination record
FieldError, ConsentRequired…   422     ``{"field": …, "reason": …}``
no database connection free    503     with Retry-After (web/admission.py)
BadParameterError              400     a query parameter out of range
SQLite "database is locked"    503     with Retry-After
BodyNotJsonError               400     API body that is not JSON text
=============================  ======  =====================================
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from rehabkoll.accounts.errors import AccessDeniedError, NotAuthenticatedError
from rehabkoll.agreement import errors as agreement_errors
from rehabkoll.cases.engine import MAX_GAP, MAX_RECENT, InvalidSettingError
from rehabkoll.certificates.schema import FieldError
from rehabkoll.coordination.errors import (
    ConflictError,
    ConsentRequiredError,
    CoordinationError,
    InvalidEntryError,
)
from rehabkoll.coordination.errors import NotFoundError as RecordNotFoundError
from rehabkoll.web.deps import (
    SESSION_COOKIE,
    CsrfError,
    NoticeRequiredError,
    PasswordChangeRequiredError,
    render,
)


class NotFoundError(LookupError):
    """No such patient reference, record or page."""


class BodyNotJsonError(ValueError):
    """An API request body that is not a JSON text: 400 with field ``(body)``."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"(body): {reason}")
        self.field = "(body)"
        self.reason = reason


class FormError(ValueError):
    """A form field with a bad value (pages), 422 with field and reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class BadParameterError(ValueError):
    """A query parameter that cannot be answered (a month 2030-13, an unknown
    group): 400 with a Swedish message naming the field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason

    @property
    def message(self) -> str:
        return f"{self.field}: {self.reason}."


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


async def password_change_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/account/password", status_code=303)


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
    if _is_api(request):
        return _answer(request, 404, "Hittades inte", str(exc) or "not found")
    return _page(
        request,
        404,
        "Hittades inte",
        "Det du letade efter finns inte här: länken kan vara gammal, eller uppgiften "
        "hör till en annan patient eller enhet. Gå till Pågående sjukfall och öppna "
        "patienten därifrån.",
    )


async def conflict(request: Request, exc: Exception) -> Response:
    message = (
        "Någon annan har ändrat koordineringsjournalen medan du arbetade. Din ändring "
        "sparades inte. Ladda om sidan, se den senaste versionen och gör ändringen igen."
    )
    if _is_api(request):
        message = f"conflict: {exc}"
    return _answer(request, 409, "Krock: journalen har ändrats", message)


FIELD_LABELS = {
    "gap": "Glapp mellan intyg",
    "recent": "Nyligen avslutade",
    "per_page": "Rader per sida",
    "ending_days": "Intyg som slutar inom",
    "min_days": "Längd från",
    "max_days": "Längd till",
    "min_age": "Ålder från",
    "max_age": "Ålder till",
    "end_from": "Slutdatum från",
    "end_to": "Slutdatum till",
    "text": "Fritext",
    "version": "Version",
    "request": "Formuläret",
}
"""Swedish names of the fields a page's message may name."""

_PYDANTIC = {
    "missing": "måste fyllas i",
    "string_too_long": "är för lång (högst {max_length} tecken)",
    "int_parsing": "ska vara ett heltal",
    "int_type": "ska vara ett heltal",
    "date_from_datetime_parsing": "ska vara ett datum, ÅÅÅÅ-MM-DD",
    "date_parsing": "ska vara ett datum, ÅÅÅÅ-MM-DD",
    "greater_than_equal": "ska vara minst {ge}",
    "less_than_equal": "ska vara högst {le}",
}


def _unprocessable(request: Request, field: str, reason: str) -> Response:
    if _is_api(request):
        return JSONResponse(
            {"detail": f"{field}: {reason}", "field": field, "reason": reason}, status_code=422
        )
    label = FIELD_LABELS.get(field, field)
    return _page(
        request,
        422,
        "Uppgifterna kunde inte sparas",
        f"{label}: {reason} Gå tillbaka, rätta uppgiften och försök igen.",
    )


async def field_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FieldError | FormError | InvalidEntryError)
    return _unprocessable(request, exc.field, exc.reason)


async def bad_parameter(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadParameterError)
    return _answer(request, 400, "Felaktig uppgift", exc.message, field=exc.field)


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
    if _is_api(request):
        return _unprocessable(request, getattr(exc, "field", "record"), str(exc))
    return _page(
        request,
        422,
        "Ändringen kunde inte sparas",
        "Koordineringsjournalen tog inte emot ändringen. Ladda om journalen och försök igen.",
    )


async def invalid_setting(request: Request, exc: Exception) -> Response:
    text = str(exc)
    field = "recent" if text.startswith("recent") else "gap"
    if _is_api(request):
        return _unprocessable(request, field, text)
    limit = MAX_RECENT if field == "recent" else MAX_GAP
    return _unprocessable(request, field, f"Välj ett antal dagar från 0 till {limit}.")


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": ("request",), "msg": "invalid"}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "form")]
    field = ".".join(loc) or "request"
    if _is_api(request):
        reason = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        return _unprocessable(request, field, reason)
    template = _PYDANTIC.get(str(first.get("type", "")), "har ett värde som inte går att använda")
    context = first.get("ctx")
    try:
        reason = template.format(**(context if isinstance(context, dict) else {}))
    except (KeyError, IndexError):
        reason = template
    return _unprocessable(request, field, reason[:1].upper() + reason[1:] + ".")


async def body_not_json(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyNotJsonError)
    return JSONResponse(
        {"detail": f"{exc.field}: {exc.reason}", "field": exc.field, "reason": exc.reason},
        status_code=400,
    )


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    # Keeps the answer's headers: a 405 says which methods there are (Allow).
    if _is_api(request):
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
    heading, message = HTTP_PAGES.get(
        exc.status_code,
        ("Något gick fel", "Sidan kunde inte visas. Gå tillbaka och försök igen."),
    )
    page = _page(request, exc.status_code, heading, message)
    page.headers.update(exc.headers or {})
    return page


HTTP_PAGES = {
    404: ("Sidan finns inte", "Adressen leder ingenstans. Använd menyn för att komma vidare."),
    405: (
        "Det går inte att göra så",
        "Sidan tar inte emot det här anropet. Gå tillbaka och använd sidans knappar.",
    ),
}


RETRY_AFTER_SECONDS = 5


def busy(request: Request) -> Response:
    """503 with Retry-After: no database connection came free in time."""
    response = _answer(
        request,
        503,
        "Hög belastning just nu",
        "Många använder rehabkoll just nu och din begäran fick inte plats i tid. "
        f"Försök igen om {RETRY_AFTER_SECONDS} sekunder."
        if not _is_api(request)
        else "busy: no database connection came free in time; retry later",
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


async def pool_timeout(request: Request, exc: Exception) -> Response:
    return busy(request)


async def agreement_error(request: Request, exc: Exception) -> Response:
    """The agreement follow-up's errors: 404, 422 (field: reason), 409."""
    text = str(exc)
    if isinstance(exc, agreement_errors.NotFoundError):
        return _answer(request, 404, "Finns inte", text)
    if isinstance(exc, agreement_errors.InvalidInputError):
        field, _, reason = text.partition(": ")
        return _unprocessable(request, field if reason else "input", reason or text)
    return _answer(request, 409, "Går inte just nu", text)


async def database_error(request: Request, exc: Exception) -> Response:
    """SQLite's write lock not had within its busy timeout is load, not a
    fault: 503 like a full pool. Any other database error stays a 500."""
    if "database is locked" in str(getattr(exc, "orig", "")):
        return busy(request)
    raise exc


Handler = Callable[[Request, Exception], Awaitable[Response]]
HANDLERS: tuple[tuple[type[Exception], Handler], ...] = (
    (NotAuthenticatedError, not_authenticated),
    (NoticeRequiredError, notice_required),
    (PasswordChangeRequiredError, password_change_required),
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
    (BadParameterError, bad_parameter),
    (InvalidSettingError, invalid_setting),
    (RequestValidationError, validation_error),
    (BodyNotJsonError, body_not_json),
    (StarletteHTTPException, http_error),
    (PoolTimeoutError, pool_timeout),
    (agreement_errors.AgreementError, agreement_error),
    (OperationalError, database_error),
)


def install(app: FastAPI) -> None:
    for error, handler in HANDLERS:
        app.add_exception_handler(error, handler)
