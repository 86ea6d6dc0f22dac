"""The RIVTA endpoints: RIVTA BP 2.1 SOAP 1.1 responders for RegisterCertificate
v3, RevokeCertificate v2 and SendMessageToCare v2 (docs/exchange.md).

Every request is answered with the interaction's own response, ``result`` with
``resultCode`` OK / INFO / ERROR, ``resultText`` and, on ERROR, ``errorId``
(VALIDATION_ERROR, APPLICATION_ERROR or TECHNICAL_ERROR), over HTTP 200 as the
national platform expects; only a caller without a valid ``integration``
token gets an HTTP error (401 or 403, with a SOAP fault). Callers: a bearer
token of a user of role ``integration``; in production mutual TLS ends at a
reverse proxy in front of this (docs/exchange.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from rehabkoll.accounts import service as accounts
from rehabkoll.accounts.roles import Role
from rehabkoll.certificates import service as certificates
from rehabkoll.config import get_settings
from rehabkoll.exchange import service
from rehabkoll.exchange.errors import ExchangeError, UnsupportedCertificateError
from rehabkoll.exchange.xmlread import CORE, REGISTER, REVOKE, SEND_TO_CARE, SOAP11
from rehabkoll.fmb import intake as fmb_intake

log = logging.getLogger(__name__)
router = APIRouter(prefix="/rivta", include_in_schema=False)

NAMESPACES = {
    "RegisterCertificate": REGISTER,
    "RevokeCertificate": REVOKE,
    "SendMessageToCare": SEND_TO_CARE,
}
XML = "text/xml; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Answer:
    code: str
    text: str
    error_id: str | None = None


def response_xml(interaction: str, answer: Answer) -> bytes:
    """``<…Response><result>`` in a SOAP 1.1 envelope, as the schema defines it."""
    error = f"<c:errorId>{answer.error_id}</c:errorId>" if answer.error_id else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{SOAP11}">'
        f'<soap:Body><r:{interaction}Response xmlns:r="{NAMESPACES[interaction]}" '
        f'xmlns:c="{CORE}"><r:result><c:resultCode>{answer.code}</c:resultCode>'
        f"<c:resultText>{escape(answer.text)}</c:resultText>{error}</r:result>"
        f"</r:{interaction}Response></soap:Body></soap:Envelope>"
    ).encode()


def _fault(status: int, text: str) -> Response:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{SOAP11}">'
        f"<soap:Body><soap:Fault><faultcode>soap:Client</faultcode>"
        f"<faultstring>{escape(text)}</faultstring></soap:Fault></soap:Body></soap:Envelope>"
    )
    return Response(body, status_code=status, media_type=XML)


def _caller(sessions: sessionmaker[Session], header: str) -> str | Role | None:
    """The integration user's name, None without a valid token, or the role of
    a user who may not post here."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    with sessions() as session:
        user = accounts.user_for_token(session, token=token.strip())
        session.commit()
        if user is None:
            return None
        return user.username if user.role == Role.INTEGRATION else user.role


async def _body(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it exceeds ``limit`` bytes (the
    rest is never read into memory)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def receive(sessions: sessionmaker[Session], data: bytes, interaction: str, user: str) -> Answer:
    """Read, store and answer one message (in a worker thread)."""
    number, raw, item = service.read_item(1, data, expect=interaction)
    if isinstance(item, ExchangeError) and not item.archived:
        return _refused(item, interaction, user)
    with sessions() as session:
        batch = certificates.start_batch(session, f"soap:{interaction}:{user}")
        result = service.receive(session, batch, [(number, raw, item)], sender=f"soap:{user}")
        certificates.finish_batch(session, batch)
        session.commit()
    outcome = result.results[0]
    if outcome.outcome == "stored":
        return Answer("OK", _stored_text(sessions, interaction, outcome.document_id))
    if outcome.outcome == "unchanged":
        already = "revoked" if interaction == "RevokeCertificate" else "stored"
        return Answer("INFO", f"Already {already}; nothing changed")
    assert outcome.error is not None
    return _refused(outcome.error, interaction, user)


def _stored_text(sessions: sessionmaker[Session], interaction: str, document_id: str) -> str:
    """ "Stored", and for a certificate that takes its case over FMB's
    recommendation, Webcert's warning after it (certificate ids only)."""
    if interaction != "RegisterCertificate" or not document_id:
        return "Stored"
    with sessions() as session:
        found = fmb_intake.notices(session, [document_id])
    return " ".join(["Stored.", *(notice.text for notice in found)]) if found else "Stored"


def _refused(error: ExchangeError, interaction: str, user: str) -> Answer:
    if isinstance(error, UnsupportedCertificateError):
        return Answer("INFO", error.reason)  # answered politely, stored nowhere
    log.warning("RIVTA %s from %s refused: %s", interaction, user, error)
    return Answer("ERROR", str(error), error.error_id)


async def _respond(request: Request, interaction: str) -> Response:
    sessions: sessionmaker[Session] = request.app.state.sessions
    caller = await run_in_threadpool(_caller, sessions, request.headers.get("authorization", ""))
    if caller is None:
        return _fault(401, "A bearer token of an integration account is required")
    if isinstance(caller, Role):
        log.warning("RIVTA %s refused: a %s account's token", interaction, caller)
        return _fault(403, "Only an integration account may post here")
    limit = get_settings().rivta_max_message_bytes
    data = await _body(request, limit)
    if data is None:
        log.warning("RIVTA %s from %s refused: more than %d bytes", interaction, caller, limit)
        answer = Answer("ERROR", f"(message): more than {limit:,} bytes", "VALIDATION_ERROR")
    else:
        try:
            answer = await run_in_threadpool(receive, sessions, data, interaction, caller)
        except Exception:
            log.exception("RIVTA %s from %s failed", interaction, caller)
            answer = Answer("ERROR", "Technical error; try again later", "TECHNICAL_ERROR")
    return Response(response_xml(interaction, answer), media_type=XML)


@router.post("/RegisterCertificate/3")
async def register_certificate(request: Request) -> Response:
    return await _respond(request, "RegisterCertificate")


@router.post("/RevokeCertificate/2")
async def revoke_certificate(request: Request) -> Response:
    return await _respond(request, "RevokeCertificate")


@router.post("/SendMessageToCare/2")
async def send_message_to_care(request: Request) -> Response:
    return await _respond(request, "SendMessageToCare")
