"""Reads of patient data on the command line, written to the access log as a
web read is (PDL): who (``--as USER``, an account of rehabkoll, else the
operating-system user), role, purpose, unit, patients, action.

Used by ``rehabkoll cases`` and ``rehabkoll patient``; the entry is stored in
the same transaction as the read, so nothing is printed that is not logged.
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabkoll.accounts import service as accounts
from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_access
from rehabkoll.certificates.models import Unit

CLI_ROLE = "cli"  # the role logged for an operating-system user without an account
PURPOSES = {
    Role.COORDINATOR: "Rehabiliteringskoordinering",
    Role.DOCTOR: "Vård och behandling",
}
DEFAULT_PURPOSE = "Administration"


class UnknownReaderError(LookupError):
    """``--as USER`` names no account, or a disabled one."""


class UnknownUnitError(LookupError):
    """The unit is not in the register."""


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads: an account (``--as``) or the operating-system user."""

    user: User
    role: str
    purpose: str


def reader(session: Session, *, as_user: str | None, purpose: str | None) -> Reader:
    if as_user:
        user = accounts.get_user(session, username=as_user)
        if user is None or user.disabled:
            raise UnknownReaderError(f"--as: no active user named {as_user!r}")
        return Reader(user, str(user.role), purpose or PURPOSES.get(user.role, DEFAULT_PURPOSE))
    # Not stored: an entry needs a name, not an account (user id stays empty).
    os_user = User(username=f"os:{getpass.getuser()}")
    return Reader(os_user, CLI_ROLE, purpose or DEFAULT_PURPOSE)


def require_unit(session: Session, unit_id: str) -> None:
    if session.scalar(select(Unit.id).where(Unit.id == unit_id)) is None:
        raise UnknownUnitError(f"--unit: no care unit {unit_id!r} in the register")


def log_read(
    session: Session,
    who: Reader,
    *,
    unit_id: str,
    patient_ids: Sequence[str],
    action: Action,
    detail: str,
) -> None:
    log_access(
        session,
        user=who.user,
        role=who.role,
        unit_id=unit_id,
        patient_ids=patient_ids,
        action=action,
        purpose=who.purpose,
        detail=detail,
    )
