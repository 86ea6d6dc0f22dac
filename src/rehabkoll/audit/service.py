"""Writing and reading the access log. Works inside the caller's session and
never commits: the log entry is stored with the work it records, or not at all.
There is deliberately nothing here that changes or deletes an entry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.accounts.service import utcnow
from rehabkoll.audit.models import AccessLog, Action


def log_access(
    session: Session,
    *,
    user: User,
    role: Role | str,
    unit_id: str | None,
    patient_ids: Sequence[str],
    action: Action | str,
    purpose: str,
    detail: str = "",
    at: datetime | None = None,
) -> None:
    """One entry per patient, in one executemany (a 1,500-row work list is one
    round trip). Nothing is written for an empty ``patient_ids``."""
    if not patient_ids:
        return
    when = at or utcnow()
    base = {
        "at": when,
        "user_id": user.id,
        "username": user.username,
        "role": str(role),
        "unit_id": unit_id,
        "action": str(Action(action)),
        "purpose": purpose,
        "detail": detail,
    }
    rows = [{**base, "patient_id": patient} for patient in dict.fromkeys(patient_ids)]
    session.execute(insert(cast(Table, AccessLog.__table__)), rows)


def entries(
    session: Session,
    *,
    patient_id: str | None = None,
    username: str | None = None,
    unit_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> list[AccessLog]:
    """Log entries matching every filter given, newest first; ``until`` is exclusive."""
    query = select(AccessLog)
    if patient_id is not None:
        query = query.where(AccessLog.patient_id == patient_id)
    if username is not None:
        query = query.where(AccessLog.username == username)
    if unit_id is not None:
        query = query.where(AccessLog.unit_id == unit_id)
    if since is not None:
        query = query.where(AccessLog.at >= since)
    if until is not None:
        query = query.where(AccessLog.at < until)
    query = query.order_by(AccessLog.at.desc(), AccessLog.id.desc()).limit(limit)
    return list(session.scalars(query))
