"""One error type per failure kind of the agreement follow-up."""

from __future__ import annotations


class AgreementError(ValueError):
    """Base of the agreement errors; the message is shown to the user."""


class NotFoundError(AgreementError):
    """No such agreement, condition, region, evidence or decision."""


class InvalidInputError(AgreementError):
    """Input refused; the message names the field and the reason."""


class PublishedError(AgreementError):
    """A published decision cannot be changed; correct it with a new decision."""


class AllocationUnavailableError(AgreementError):
    """The allocation cannot be computed yet (population or rates missing)."""
