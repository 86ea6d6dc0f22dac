"""The roles a user can have, with their Swedish labels. No database here: the
command line reads ``Role`` for its options when it starts."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user does: rehabkoordinator, läkare, verksamhetschef, analytiker
    (the region's coordinator or analyst, samordnare), administratör; for the
    agreement follow-up: samordnare (a region's coordinator for the agreement,
    hands in its evidence) and nationell samordnare (the association: defines
    agreements, decides, allocates, publishes)."""

    COORDINATOR = "coordinator"
    DOCTOR = "doctor"
    MANAGER = "manager"
    ANALYST = "analyst"
    ADMIN = "admin"
    REGION_COORDINATOR = "region_coordinator"
    NATIONAL_COORDINATOR = "national_coordinator"
    INTEGRATION = "integration"
    """A system that posts RIVTA messages (docs/exchange.md); reads nothing."""

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.COORDINATOR: "Rehabkoordinator",
    Role.DOCTOR: "Läkare",
    Role.MANAGER: "Verksamhetschef",
    Role.ANALYST: "Analytiker",
    Role.ADMIN: "Administratör",
    Role.REGION_COORDINATOR: "Samordnare",
    Role.NATIONAL_COORDINATOR: "Nationell samordnare",
    Role.INTEGRATION: "Integration (RIVTA)",
}
