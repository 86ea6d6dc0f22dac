"""Errors of the coordination record. Messages never name the patient."""

from __future__ import annotations


class CoordinationError(Exception):
    """Base of the errors below."""


class ConflictError(CoordinationError):
    """Someone else changed the record since it was read (→ 409): reload and retry."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            "the record was changed by someone else in the meantime; "
            f"it is now at version {current_version}"
        )
        self.current_version = current_version


class ConsentRequiredError(CoordinationError):
    """A contact with an outside party without a consent covering it that day (→ 422)."""

    def __init__(self, party: str) -> None:
        super().__init__(f"no consent covers contacts with {party} on that day")
        self.party = party


class NotFoundError(CoordinationError):
    """No such task or consent on a record of this unit (→ 404)."""


class InvalidEntryError(CoordinationError, ValueError):
    """An entry that cannot be recorded as given (→ 422): which field, and why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
