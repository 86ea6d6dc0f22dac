"""Fixtures of the web tests: a database with two units of one care provider
(and a unit of another provider), certificates signed by two doctors, a
protected patient, and one user per role; a TestClient logged in as any of them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from rehabkoll.accounts import service as accounts
from rehabkoll.certificates import service as certificates
from rehabkoll.certificates.models import Patient
from rehabkoll.certificates.schema import parse_document
from rehabkoll.db.session import session_scope
from rehabkoll.web.app import create_app
from tests.factories import DOCTOR, OTHER_PROVIDER, OTHER_UNIT, PROVIDER, UNIT, certificate, pnr

DOCTOR_2 = "SE2321000016-D002"
FOREIGN_UNIT = "SE2321000032-U009"
PASSWORD = "lösenord-för-test"
TODAY = date.today()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def signed(offset: int) -> str:
    return f"{day(offset)}T09:00:00"


@dataclass(frozen=True)
class Data:
    """Who is who in the test data."""

    anna: str  # woman, unit 1, doctor 1, 100 days, F43
    bertil: str  # man, unit 1, doctor 2, 20 days, M54
    cecilia: str  # protected, unit 1, doctor 1
    david: str  # unit 2 only, doctor 1
    erik: str  # unit 1 recently ended, doctor 2


def seed(engine: Engine) -> Data:
    data = Data(
        anna=pnr(1),
        bertil=pnr(2, woman=False),
        cecilia=pnr(3),
        david=pnr(4),
        erik=pnr(5, woman=False),
    )
    docs = [
        certificate(
            "a-1",
            patient=data.anna,
            periods=[(day(-100), day(-51), 100)],
            signed_at=signed(-100),
            diagnosis="F43.8A",
        ),
        certificate(
            "a-2",
            patient=data.anna,
            periods=[(day(-50), day(-1), 100), (day(0), day(20), 50)],
            signed_at=signed(-50),
            diagnosis="F43.8A",
        ),
        certificate(
            "b-1",
            patient=data.bertil,
            periods=[(day(-20), day(10), 50)],
            signed_at=signed(-20),
            doctor=DOCTOR_2,
            diagnosis="M54.5",
        ),
        certificate(
            "c-1",
            patient=data.cecilia,
            periods=[(day(-10), day(10), 100)],
            signed_at=signed(-10),
            diagnosis="F32.1",
        ),
        certificate(
            "d-1",
            patient=data.david,
            periods=[(day(-30), day(30), 100)],
            signed_at=signed(-30),
            unit=OTHER_UNIT,
            diagnosis="S82.1",
        ),
        certificate(
            "a-other",
            patient=data.anna,
            periods=[(day(-200), day(-150), 25)],
            signed_at=signed(-200),
            unit=OTHER_UNIT,
            diagnosis="J06.9",
        ),
        certificate(
            "e-1",
            patient=data.erik,
            periods=[(day(-40), day(-3), 100)],
            signed_at=signed(-40),
            doctor=DOCTOR_2,
            diagnosis="F41.1",
        ),
        certificate(
            "f-1",
            patient=pnr(6),
            periods=[(day(-5), day(5), 100)],
            signed_at=signed(-5),
            unit=FOREIGN_UNIT,
            provider=OTHER_PROVIDER,
        ),
    ]
    with session_scope(engine) as session:
        batch = certificates.start_batch(session, "test")
        result = certificates.ingest(
            session, batch, [(i, parse_document(d)) for i, d in enumerate(docs, 1)]
        )
        assert not result.errors, result.errors
        session.execute(update(Patient).where(Patient.id == data.cecilia).values(protected=True))
        for username, role, units, hsa in (
            ("koord", "coordinator", [UNIT, OTHER_UNIT], None),
            ("lakare", "doctor", [UNIT], DOCTOR),
            ("lakare2", "doctor", [UNIT], DOCTOR_2),
            ("chef", "manager", [UNIT], None),
            ("analytiker", "analyst", [UNIT], None),
            ("admin", "admin", [], None),
        ):
            accounts.create_user(
                session, username=username, role=role, unit_ids=units, password=PASSWORD, hsa_id=hsa
            )
    return data


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: the default ones cost a third of a second per hash."""
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def data(engine: Engine) -> Data:
    return seed(engine)


@pytest.fixture
def app_client(db_url: str, data: Data) -> Iterator[TestClient]:
    app = create_app(db_url)
    app.state.login_delay_scale = 0.0
    with TestClient(app, follow_redirects=False) as client:
        yield client


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """Log in (and accept the PDL notice); returns the same client."""
    form = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
    )
    assert answer.status_code == 303, answer.text
    if answer.headers["location"] == "/notice":
        notice = client.get("/notice")
        client.post("/notice", data={"csrf_token": csrf_of(notice.text)})
    return client


Login = Callable[[str], TestClient]


@pytest.fixture
def as_user(app_client: TestClient) -> Login:
    def log_in(username: str) -> TestClient:
        return login(app_client, username)

    return log_in


def token_for(engine: Engine, username: str) -> str:
    with session_scope(engine) as session:
        user = accounts.get_user(session, username=username)
        assert user is not None
        return accounts.issue_token(session, user=user)


def form_token(client: TestClient, path: str = "/notice") -> str:
    """The session's CSRF token, from a page whose reading logs nothing."""
    return csrf_of(client.get(path).text)


__all__ = ["PROVIDER", "UNIT", "Data", "day", "form_token", "login", "token_for"]
