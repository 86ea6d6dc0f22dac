"""One error type per way a message can fail; each knows the answer it gets
(the ``errorId`` of the RIVTA result) and whether the message is archived."""

from __future__ import annotations


class ExchangeError(ValueError):
    """A message was not accepted. ``error_id`` is the RIVTA ``errorId``."""

    error_id = "VALIDATION_ERROR"
    archived = True
    """Whether the message is kept in the archive (hostile and foreign ones are not)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason

    def __reduce__(self) -> tuple[type[ExchangeError], tuple[str, str]]:
        return (type(self), (self.field, self.reason))


class UnsafeXmlError(ExchangeError):
    """Hostile or oversized XML: a DTD, an entity, or more bytes than allowed."""

    archived = False


class MalformedXmlError(ExchangeError):
    """Not well-formed XML, or not the expected element in the expected namespace."""

    archived = False


class SchemaViolationError(ExchangeError):
    """Well-formed but not valid against the interaction's XSD."""


class RuleError(ExchangeError):
    """Valid against the XSD but breaks a content rule on a field rehabkoll uses;
    ``field`` names the svar (``svar 32 (32.2)``)."""


class ForeignCareProviderError(RuleError):
    """For a care provider this installation does not receive messages for
    (``REHABKOLL_RIVTA_CARE_PROVIDERS``): refused, and nothing of it is kept."""

    archived = False


class UnsupportedCertificateError(ExchangeError):
    """A certificate type or version rehabkoll does not handle (AG7804, …):
    answered politely and stored nowhere."""

    archived = False


class ApplicationError(ExchangeError):
    """Valid, but it cannot be applied now (a revocation of a certificate not yet
    received): the sender should try again later."""

    error_id = "APPLICATION_ERROR"
