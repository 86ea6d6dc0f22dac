"""What the JSON API takes, read by hand where FastAPI would read it too early
or too loosely, and the OpenAPI document that says so.

- Request bodies are read after the caller's token and role are checked
  (FastAPI reads a declared body before any dependency runs, so a
  coordinator's malformed POST got 422 where 403 is the answer). A body that
  is not JSON text answers 400 naming ``(body)``; the JSON is read as an
  import line is (``certificates.text``), so a certificate is validated the
  same on both roads in.
- Query dates are ``YYYY-MM-DD`` between 2000-01-01 and 2099-12-31 (pydantic
  would read ``as_of=0`` as 1970-01-01).
- The document declares the published certificate schema as the body of
  ``POST /api/certificates`` (``certificates.schema.Certificate``), the
  revocation body with its ``date-time`` format, and the bearer-token scheme
  (``deps.bearer_scheme``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from pydantic import BeforeValidator, Field

from rehabkoll.certificates.schema import EARLIEST_DATE, LATEST_DATE, Certificate
from rehabkoll.certificates.text import FieldError, decode
from rehabkoll.web.errors import BodyNotJsonError

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DAY_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
"""Years 2000-2099 in the document; the validator also refuses 2026-02-30."""


def _day(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str) or not _DAY.match(value):
        raise ValueError("must be a date written YYYY-MM-DD, such as 2026-11-05")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError("is not a date of the calendar") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"must lie between {EARLIEST_DATE} and {LATEST_DATE}")
    return day


Day = Annotated[
    date,
    BeforeValidator(_day),
    Field(json_schema_extra={"pattern": DAY_PATTERN}),
]
"""A query date of the API (``as_of``)."""


async def json_body(request: Request) -> Any:
    """The request's JSON value (a dependency: declare it after the caller's).

    Not UTF-8, not JSON, nested too deeply: 400. Its strings are checked as
    an import line's are (``text.check_text``) by ``parse_document``."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BodyNotJsonError(
            f"is not UTF-8 text (byte 0x{raw[err.start]:02X} at position {err.start + 1})"
        ) from None
    try:
        value, _ = decode(text, whole="(body)")
    except FieldError as err:
        raise BodyNotJsonError(err.reason) from None
    return value


REVOCATION_BODY: dict[str, Any] = {
    "type": "object",
    "title": "RevokeIn",
    "additionalProperties": False,
    "required": ["revoked_at"],
    "properties": {
        "revoked_at": {
            "type": "string",
            "format": "date-time",
            "description": "When it was revoked, ISO 8601; Swedish local time unless an "
            "offset is given; between 2000-01-01 and 2099-12-31",
        }
    },
}


def json_request(schema: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` of a route whose JSON body ``json_body`` reads."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


CERTIFICATE_REF = {"$ref": "#/components/schemas/Certificate"}


def install(app: FastAPI) -> None:
    """The app's OpenAPI document, with the certificate schema among its components."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                description=app.description,
                routes=app.routes,
            )
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            certificate = Certificate.model_json_schema(ref_template="#/components/schemas/{model}")
            published = {**certificate.pop("$defs"), "Certificate": certificate}
            clash = set(published) & set(schemas)
            assert not clash, f"schema names used twice: {clash}"
            schemas.update(published)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
