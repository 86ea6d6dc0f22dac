"""Who may see what: the access rules as plain functions, no I/O.

- A user works in one of their units at a time; everything below is within
  that unit (the caller checks the unit with ``check_unit``).
- A coordinator sees every case of the unit, except those of patients with
  protected identity (skyddad personuppgift).
- A doctor sees the cases whose lead certificate they signed (their HSA id is
  the case's ``doctor_id``), protected patients included: the signing doctor is
  the only one a protected patient is listed to.
- A manager sees the unit's overview and statistics, but no patient.
- An analyst (the region's samordnare or analytiker) sees the statistics of
  the care providers of their units and national statistics, but no patient,
  no work list, no overview and no coordination record.
- An admin manages users and reads the access log, but sees no patient and no
  statistics.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rehabkoll.accounts.errors import AccessDeniedError, NotAuthenticatedError
from rehabkoll.accounts.roles import Role
from rehabkoll.cases.engine import CaseRow

__all__ = [
    "AccessDeniedError",
    "NotAuthenticatedError",
    "can_edit_coordination",
    "can_manage_risk_models",
    "can_manage_users",
    "can_read_access_log",
    "can_view_overview",
    "can_view_patient",
    "can_view_patient_list",
    "can_view_provider_statistics",
    "can_view_unit_statistics",
    "check_unit",
    "needs_unit",
    "visible_rows",
]

_PATIENT_ROLES = frozenset({Role.COORDINATOR, Role.DOCTOR})
_UNIT_ROLES = frozenset({Role.COORDINATOR, Role.DOCTOR, Role.MANAGER})


def needs_unit(role: Role | str) -> bool:
    """Whether an account of the role needs at least one unit: everyone but the
    admin (an analyst's units say which care providers' statistics they see)."""
    return role in _UNIT_ROLES or role == Role.ANALYST


def can_view_patient_list(role: Role | str) -> bool:
    """Whether the role has a work list at all (coordinators and doctors)."""
    return role in _PATIENT_ROLES


def can_view_overview(role: Role | str) -> bool:
    """The unit's overview: coordinators, doctors and managers."""
    return role in _UNIT_ROLES


def can_view_unit_statistics(role: Role | str) -> bool:
    """Statistics of the current unit, exact counts: the roles that work in a unit."""
    return role in _UNIT_ROLES


def can_view_provider_statistics(role: Role | str) -> bool:
    """Statistics of the care providers of the user's units (exact) and national
    statistics (always suppressed): analysts only."""
    return role == Role.ANALYST


def can_edit_coordination(role: Role | str) -> bool:
    """Only coordinators keep the coordination record; doctors may read it."""
    return role == Role.COORDINATOR


def can_manage_users(role: Role | str) -> bool:
    return role == Role.ADMIN


def can_read_access_log(role: Role | str) -> bool:
    return role == Role.ADMIN


def can_manage_risk_models(role: Role | str) -> bool:
    """Train and evaluate the risk model (/admin/risk): the admin, who runs the
    system; the pages show figures of the model, no patient."""
    return role == Role.ADMIN


def visible_rows(
    rows: Sequence[CaseRow],
    *,
    role: Role | str,
    hsa_id: str | None,
    protected_patient_ids: Collection[str],
) -> list[CaseRow]:
    """The rows of a work list (or of one patient's cases) the user may see."""
    if role == Role.COORDINATOR:
        return [row for row in rows if row.patient_id not in protected_patient_ids]
    if role == Role.DOCTOR:
        if not hsa_id:
            return []
        return [row for row in rows if row.doctor_id == hsa_id]
    return []


def can_view_patient(
    rows: Sequence[CaseRow], *, role: Role | str, hsa_id: str | None, protected: bool
) -> bool:
    """Whether the user may open a patient, given the patient's cases at the
    user's current unit (``rows``): the same rule as the work list, applied to
    every case of the patient there, not just the ongoing one."""
    protected_ids = {row.patient_id for row in rows} if protected else set()
    return bool(visible_rows(rows, role=role, hsa_id=hsa_id, protected_patient_ids=protected_ids))


def check_unit(unit_id: str, *, allowed: Collection[str]) -> None:
    """Refuse a unit that is not one of the user's."""
    if unit_id not in allowed:
        raise AccessDeniedError("the unit is not one of the user's units")
