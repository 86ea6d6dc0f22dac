"""Accounts in the database: passwords, lockout, tokens, web sessions, units."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from rehabkoll.accounts import service
from rehabkoll.accounts.errors import (
    AccessDeniedError,
    AccountLockedError,
    LoginFailedError,
    LoginThrottledError,
    UnknownUserError,
    UserExistsError,
    WeakPasswordError,
)
from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.db.session import session_factory

PASSWORD = "correct horse battery"
T0 = datetime(2024, 5, 2, 8, 0)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Production argon2 parameters cost ~50 ms a hash; the rules are the same cheaper.
    monkeypatch.setattr(service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        yield session


def add(session: Session, username: str = "anna", **kwargs: object) -> User:
    values: dict[str, object] = {
        "role": Role.COORDINATOR,
        "unit_ids": ["U1", "U2"],
        "password": PASSWORD,
    }
    values.update(kwargs)
    user = service.create_user(session, username=username, **values)  # type: ignore[arg-type]
    session.commit()
    return user


def test_it_stores_an_argon2_hash_not_the_password(session: Session) -> None:
    user = add(session)
    assert user.password_hash.startswith("$argon2")
    assert PASSWORD not in user.password_hash
    assert service.authenticate(session, username="anna", password=PASSWORD).id == user.id


def test_it_refuses_short_passwords_and_taken_usernames(session: Session) -> None:
    with pytest.raises(WeakPasswordError):
        add(session, password="short")
    add(session)
    with pytest.raises(UserExistsError):
        add(session)


def test_it_keeps_the_users_units_and_role(session: Session) -> None:
    user = add(session, role=Role.DOCTOR, hsa_id="HSA-1", unit_ids=["U2", "U1", "U2"])
    assert service.unit_ids(session, user=user) == ["U1", "U2"]
    assert user.unit_ids == ["U1", "U2"]
    fetched = service.get_user(session, username="anna")
    assert fetched is not None
    assert fetched.role is Role.DOCTOR
    assert fetched.hsa_id == "HSA-1"


@pytest.mark.parametrize("role", list(Role))
def test_every_role_is_stored_and_read_back(session: Session, role: Role) -> None:
    # The column has no CHECK constraint (migration 0002): a new role needs no migration.
    add(session, role=role)
    session.expire_all()
    fetched = service.get_user(session, username="anna")
    assert fetched is not None
    assert fetched.role is role


def test_a_wrong_password_and_an_unknown_user_fail_alike(session: Session) -> None:
    add(session)
    with pytest.raises(LoginFailedError) as wrong:
        service.authenticate(session, username="anna", password="wrong password")
    with pytest.raises(LoginFailedError) as unknown:
        service.authenticate(session, username="nobody", password=PASSWORD)
    # One message, so the answer does not tell which usernames exist.
    assert str(wrong.value) == str(unknown.value)


def test_failed_logins_make_the_next_attempt_wait_and_the_fifth_locks_for_15_minutes(
    session: Session,
) -> None:
    add(session)
    now = T0
    waits = []
    for _ in range(4):
        with pytest.raises(LoginFailedError) as failed:
            service.authenticate(session, username="anna", password="wrong", now=now)
        session.commit()  # callers commit after a failure, or the count is lost
        waits.append(failed.value.retry_after)
        # Within the wait even the right password is refused, unchecked.
        with pytest.raises(LoginThrottledError) as early:
            service.authenticate(session, username="anna", password=PASSWORD, now=now)
        session.commit()
        assert early.value.retry_after == failed.value.retry_after
        now += timedelta(seconds=failed.value.retry_after)
    # 0.5 s after the first failure, doubling.
    assert waits == [0.5, 1.0, 2.0, 4.0]
    with pytest.raises(AccountLockedError) as locked:
        service.authenticate(session, username="anna", password="wrong", now=now)
    session.commit()
    assert locked.value.until == now + timedelta(minutes=15)
    assert locked.value.retry_after == 15 * 60
    # While locked even the right password is refused ...
    with pytest.raises(AccountLockedError):
        service.authenticate(
            session, username="anna", password=PASSWORD, now=now + timedelta(minutes=14)
        )
    # ... and afterwards it works again.
    later = now + timedelta(minutes=16)
    assert service.authenticate(session, username="anna", password=PASSWORD, now=later)


def test_a_successful_login_resets_the_failure_count(session: Session) -> None:
    user = add(session)
    for _ in range(3):
        with pytest.raises(LoginFailedError):
            service.authenticate(
                session, username="anna", password="wrong", now=T0, delay_scale=0.0
            )
    service.authenticate(session, username="anna", password=PASSWORD, now=T0)
    assert user.failed_logins == 0


def test_a_disabled_user_cannot_log_in(session: Session) -> None:
    add(session)
    service.disable_user(session, username="anna")
    with pytest.raises(LoginFailedError):
        service.authenticate(session, username="anna", password=PASSWORD)
    with pytest.raises(UnknownUserError):
        service.disable_user(session, username="nobody")


def test_a_token_is_stored_as_a_hash_and_finds_its_user(session: Session) -> None:
    user = add(session)
    token = service.issue_token(session, user=user)
    session.commit()
    assert service.user_for_token(session, token=token) == user
    assert service.user_for_token(session, token=token + "x") is None
    assert service.user_for_token(session, token="") is None
    from rehabkoll.accounts.models import ApiToken

    stored = session.query(ApiToken).one()
    assert stored.token_hash != token
    assert stored.last_used_at is not None


def test_a_disabled_users_token_stops_working(session: Session) -> None:
    user = add(session)
    token = service.issue_token(session, user=user)
    service.disable_user(session, username="anna")
    assert service.user_for_token(session, token=token) is None


def test_a_session_resumes_and_expires_when_idle(session: Session) -> None:
    user = add(session)
    cookie, row = service.start_session(session, user=user, unit_id="U1", now=T0)
    session.commit()
    assert row.id != cookie  # only the hash is stored
    assert row.csrf_token
    resumed = service.resume_session(
        session, cookie=cookie, idle_minutes=30, now=T0 + timedelta(minutes=29)
    )
    assert resumed is not None
    assert resumed.user == user
    assert resumed.last_seen_at == T0 + timedelta(minutes=29)
    # Idle for 31 minutes after the last request: gone.
    assert (
        service.resume_session(
            session, cookie=cookie, idle_minutes=30, now=T0 + timedelta(minutes=60)
        )
        is None
    )
    assert service.resume_session(session, cookie=cookie, idle_minutes=30) is None


def test_an_unknown_cookie_has_no_session(session: Session) -> None:
    assert service.resume_session(session, cookie="made-up", idle_minutes=30) is None


def test_logging_out_ends_the_session(session: Session) -> None:
    user = add(session)
    cookie, _ = service.start_session(session, user=user, unit_id="U1")
    service.end_session(session, cookie=cookie)
    assert service.resume_session(session, cookie=cookie, idle_minutes=30) is None


def test_disabling_a_user_ends_their_sessions(session: Session) -> None:
    user = add(session)
    cookie, _ = service.start_session(session, user=user, unit_id="U1")
    session.commit()
    service.disable_user(session, username="anna")
    session.commit()
    assert service.resume_session(session, cookie=cookie, idle_minutes=30) is None


def test_a_session_of_a_user_disabled_meanwhile_is_not_resumed(session: Session) -> None:
    # Disabled by other means than disable_user (say, directly in the database).
    user = add(session)
    cookie, _ = service.start_session(session, user=user, unit_id="U1")
    user.disabled = True
    session.commit()
    assert service.resume_session(session, cookie=cookie, idle_minutes=30) is None


def test_a_user_switches_only_to_their_own_units(session: Session) -> None:
    user = add(session)
    _, row = service.start_session(session, user=user, unit_id="U1")
    service.switch_unit(session, web_session=row, unit_id="U2")
    assert row.unit_id == "U2"
    with pytest.raises(AccessDeniedError):
        service.switch_unit(session, web_session=row, unit_id="U3")
    assert row.unit_id == "U2"
    with pytest.raises(AccessDeniedError):
        service.start_session(session, user=user, unit_id="U3")


def test_notice_acceptance_and_settings_are_kept(session: Session) -> None:
    user = add(session)
    assert user.accepted_notice_at is None
    service.accept_notice(session, user=user, now=T0)
    service.save_settings(session, user=user, settings={"gap": 7, "columns": ["days"]})
    session.commit()
    session.expire_all()
    fetched = service.get_user(session, username="anna")
    assert fetched is not None
    assert fetched.accepted_notice_at == T0
    assert fetched.settings == {"gap": 7, "columns": ["days"]}


def test_users_are_listed_by_username(session: Session) -> None:
    add(session, "bertil")
    add(session, "anna", role=Role.ADMIN, unit_ids=[])
    assert [u.username for u in service.list_users(session)] == ["anna", "bertil"]
