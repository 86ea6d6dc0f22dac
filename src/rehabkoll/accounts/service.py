"""Users, logins, API tokens and web sessions.

Every function works inside the session it is given and never commits; the
caller (a command, a route) owns the transaction. Times are naive UTC, like
every other time in the database.

Failed logins change the database too (the failure counter, the wait, the
lock): a caller that catches ``LoginFailedError``, ``LoginThrottledError`` or
``AccountLockedError`` must still commit, or the count is lost. Nothing here
sleeps: after a failure, attempts are refused at once (``LoginThrottledError``
with ``retry_after``) until the wait is over, without checking the password.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from rehabkoll.accounts.errors import (
    AccessDeniedError,
    AccountLockedError,
    LoginFailedError,
    LoginThrottledError,
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
    """Seconds in which no new attempt is checked after ``failures`` failed
    logins in a row: 0.5 s after the first, doubling, at most 8 s."""
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
    full_name: str | None = None,
) -> User:
    """A new user with an argon2 hash of the password; ``full_name`` is the
    name people know them by (shown as author in the coordination record)."""
    username = username.strip()
    if not username:
        raise ValueError("the username must not be empty")
    from rehabkoll.accounts.changes import check_username

    check_username(username)
    check_password(password)
    if get_user(session, username=username) is not None:
        raise UserExistsError(f"a user named {username!r} already exists")
    user = User(
        username=username,
        role=Role(role),
        hsa_id=hsa_id or None,
        full_name=(full_name or "").strip() or None,
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


@dataclass(frozen=True, slots=True)
class LoginClaim:
    """A login attempt allowed to be checked: the user (None for an unknown
    username) and the attempt's number among the failures in a row."""

    username: str
    user_id: int | None
    attempt: int


def claim_login(session: Session, *, username: str, now: datetime | None = None) -> LoginClaim:
    """Count a login attempt before its password is checked, in one conditional
    UPDATE … RETURNING: it succeeds only while the account is not locked, not
    waiting after a failure, and fewer than ``MAX_FAILED_LOGINS`` attempts are
    counted. So however many attempts arrive at once, at most that many
    passwords are checked before the lock holds (the database serialises the
    UPDATEs: a row lock on PostgreSQL, the write lock on SQLite).

    Raises AccountLockedError while locked and LoginThrottledError while the
    account waits after a failure (or other attempts are being checked);
    neither checks the password. Commit before ``check_login``, so that the
    count is seen by every other attempt while this one's password is checked.
    """
    now = now or utcnow()
    user = get_user(session, username=username)
    if user is None:
        return LoginClaim(username, None, 1)
    claimed = session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.locked_until.is_(None), User.locked_until <= now),
            or_(User.login_wait_until.is_(None), User.login_wait_until <= now),
            User.failed_logins < MAX_FAILED_LOGINS,
        )
        .values(failed_logins=User.failed_logins + 1, locked_until=None)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    session.refresh(user)
    if claimed is not None:
        return LoginClaim(username, user.id, int(claimed))
    if user.locked_at(now) and user.locked_until is not None:
        raise AccountLockedError(user.locked_until, retry_after=_seconds(user.locked_until - now))
    if user.login_wait_until is not None and user.login_wait_until > now:
        raise LoginThrottledError(retry_after=_seconds(user.login_wait_until - now))
    # The last attempts allowed are being checked right now.
    raise LoginThrottledError(retry_after=1)


def check_login(
    session: Session,
    claim: LoginClaim,
    *,
    password: str,
    now: datetime | None = None,
    delay_scale: float = 1.0,
) -> User:
    """Check the password of a claimed attempt; the user, or an error.

    Raises LoginFailedError for an unknown user, a wrong password or a disabled
    account (one message for all three); no new attempt of the account is then
    checked for ``login_delay(attempt) * delay_scale`` seconds. The attempt
    that reaches ``MAX_FAILED_LOGINS`` locks the account for ``LOCK_MINUTES``
    (AccountLockedError). Commit even when it raises.
    """
    now = now or utcnow()
    user = session.get(User, claim.user_id) if claim.user_id is not None else None
    if user is None:
        _verify(_dummy_hash(), password)
        raise LoginFailedError(retry_after=login_delay(1) * delay_scale)
    where = update(User).where(User.id == user.id).execution_options(synchronize_session=False)
    if not _verify(user.password_hash, password) or user.disabled:
        if claim.attempt >= MAX_FAILED_LOGINS:
            until = now + timedelta(minutes=LOCK_MINUTES)
            session.execute(
                where.values(locked_until=until, failed_logins=0, login_wait_until=None)
            )
            session.refresh(user)
            raise AccountLockedError(until, retry_after=_seconds(until - now))
        wait = login_delay(claim.attempt) * delay_scale
        session.execute(where.values(login_wait_until=now + timedelta(seconds=wait)))
        session.refresh(user)
        raise LoginFailedError(retry_after=wait)
    values: dict[str, object] = {"failed_logins": 0, "login_wait_until": None}
    if _hasher.check_needs_rehash(user.password_hash):
        values["password_hash"] = _hasher.hash(password)
    session.execute(where.values(values))
    session.refresh(user)
    return user


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    now: datetime | None = None,
    delay_scale: float = 1.0,
) -> User:
    """The user whose username and password these are: ``claim_login`` and
    ``check_login`` in the caller's one transaction (commands and tests; the
    login page commits between the two). Commit even when it raises."""
    claim = claim_login(session, username=username, now=now)
    return check_login(session, claim, password=password, now=now, delay_scale=delay_scale)


def _seconds(span: timedelta) -> float:
    return max(span.total_seconds(), 0.0)


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
    user.login_wait_until = None
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
