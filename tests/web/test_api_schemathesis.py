"""The API does what its OpenAPI document says: schemathesis generates requests
from the document (examples, boundary cases, then random ones, within bounds)
and sends them to the app in process, as an admin and as a coordinator, and
every check it has must pass: no server error, only documented status codes,
headers and content types, answers matching their schemas, wrong methods
answered 405 with Allow, missing or wrong tokens refused, schema-invalid
input refused (400/422) and schema-valid input accepted.

One allowance, and why: a certificate that matches the published schema can
still be refused with 422, because the schema cannot say that a personnummer's
check digit must match, that a diagnosis code must be on the ICD-10-SE list
or that periods must not overlap. For the two certificate operations 422
therefore counts as an answer to valid data too; so it does for the
corrections of coordination entries (a contact's day in the future, a field
the entry's kind does not have, another patient's entry).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from sqlalchemy import Engine

from rehabkoll.db.session import make_engine, upgrade
from rehabkoll.web.app import create_app
from tests.web.conftest import seed, token_for

EXAMPLES = 30
"""Random examples per operation and role, after the examples and boundary cases."""

CONFIG: dict[str, Any] = {
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    "generation": {"max-examples": EXAMPLES, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "operations": [
        {
            # Certificates, and the risk of one certificate's features: a code of the
            # right shape may still not be on the ICD-10-SE list (422).
            "include-path-regex": "^/api/(certificates|risk/score)",
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "401", "403", "404", "422"]
                }
            },
        },
        {
            # A correction that matches the schema can still be refused: a
            # contact's day in the future, a field the entry's kind does not
            # have, an entry of another patient (the schema cannot know them).
            "include-path-regex": "/coordination/",
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "401", "403", "404", "422"]
                }
            },
        },
    ],
}


@pytest.fixture(scope="module")
def api_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, Engine]]:
    path: Path = tmp_path_factory.mktemp("schemathesis") / "api.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine)
    yield create_app(url), engine
    engine.dispose()


@pytest.fixture(scope="module")
def bearer(api_app: tuple[FastAPI, Engine]) -> dict[str, dict[str, str]]:
    """An admin's token and a coordinator's (of both the data's units)."""
    _, engine = api_app
    return {
        role: {"Authorization": f"Bearer {token_for(engine, role)}"} for role in ("admin", "koord")
    }


def _document_app() -> FastAPI:
    """An app whose only use is its OpenAPI document (which no data changes),
    read when the tests are collected; the requests go to ``api_app``."""
    folder = Path(tempfile.mkdtemp(prefix="rehabkoll-openapi-"))
    return create_app(f"sqlite:///{folder / 'document.db'}")


schema = schemathesis.openapi.from_asgi(
    "/api/openapi.json", _document_app(), config=SchemathesisConfig.from_dict(CONFIG)
)


SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@schema.parametrize()
@SETTINGS
def test_the_api_answers_an_admin_as_its_document_says(
    case: schemathesis.Case[Any], api_app: tuple[FastAPI, Engine], bearer: dict[str, dict[str, str]]
) -> None:
    case.call_and_validate(app=api_app[0], headers=bearer["admin"])


@schema.parametrize()
@SETTINGS
def test_the_api_answers_a_coordinator_as_its_document_says(
    case: schemathesis.Case[Any], api_app: tuple[FastAPI, Engine], bearer: dict[str, dict[str, str]]
) -> None:
    case.call_and_validate(app=api_app[0], headers=bearer["koord"])
