"""One error type per failure kind of accounts and access; the web app turns each
into one HTTP answer (NotAuthenticatedError → 401, AccessDeniedError → 403).

Messages never name a patient: they may end up in logs and error pages.
"""

from __future__ import annotations

from datetime import datetime


class AccountsError(Exception):
    """Base of the errors below."""


class NotAuthenticatedError(AccountsError):
    """No valid login (no session, expired session, unknown token) → 401."""


class AccessDeniedError(AccountsError):
    """Logged in, but the unit, patient or page is out of the user's reach → 403."""


class LoginFailedError(AccountsError):
    """Wrong username or password, or a disabled account; deliberately one message.

    ``delay_seconds`` is how long the caller should wait before answering, so
    that repeated guesses slow down (the service never sleeps itself).
    """

    def __init__(self, delay_seconds: float = 0.0) -> None:
        super().__init__("wrong username or password")
        self.delay_seconds = delay_seconds


class AccountLockedError(AccountsError):
    """Too many failed logins: the account is locked until ``until`` (UTC)."""

    def __init__(self, until: datetime, delay_seconds: float = 0.0) -> None:
        super().__init__("too many failed logins; the account is locked for a while")
        self.until = until
        self.delay_seconds = delay_seconds


class UserExistsError(AccountsError):
    """A user with this username already exists."""


class UnknownUserError(AccountsError):
    """No user with this username."""


class WeakPasswordError(AccountsError):
    """The password breaks the password rule (at least 10 characters)."""
