"""The API's answers to bad input, and its OpenAPI document (issue 13). Each
test names what the API did before: a 500, a 422 before the 403 of the role
check, a character offset named as the field, an undocumented status."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from rehabkoll.certificates.schema import Certificate
from tests.factories import UNIT, certificate, pnr
from tests.web.conftest import Data, day, signed
from tests.web.test_api import bearer

pytestmark = pytest.mark.postgres


def document(cert_id: str = "in-1", **change: Any) -> dict[str, Any]:
    doc = certificate(
        cert_id, patient=pnr(9), periods=[(day(-3), day(10), 100)], signed_at=signed(-3)
    )
    return {**doc, **change}


def test_the_role_is_checked_before_the_body(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    # A coordinator's malformed POST got 422 (FastAPI read the body first).
    for body in (b"{not json", json.dumps(document(test="yes")).encode()):
        coordinator = app_client.post(
            "/api/certificates", content=body, headers=bearer(engine, "koord")
        )
        assert coordinator.status_code == 403
        assert app_client.post("/api/certificates", content=body).status_code == 401
    revoke = app_client.post(
        "/api/certificates/a-1/revoke", content=b"[", headers=bearer(engine, "koord")
    )
    assert revoke.status_code == 403


def test_a_body_that_is_not_json_answers_400_naming_the_body(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    headers = bearer(engine, "admin")
    cases = {
        # The field used to be the character offset ("field": "11").
        b'{"id": "x",}': "is not valid JSON",
        b'{"id": "\xff"}': "is not UTF-8 text (byte 0xFF at position 9)",
        b"[" * 100_000 + b"]" * 100_000: "nested too deeply",
        b"": "is not valid JSON",
    }
    for body, reason in cases.items():
        answer = app_client.post("/api/certificates", content=body, headers=headers)
        assert answer.status_code == 400, body[:20]
        assert answer.json()["field"] == "(body)"
        assert reason in answer.json()["reason"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"signed_at": "9999-12-31T23:59:59-05:00"}, "signed_at"),  # was 500 (OverflowError)
        ({"signed_at": "9999-12-31T23:59:59"}, "signed_at"),  # was 500
        ({"patient": {"id": pnr(9), "name": "A\u0000B"}}, "patient.name"),  # was 500 on PostgreSQL
        ({"test": "yes"}, "test"),  # was stored as a test certificate
        ({"replaces": "in-1"}, "replaces"),  # was "(line)"
    ],
)
def test_a_bad_certificate_answers_422_naming_its_field(
    app_client: TestClient, data: Data, engine: Engine, change: dict[str, Any], field: str
) -> None:
    answer = app_client.post(
        "/api/certificates", json=document(**change), headers=bearer(engine, "admin")
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == field


def test_a_revocation_in_the_year_9999_answers_422(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    answer = app_client.post(
        "/api/certificates/a-1/revoke",
        json={"revoked_at": "9999-12-31T23:59:59+14:00"},
        headers=bearer(engine, "admin"),
    )
    assert answer.status_code == 422  # was 500
    assert answer.json()["field"] == "revoked_at"


def test_a_byte_order_mark_before_the_body_is_accepted(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    # As the import now does; the API did with a JSON content type, and now
    # reads the body as JSON whatever the type says.
    body = b"\xef\xbb\xbf" + json.dumps(document("bom-1")).encode()
    headers = bearer(engine, "admin")
    answer = app_client.post("/api/certificates", content=body, headers=headers)
    assert answer.status_code == 201
    typed = {**headers, "Content-Type": "application/json"}
    again = app_client.post("/api/certificates", content=body, headers=typed)
    assert again.status_code == 200


@pytest.mark.parametrize("value", ["0", "20261105", "2026-02-30", "1999-12-31", "2100-01-01"])
def test_a_query_date_must_be_a_date_between_2000_and_2099(
    app_client: TestClient, data: Data, engine: Engine, value: str
) -> None:
    # as_of=0 was read as 1970-01-01.
    answer = app_client.get(
        f"/api/units/{UNIT}/cases?as_of={value}", headers=bearer(engine, "koord")
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "as_of"


def test_a_wrong_method_says_which_methods_there_are(app_client: TestClient) -> None:
    answer = app_client.delete("/api/certificates")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"  # was missing


def test_the_document_declares_the_published_schema_formats_errors_and_security(
    app_client: TestClient,
) -> None:
    spec = app_client.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]
    post = spec["paths"]["/api/certificates"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Certificate"}  # was "any object"
    published = Certificate.model_json_schema(ref_template="#/components/schemas/{model}")
    assert schemas["Certificate"] == {k: v for k, v in published.items() if k != "$defs"}
    revoke = spec["paths"]["/api/certificates/{certificate_id}/revoke"]["post"]
    revoke_body = revoke["requestBody"]["content"]["application/json"]["schema"]
    assert revoke_body["properties"]["revoked_at"]["format"] == "date-time"
    assert {"400", "401", "403", "422"} <= set(post["responses"])
    assert {"400", "404"} <= set(revoke["responses"])
    assert "404" in spec["paths"]["/api/patients/{patient_ref}"]["get"]["responses"]
    assert spec["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token: `rehabkoll users token USERNAME`.",
    }
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            assert operation["security"] == [{"bearerToken": []}], path
