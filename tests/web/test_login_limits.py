"""The login's limits under attack: the lockout holds against parallel guesses,
and the slowdown refuses at once (429, Retry-After) instead of holding a
worker thread asleep. Run on SQLite and on PostgreSQL (``app_client``).

On the old code the failure counter was read, incremented and written back
without a lock, so 20 parallel guesses checked far more than five passwords;
and the slowdown slept in the worker thread (0.5–8 s per answer), so a second
attempt right after a failure was answered only after the sleep, and then
checked."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from rehabkoll.accounts import service as accounts
from rehabkoll.db.session import session_scope
from tests.web.conftest import PASSWORD, Data, csrf_of

WRONG = "fel-lösenord"


def attempt(app: FastAPI, password: str, username: str = "koord") -> tuple[int, str, str]:
    """One login from a browser of its own: (status, Retry-After, page)."""
    client = TestClient(app, follow_redirects=False)
    form = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
    )
    return answer.status_code, answer.headers.get("retry-after", ""), answer.text


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The password hashes checked, in order (the dummy hash of unknown users too).

    Each check also burns ~10 ms of CPU, like argon2 does in production, so
    that parallel attempts overlap as they would on a real server."""
    seen: list[str] = []
    lock = threading.Lock()
    verify: Callable[[str, str], bool] = accounts._verify

    def counting(password_hash: str, password: str) -> bool:
        with lock:
            seen.append(password_hash)
        hashlib.pbkdf2_hmac("sha256", b"work", b"salt", 20_000)
        return verify(password_hash, password)

    monkeypatch.setattr(accounts, "_verify", counting)
    return seen


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every ``time.sleep`` during the test (none may happen while answering a
    login); recorded instead of slept. Wall-clock bounds would be flaky on a
    busy machine; a sleep is what held the worker threads."""
    seen: list[float] = []
    monkeypatch.setattr(time, "sleep", seen.append)
    return seen


def locked(engine: Engine, username: str = "koord") -> bool:
    with session_scope(engine) as session:
        user = accounts.get_user(session, username=username)
        assert user is not None
        return user.locked_until is not None and user.locked_until > accounts.utcnow()


def test_twenty_parallel_guesses_check_exactly_five_passwords_before_the_lock_holds(
    app_client: TestClient, data: Data, engine: Engine, checked: list[str]
) -> None:
    app = app_client.app
    assert isinstance(app, FastAPI)
    app.state.login_delay_scale = 0.0  # the lockout alone, no wait between attempts
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: attempt(app, WRONG), range(20)))
    # Five passwords checked (four answered 401, the fifth locks: 429); the
    # fifteen others refused unchecked (429).
    assert len(checked) == accounts.MAX_FAILED_LOGINS
    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [401] * 4 + [429] * 16
    assert locked(engine)
    # The lock holds: the right password is refused, and not even checked.
    assert attempt(app, PASSWORD)[0] == 429
    assert len(checked) == accounts.MAX_FAILED_LOGINS


def test_an_attempt_right_after_a_failure_is_refused_at_once_with_retry_after(
    app_client: TestClient, data: Data, checked: list[str], sleeps: list[float]
) -> None:
    app = app_client.app
    assert isinstance(app, FastAPI)
    app.state.login_delay_scale = 1.0  # production's wait: 0.5 s after the first failure
    assert attempt(app, WRONG)[0] == 401
    status, retry_after, page = attempt(app, PASSWORD)
    # Refused, although the password is right: it was not checked.
    assert status == 429
    assert retry_after == "1"  # 0.5 s, rounded up to whole seconds
    assert "Vänta 1 sekund och försök igen" in page
    assert len(checked) == 1
    # Nobody slept (the old code slept 0.5 s before the first answer).
    assert sleeps == []


def test_parallel_logins_to_a_locked_account_are_all_answered_at_once(
    app_client: TestClient, data: Data, engine: Engine, checked: list[str], sleeps: list[float]
) -> None:
    app = app_client.app
    assert isinstance(app, FastAPI)
    app.state.login_delay_scale = 0.0
    for _ in range(accounts.MAX_FAILED_LOGINS):
        attempt(app, WRONG)
    assert locked(engine)
    app.state.login_delay_scale = 1.0  # the old code slept 8 s per answer here
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: attempt(app, WRONG), range(10)))
    assert {status for status, _, _ in answers} == {429}
    assert all(int(retry) > 14 * 60 for _, retry, _ in answers)  # the lock's 15 minutes
    assert all("Kontot är låst en stund" in page for _, _, page in answers)
    assert sleeps == []  # the old code slept 8 s in each of the ten worker threads
    assert len(checked) == accounts.MAX_FAILED_LOGINS
