"""What an admin changes in an account after it exists: role, units and the
person's name (``update_user``), a password reset that the user must replace
at the next login (``reset_password``), a disabled account enabled again
(``enable_user``); and the user's own new password (``change_own_password``).

Usernames keep to a safe set of characters (``check_username``) and units must
exist in the register; each refusal is an ``InvalidAccountError`` naming the
field, with a Swedish reason the web shows as it is.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rehabkoll.accounts import access
from rehabkoll.accounts import service as accounts
from rehabkoll.accounts.errors import WeakPasswordError
from rehabkoll.accounts.models import User, UserUnit, WebSession
from rehabkoll.accounts.roles import Role
from rehabkoll.certificates.models import Unit

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
NAME_MAX = 200


class InvalidAccountError(ValueError):
    """A change that cannot be made: ``field`` and a Swedish ``reason``."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def check_username(username: str) -> str:
    """The username, if it keeps to letters a–z, digits, dot, dash and underscore
    (1–64 characters, starting with a letter or digit)."""
    if not USERNAME.fullmatch(username):
        raise InvalidAccountError(
            "username",
            "användarnamnet får bara innehålla a–z, A–Z, siffror, punkt, bindestreck och "
            "understreck (högst 64 tecken, först en bokstav eller siffra)",
        )
    return username


def check_units(session: Session, unit_ids: Collection[str]) -> list[str]:
    """The units, sorted, if every one is in the register."""
    wanted = sorted({u.strip() for u in unit_ids if u.strip()})
    known = set(session.scalars(select(Unit.id).where(Unit.id.in_(wanted)))) if wanted else set()
    missing = [u for u in wanted if u not in known]
    if missing:
        raise InvalidAccountError(
            "units", f"enheten {missing[0][:64]} finns inte i registret över vårdenheter"
        )
    return wanted


def _user(session: Session, username: str) -> User:
    user = accounts.get_user(session, username=username)
    if user is None:
        raise InvalidAccountError("username", "det finns ingen sådan användare")
    return user


def update_user(
    session: Session,
    *,
    username: str,
    role: Role,
    unit_ids: Collection[str],
    full_name: str,
    hsa_id: str | None,
) -> User:
    """Set the role, units, name and HSA id; the caller commits."""
    user = _user(session, username)
    units = check_units(session, unit_ids)
    if access.needs_unit(role) and not units:
        raise InvalidAccountError("units", "rollen behöver minst en enhet")
    if role is Role.DOCTOR and not (hsa_id or "").strip():
        raise InvalidAccountError("hsa_id", "en läkare behöver ett HSA-id")
    name = full_name.strip()
    if len(name) > NAME_MAX:
        raise InvalidAccountError("full_name", f"högst {NAME_MAX} tecken")
    user.role = role
    user.full_name = name or None
    user.hsa_id = (hsa_id or "").strip() or None
    kept = [link for link in user.units if link.unit_id in units]
    have = {link.unit_id for link in kept}
    user.units = kept + [UserUnit(unit_id=unit) for unit in units if unit not in have]
    # A session working in a unit the user lost ends, rather than keep its access.
    session.execute(
        delete(WebSession).where(
            WebSession.user_id == user.id,
            WebSession.unit_id.is_not(None),
            WebSession.unit_id.not_in(units) if units else WebSession.unit_id.is_not(None),
        )
    )
    session.flush()
    return user


def reset_password(session: Session, *, username: str, password: str) -> User:
    """A temporary password the user must replace at the next login; their
    sessions end and a lockout is lifted."""
    user = _user(session, username)
    _check(password)
    accounts.set_password(session, user=user, password=password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.flush()
    return user


def enable_user(session: Session, *, username: str) -> User:
    user = _user(session, username)
    user.disabled = False
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    return user


def change_own_password(session: Session, *, user: User, password: str, repeated: str) -> None:
    """The user's new password (after a reset): typed twice, the rule kept."""
    if password != repeated:
        raise InvalidAccountError("password", "lösenorden är inte lika")
    _check(password)
    accounts.set_password(session, user=user, password=password)
    user.must_change_password = False
    session.flush()


def _check(password: str) -> None:
    try:
        accounts.check_password(password)
    except WeakPasswordError:
        raise InvalidAccountError(
            "password", f"lösenordet måste ha minst {accounts.MIN_PASSWORD_LENGTH} tecken"
        ) from None
