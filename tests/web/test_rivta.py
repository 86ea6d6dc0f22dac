"""The RIVTA SOAP endpoints: answers (OK / INFO / ERROR with errorId), the
``integration`` role's narrow reach, hostile XML, the care-provider filter,
and a zeep client built from the national WSDL. SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient
from lxml import etree
from requests.structures import CaseInsensitiveDict
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from rehabkoll.accounts import service as accounts
from rehabkoll.certificates.models import Certificate as StoredCertificate
from rehabkoll.certificates.schema import Certificate, parse_document
from rehabkoll.db.session import session_scope
from rehabkoll.exchange import writing
from rehabkoll.exchange.models import ArchivedMessage, CareMessage
from rehabkoll.exchange.safexml import schemas_dir
from rehabkoll.exchange.xmlread import CORE
from rehabkoll.fmb import reading as fmb_reading
from rehabkoll.fmb import service as fmb_service
from tests.conftest import Configure
from tests.factories import certificate, pnr
from tests.fmb_data import fmb_dir
from tests.web.conftest import PROVIDER, UNIT, Data, day, token_for

pytestmark = pytest.mark.skipif(not schemas_dir().is_dir(), reason="shared RIVTA data missing")
SIGNED = f"{day(-2)}T09:00:00"


@pytest.fixture
def integration(engine: Engine, data: Data) -> dict[str, str]:
    with session_scope(engine) as session:
        accounts.create_user(
            session, username="webcert", role="integration", unit_ids=[], password="x" * 20
        )
    return {"Authorization": f"Bearer {token_for(engine, 'webcert')}"}


def cert(cert_id: str = "rivta-1", **changes: Any) -> Certificate:
    changes.setdefault("patient", pnr(60))
    changes.setdefault("periods", [(day(-2), day(12), 100)])
    doc = parse_document(certificate(cert_id, signed_at=SIGNED, **changes))
    assert isinstance(doc, Certificate)
    return doc


def post(client: TestClient, path: str, body: bytes, headers: dict[str, str]) -> dict[str, str]:
    """POST a SOAP request; the result's fields by local name."""
    answer = client.post(path, content=writing.soap_envelope(body), headers=headers)
    assert answer.status_code == 200, answer.text
    root = etree.fromstring(answer.content)
    result = root.find(f".//{{{CORE}}}resultCode/..")
    assert result is not None
    return {etree.QName(e).localname: e.text or "" for e in result}


def register(client: TestClient, headers: dict[str, str], body: bytes) -> dict[str, str]:
    return post(client, "/rivta/RegisterCertificate/3", body, headers)


def counts(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as session:
        certs = session.scalar(select(func.count()).select_from(StoredCertificate)) or 0
        archived = session.scalar(select(func.count()).select_from(ArchivedMessage)) or 0
    return certs, archived


def test_register_then_again_then_a_conflict(
    app_client: TestClient, engine: Engine, integration: dict[str, str]
) -> None:
    assert register(app_client, integration, writing.register_certificate(cert())) == {
        "resultCode": "OK",
        "resultText": "Stored",
    }
    again = register(app_client, integration, writing.register_certificate(cert()))
    assert again["resultCode"] == "INFO"
    other = register(app_client, integration, writing.register_certificate(cert(diagnosis="J20")))
    assert (other["resultCode"], other["errorId"]) == ("ERROR", "VALIDATION_ERROR")
    assert "different certificate with this id" in other["resultText"]
    with session_scope(engine) as session:
        sender = session.scalar(select(ArchivedMessage.sender).limit(1))
    assert sender == "soap:webcert"


def test_a_rule_violation_names_the_svar(
    app_client: TestClient, integration: dict[str, str]
) -> None:
    body = writing.register_certificate(cert()).replace(b"HELT_NEDSATT", b"NASTAN")
    answer = register(app_client, integration, body)
    assert answer["errorId"] == "VALIDATION_ERROR"
    assert answer["resultText"].startswith("svar 32 / 32.1 (degree)")


def test_revocations_unknown_then_ok_then_info(
    app_client: TestClient, engine: Engine, integration: dict[str, str]
) -> None:
    revoke = writing.revoke_certificate(cert(), datetime.fromisoformat(f"{day(-1)}T10:00:00"))
    path = "/rivta/RevokeCertificate/2"
    # Not yet received: the sender should try again later.
    assert post(app_client, path, revoke, integration)["errorId"] == "APPLICATION_ERROR"
    register(app_client, integration, writing.register_certificate(cert()))
    assert post(app_client, path, revoke, integration)["resultCode"] == "OK"
    assert post(app_client, path, revoke, integration)["resultCode"] == "INFO"
    with session_scope(engine) as session:
        assert not session.get_one(StoredCertificate, "rivta-1").effective


def test_another_certificate_type_is_answered_politely_and_stored_nowhere(
    app_client: TestClient, engine: Engine, integration: dict[str, str]
) -> None:
    before = counts(engine)
    answer = register(app_client, integration, writing.register_certificate(cert(), form="AG7804"))
    assert answer["resultCode"] == "INFO"
    assert "AG7804" in answer["resultText"]
    assert counts(engine) == before


HOSTILE = {
    "entity": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<r>&x;</r>",
    "external DTD": b'<!DOCTYPE r SYSTEM "http://example.invalid/r.dtd"><r/>',
    "wrong namespace": writing.soap_envelope(
        writing.register_certificate(cert()).replace(b"Responder:3", b"Responder:7")
    ),
    "SOAP fault": b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    b"<s:Fault><faultcode>s:Client</faultcode><faultstring>x</faultstring></s:Fault>"
    b"</s:Body></s:Envelope>",
    "not XML": b"<<<",
    "revocation at the register address": writing.soap_envelope(
        writing.revoke_certificate(cert(), datetime(2026, 1, 1))
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_gets_a_clear_error_and_changes_nothing(
    app_client: TestClient, engine: Engine, integration: dict[str, str], name: str
) -> None:
    before = counts(engine)
    answer = app_client.post(
        "/rivta/RegisterCertificate/3", content=HOSTILE[name], headers=integration
    )
    assert answer.status_code == 200
    assert b"<c:errorId>VALIDATION_ERROR</c:errorId>" in answer.content
    assert counts(engine) == before


def test_a_50_mb_message_is_refused_without_reading_it_all(
    app_client: TestClient, engine: Engine, integration: dict[str, str]
) -> None:
    before = counts(engine)

    def body() -> Iterator[bytes]:
        yield b"<r>"
        for _ in range(50):
            yield b" " * 1_000_000
        yield b"</r>"

    answer = app_client.post("/rivta/RegisterCertificate/3", content=body(), headers=integration)
    assert b"VALIDATION_ERROR" in answer.content
    assert b"more than 2,000,000 bytes" in answer.content
    assert counts(engine) == before


def test_a_message_for_another_care_provider_is_refused_logged_and_not_kept(
    app_client: TestClient,
    engine: Engine,
    integration: dict[str, str],
    configure: Configure,
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure(rivta_care_providers=f"SE0000000000-XXXX, {PROVIDER}")
    assert (
        register(app_client, integration, writing.register_certificate(cert()))["resultCode"]
        == "OK"
    )
    before = counts(engine)
    foreign = cert("rivta-2", provider="SE2321000032-0001", unit="SE2321000032-U001")
    with caplog.at_level(logging.WARNING, logger="rehabkoll.web.rivta"):
        answer = register(app_client, integration, writing.register_certificate(foreign))
    assert (answer["resultCode"], answer["errorId"]) == ("ERROR", "VALIDATION_ERROR")
    assert "REHABKOLL_RIVTA_CARE_PROVIDERS" in answer["resultText"]
    assert counts(engine) == before
    assert any("webcert" in r.getMessage() for r in caplog.records)
    assert all(pnr(60) not in r.getMessage() for r in caplog.records)


def test_only_an_integration_token_may_post(
    app_client: TestClient, engine: Engine, integration: dict[str, str]
) -> None:
    body = writing.soap_envelope(writing.register_certificate(cert()))
    path = "/rivta/RegisterCertificate/3"
    assert app_client.post(path, content=body).status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert app_client.post(path, content=body, headers=bad).status_code == 401
    for user in ("admin", "koord"):
        headers = {"Authorization": f"Bearer {token_for(engine, user)}"}
        assert app_client.post(path, content=body, headers=headers).status_code == 403
    assert counts(engine) == (counts(engine)[0], 0)


def test_the_integration_role_reads_nothing(
    app_client: TestClient, engine: Engine, data: Data, integration: dict[str, str]
) -> None:
    with session_scope(engine) as session:
        ref = session.scalar(select(StoredCertificate.patient_id).limit(1))
        from rehabkoll.certificates.models import Patient

        patient_ref = session.get_one(Patient, ref).ref
    for path in (
        f"/api/units/{UNIT}/cases",
        f"/api/patients/{patient_ref}?unit={UNIT}",
    ):
        assert app_client.get(path, headers=integration).status_code == 403, path
    intake = app_client.post(
        "/api/certificates", json=certificate("api-x", patient=pnr(61)), headers=integration
    )
    assert intake.status_code == 403
    # The pages need a session; the integration user has none and no password
    # anyone knows, so every page leads to the login.
    for path in ("/", "/cases", f"/patients/{patient_ref}", "/admin/users", "/statistics"):
        page = app_client.get(path, headers=integration)
        assert page.status_code in (303, 401, 403), path
        assert page.headers.get("location", "/login").startswith("/login"), path


def test_users_add_takes_an_integration_user_without_unit_or_password(db_url: str) -> None:
    from rehabkoll.cli import app

    runner = CliRunner()
    out = runner.invoke(app, ["users", "add", "journal", "--role", "integration", "--db", db_url])
    assert out.exit_code == 0, out.output
    assert "integration, no unit" in out.output
    token = runner.invoke(app, ["users", "token", "journal", "--db", db_url])
    assert token.exit_code == 0, token.output


class _TestClientTransport:
    """zeep's transport posting through the test client instead of the network."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        from zeep.transports import Transport

        self.inner = Transport()  # type: ignore[no-untyped-call]
        self.client = client
        self.headers = headers

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def post_xml(self, address: str, envelope: Any, headers: dict[str, str]) -> requests.Response:
        answer = self.client.post(
            address,
            content=etree.tostring(envelope, xml_declaration=True, encoding="utf-8"),
            headers={**headers, **self.headers},
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(answer.headers)
        response.encoding = "utf-8"
        return response


def _zeep(client: TestClient, headers: dict[str, str], interaction: str, wsdl: str) -> Any:
    import zeep

    path = schemas_dir() / "interactions" / f"{interaction}Interaction" / wsdl
    return zeep.Client(str(path), transport=_TestClientTransport(client, headers))  # type: ignore[no-untyped-call]


def test_a_zeep_client_from_the_wsdl_registers_and_revokes(
    app_client: TestClient, engine: Engine, integration: dict[str, str]
) -> None:
    from zeep import xsd

    register_client = _zeep(
        app_client,
        integration,
        "RegisterCertificate",
        "RegisterCertificateInteraction_3.0_RIVTABP21.wsdl",
    )
    service = register_client.create_service(
        "{urn:riv:clinicalprocess:healthcond:certificate:RegisterCertificate:3:rivtabp21}"
        "RegisterCertificateResponderBinding",
        "http://testserver/rivta/RegisterCertificate/3",
    )
    # The request as zeep's objects: our own message parsed by the WSDL's types,
    # with the answers' cv and datePeriod values as the "any" content they are.
    element = register_client.get_element(
        "{urn:riv:clinicalprocess:healthcond:certificate:RegisterCertificateResponder:3}"
        "RegisterCertificate"
    )
    request = element.parse(
        etree.fromstring(writing.register_certificate(cert())), register_client.wsdl.types
    )
    types = "{urn:riv:clinicalprocess:healthcond:certificate:types:3}"
    cv, period = (
        register_client.get_element(types + "cv"),
        register_client.get_element(types + "datePeriod"),
    )
    for svar in request.intyg.svar:
        for part in svar.delsvar:
            if part._value_1 is not None:
                part._value_1 = [
                    xsd.AnyObject(cv if type(v).__name__ == "CVType" else period, v)  # type: ignore[no-untyped-call]
                    for v in part._value_1
                ]
    for name in ("fornamn", "efternamn", "postadress", "postnummer", "postort"):
        request.intyg.patient[name] = ""  # sent empty, as Webcert does
    result = service.RegisterCertificate(_soapheaders={"LogicalAddress": UNIT}, intyg=request.intyg)
    assert result.result.resultCode == "OK"
    again = service.RegisterCertificate(_soapheaders={"LogicalAddress": UNIT}, intyg=request.intyg)
    assert again.result.resultCode == "INFO"

    revoke_client = _zeep(
        app_client,
        integration,
        "RevokeCertificate",
        "RevokeCertificateInteraction_2.0_RIVTABP21.wsdl",
    )
    revoke = revoke_client.create_service(
        next(iter(revoke_client.wsdl.bindings)), "http://testserver/rivta/RevokeCertificate/2"
    )
    revoke_element = revoke_client.get_element(
        "{urn:riv:clinicalprocess:healthcond:certificate:RevokeCertificateResponder:2}"
        "RevokeCertificate"
    )
    body = revoke_element.parse(
        etree.fromstring(writing.revoke_certificate(cert(), datetime.fromisoformat(SIGNED))),
        revoke_client.wsdl.types,
    )
    answer = revoke.RevokeCertificate(
        _soapheaders={"LogicalAddress": UNIT}, **{k: body[k] for k in body}
    )
    assert answer.result.resultCode == "OK"
    with session_scope(engine) as session:
        assert session.get_one(StoredCertificate, "rivta-1").revoked_at is not None


def test_a_zeep_client_sends_a_message_to_care(
    app_client: TestClient, engine: Engine, integration: dict[str, str]
) -> None:
    register(app_client, integration, writing.register_certificate(cert()))
    client = _zeep(
        app_client,
        integration,
        "SendMessageToCare",
        "SendMessageToCareInteraction_2.0_RIVTABP21.wsdl",
    )
    service = client.create_service(
        next(iter(client.wsdl.bindings)), "http://testserver/rivta/SendMessageToCare/2"
    )
    element = client.get_element(
        "{urn:riv:clinicalprocess:healthcond:certificate:SendMessageToCareResponder:2}"
        "SendMessageToCare"
    )
    message = writing.send_message_to_care(
        message_id="fk-1",
        cert=cert(),
        subject="KOMPLT",
        sent_at=datetime.fromisoformat(SIGNED),
        questions=["32"],
    )
    body = element.parse(etree.fromstring(message), client.wsdl.types)
    answer = service.SendMessageToCare(
        _soapheaders={"LogicalAddress": UNIT}, **{k: body[k] for k in body}
    )
    assert answer.result.resultCode == "OK"
    with session_scope(engine) as session:
        stored = session.get_one(CareMessage, "fk-1")
        assert (stored.subject, stored.questions, stored.unit_id) == ("KOMPLT", ["32"], UNIT)


def test_a_certificate_over_fmb_is_stored_with_webcerts_warning(
    app_client: TestClient, engine: Engine, integration: dict[str, str]
) -> None:
    # FMB gives M54.5 (via M545) at most 14 days. cert() runs from day -2 to
    # day 12: 15 calendar days, so the case is over by one day.
    with session_scope(engine) as session:
        fmb_service.import_data(session, fmb_reading.read([str(fmb_dir())]))
    answer = register(
        app_client, integration, writing.register_certificate(cert(diagnosis="M54.5"))
    )
    assert answer["resultCode"] == "OK"
    assert answer["resultText"] == (
        "Stored. Den totala sjukskrivningsperioden är 15 dagar och därmed längre än "
        "FMB:s rekommendation på 14 dagar för diagnosen M54.5."
    )
    # F32.1 (via F32) allows 186 days: 15 days is within it, so no warning
    within = cert("rivta-2", patient=pnr(61), diagnosis="F32.1")
    assert register(app_client, integration, writing.register_certificate(within)) == {
        "resultCode": "OK",
        "resultText": "Stored",
    }


def test_an_xml_import_tells_which_certificates_go_over_fmb(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    from rehabkoll.cli import app

    with session_scope(engine) as session:
        fmb_service.import_data(session, fmb_reading.read([str(fmb_dir())]))
    # As above: 15 days against M54.5's 14 is over; F32.1's 186 (via F32) is not.
    (tmp_path / "over.xml").write_bytes(writing.register_certificate(cert(diagnosis="M54.5")))
    (tmp_path / "within.xml").write_bytes(
        writing.register_certificate(cert("rivta-2", patient=pnr(61), diagnosis="F32.1"))
    )
    result = CliRunner().invoke(app, ["import", str(tmp_path), "--db", db_url])
    assert result.exit_code == 0, result.output
    words = " ".join(result.output.split())
    assert "2 stored, 0 unchanged, 0 ignored, 0 rejected, 1 over FMB's recommended length." in words
    assert "rivta-1: Den totala sjukskrivningsperioden är 15 dagar" in words
    assert "rivta-2:" not in words
    assert pnr(60) not in result.output  # certificate ids only, never a personnummer
