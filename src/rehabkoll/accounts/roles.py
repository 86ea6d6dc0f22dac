"""The roles a user can have, with their Swedish labels. No database here: the
command line reads ``Role`` for its options when it starts."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user does: rehabkoordinator, läkare, verksamhetschef, analytiker
    (the region's coordinator or analyst, samordnare), administratör."""

    COORDINATOR = "coordinator"
    DOCTOR = "doctor"
    MANAGER = "manager"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.COORDINATOR: "Rehabkoordinator",
    Role.DOCTOR: "Läkare",
    Role.MANAGER: "Verksamhetschef",
    Role.ANALYST: "Analytiker",
    Role.ADMIN: "Administratör",
}
