"""Who may do what in the agreement follow-up: plain functions, no I/O.

- A **samordnare** (region coordinator) sees the agreements, and the
  conditions, evidence, indicators, decisions and money of **their own region
  only**; hands in evidence for it.
- A **nationell samordnare** sees every region, defines agreements (import),
  decides (met / not met with a reason), publishes decisions, allocates and
  publishes the allocation.
- Nobody else sees these pages.
"""

from __future__ import annotations

from rehabkoll.accounts.errors import AccessDeniedError
from rehabkoll.accounts.roles import Role

_ROLES = frozenset({Role.REGION_COORDINATOR, Role.NATIONAL_COORDINATOR})


def can_view(role: Role | str) -> bool:
    return role in _ROLES


def is_national(role: Role | str) -> bool:
    return role == Role.NATIONAL_COORDINATOR


def check_view(role: Role | str) -> None:
    if not can_view(role):
        raise AccessDeniedError("the agreement follow-up is for the coordinators")


def check_region(role: Role | str, own_region: str | None, region: str) -> None:
    """A region's page: the national coordinator, or that region's coordinator."""
    check_view(role)
    if is_national(role):
        return
    if own_region is None or own_region != region:
        raise AccessDeniedError("another region's follow-up")


def check_submit(role: Role | str, own_region: str | None, region: str) -> None:
    """Evidence is handed in by the region's own coordinator only."""
    if role != Role.REGION_COORDINATOR or own_region != region:
        raise AccessDeniedError("only the region's coordinator hands in its evidence")


def check_national(role: Role | str) -> None:
    if not is_national(role):
        raise AccessDeniedError("for the national coordinator only")
