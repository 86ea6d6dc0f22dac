"""Users, logins, API tokens and web sessions.

Every function works inside the session it is given and never commits; the
caller (a command, a route) owns the transaction. Times are naive UTC, like
every other time in the database.

Failed logins change the database too (the failure counter, the lock): a
caller that catches ``LoginFailedError`` or ``AccountLockedError`` must still
commit, or the count is lost. ``authenticate`` never sleeps; the errors carry
``delay_seconds`` for the caller to wait before answering.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rehabkoll.accounts.errors import (
    AccessDeniedError,
    AccountLockedError,
    LoginFailedError,
    UnknownUserError,
    UserExistsError,
    WeakPasswordError,
)
from rehabkoll.accounts.models import ApiToken, User, UserUnit, WebSession
from rehabkoll.accounts.roles import Role

MIN_PASSWORD_LENGTH = 10
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so that the answer takes as
    long as for a known user and does not tell which usernames exist."""
    return _hasher.hash("not a password of anyone")


def utcnow() -> datetime:
    """Now, as the naive UTC time the database stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def check_password(password: str) -> None:
    """The password rule: at least ``MIN_PASSWORD_LENGTH`` characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def login_delay(failures: int) -> float:
    """Seconds to wait before answering after ``failures`` failed logins in a row:
    0.5 s after the first, doubling, at most 8 s."""
    if failures <= 0:
        return 0.0
    return float(min(0.5 * 2 ** (failures - 1), 8.0))


def create_user(
    session: Session,
    *,
    username: str,
    role: Role | str,
    unit_ids: Collection[str],
    password: str,
    hsa_id: str | None = None,
) -> User:
    """A new user with an argon2 hash of the password."""
    username = username.strip()
    if not username:
        raise ValueError("the username must not be empty")
    check_password(password)
    if get_user(session, username=username) is not None:
        raise UserExistsError(f"a user named {username!r} already exists")
    user = User(
        username=username,
        role=Role(role),
        hsa_id=hsa_id or None,
        password_hash=_hasher.hash(password),
        disabled=False,
        failed_logins=0,
        settings={},
        created_at=utcnow(),
        units=[UserUnit(unit_id=unit) for unit in sorted(set(unit_ids))],
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, *, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def _require_user(session: Session, username: str) -> User:
    user = get_user(session, username=username)
    if user is None:
        raise UnknownUserError(f"no user named {username!r}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def unit_ids(session: Session, *, user: User) -> list[str]:
    """The units the user may work in, sorted."""
    return list(
        session.scalars(
            select(UserUnit.unit_id).where(UserUnit.user_id == user.id).order_by(UserUnit.unit_id)
        )
    )


def disable_user(session: Session, *, username: str) -> User:
    """Disable the account and end its sessions; its tokens stop working."""
    user = _require_user(session, username)
    user.disabled = True
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.flush()
    return user


def authenticate(
    session: Session, *, username: str, password: str, now: datetime | None = None
) -> User:
    """The user whose username and password these are.

    Raises LoginFailedError for an unknown user, a wrong password or a
    disabled account (one message for all three), and AccountLockedError
    while the account is locked. The fifth failure in a row locks the account
    for ``LOCK_MINUTES``. Commit even when it raises (see the module doc).
    """
    now = now or utcnow()
    user = get_user(session, username=username)
    if user is None:
        _verify(_dummy_hash(), password)
        raise LoginFailedError(delay_seconds=login_delay(1))
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLockedError(user.locked_until, delay_seconds=login_delay(MAX_FAILED_LOGINS))
    if user.locked_until is not None:
        # The lock has run out: start counting again.
        user.locked_until = None
        user.failed_logins = 0
    if not _verify(user.password_hash, password) or user.disabled:
        user.failed_logins += 1
        delay = login_delay(user.failed_logins)
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
            session.flush()
            raise AccountLockedError(user.locked_until, delay_seconds=delay)
        session.flush()
        raise LoginFailedError(delay_seconds=delay)
    user.failed_logins = 0
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    session.flush()
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(session: Session, *, user: User, password: str) -> None:
    check_password(password)
    user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    session.flush()


def issue_token(session: Session, *, user: User) -> str:
    """A new API token for ``user``; only its hash is kept, so show it now or never."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=sha256(token), user_id=user.id, created_at=utcnow()))
    session.flush()
    return token


def user_for_token(session: Session, *, token: str, now: datetime | None = None) -> User | None:
    """The (enabled) user the token belongs to, or None."""
    if not token:
        return None
    row = session.get(ApiToken, sha256(token))
    if row is None or row.user.disabled:
        return None
    row.last_used_at = now or utcnow()
    session.flush()
    return row.user


def _check_unit(session: Session, user: User, unit_id: str) -> None:
    if unit_id not in unit_ids(session, user=user):
        raise AccessDeniedError("the unit is not one of the user's units")


def start_session(
    session: Session, *, user: User, unit_id: str | None, now: datetime | None = None
) -> tuple[str, WebSession]:
    """A new web session working in ``unit_id``: the cookie value (only ever
    returned here) and the row. ``unit_id`` None is for users without units."""
    if user.disabled:
        raise AccessDeniedError("the account is disabled")
    if unit_id is not None:
        _check_unit(session, user, unit_id)
    now = now or utcnow()
    cookie = secrets.token_urlsafe(32)
    row = WebSession(
        id=sha256(cookie),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        unit_id=unit_id,
        csrf_token=secrets.token_urlsafe(32),
        user=user,
    )
    session.add(row)
    session.flush()
    return cookie, row


def resume_session(
    session: Session, *, cookie: str, idle_minutes: int, now: datetime | None = None
) -> WebSession | None:
    """The session of this cookie, its ``last_seen_at`` moved to now; None when
    the cookie is unknown, the session has been idle longer than
    ``idle_minutes`` (it is then removed) or the user is disabled."""
    if not cookie:
        return None
    row = session.get(WebSession, sha256(cookie))
    if row is None:
        return None
    now = now or utcnow()
    if row.user.disabled or now - row.last_seen_at > timedelta(minutes=idle_minutes):
        session.delete(row)
        session.flush()
        return None
    row.last_seen_at = now
    session.flush()
    return row


def end_session(session: Session, *, cookie: str) -> None:
    """Log out: forget the session (nothing happens for an unknown cookie)."""
    session.execute(delete(WebSession).where(WebSession.id == sha256(cookie)))


def switch_unit(session: Session, *, web_session: WebSession, unit_id: str) -> None:
    """Work in another of the user's units from now on."""
    _check_unit(session, web_session.user, unit_id)
    web_session.unit_id = unit_id
    session.flush()


def accept_notice(session: Session, *, user: User, now: datetime | None = None) -> None:
    """Record that the user accepted the notice that access to patient data is logged."""
    user.accepted_notice_at = now or utcnow()
    session.flush()


def save_settings(session: Session, *, user: User, settings: dict[str, Any]) -> None:
    """Replace the user's saved work-list settings (a new dict, so the change is seen)."""
    user.settings = dict(settings)
    session.flush()
