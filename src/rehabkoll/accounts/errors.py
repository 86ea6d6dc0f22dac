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

    ``retry_after`` is how long no new attempt of the account will be checked
    (the service never sleeps; the login page says so at once).
    """

    def __init__(self, retry_after: float = 0.0) -> None:
        super().__init__("wrong username or password")
        self.retry_after = retry_after


class LoginThrottledError(AccountsError):
    """Too soon after a failed login: refused at once, the password unchecked;
    try again after ``retry_after`` seconds (HTTP 429 with Retry-After)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__("too soon after a failed login; try again shortly")
        self.retry_after = retry_after


class AccountLockedError(AccountsError):
    """Too many failed logins: the account is locked until ``until`` (UTC),
    ``retry_after`` seconds from now."""

    def __init__(self, until: datetime, retry_after: float = 0.0) -> None:
        super().__init__("too many failed logins; the account is locked for a while")
        self.until = until
        self.retry_after = retry_after


class UserExistsError(AccountsError):
    """A user with this username already exists."""


class UnknownUserError(AccountsError):
    """No user with this username."""


class WeakPasswordError(AccountsError):
    """The password breaks the password rule (at least 10 characters)."""
