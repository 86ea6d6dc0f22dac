"""Tables of users (användare), their units, API tokens and web sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rehabkoll.accounts.roles import Role
from rehabkoll.db.base import Base


class User(Base):
    """A local account. ``settings`` holds the user's saved work-list choices
    (columns, order, filters, gap, recently ended); replace the whole dict to
    change it (``service.save_settings``)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    hsa_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    full_name: Mapped[str | None] = mapped_column(String(200), nullable=True)  # namn
    # Set when an admin resets the password: the user chooses a new one first.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted_notice_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    #: After a failed login, no new attempt is checked before this time (429).
    login_wait_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    units: Mapped[list[UserUnit]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="UserUnit.unit_id"
    )

    def locked_at(self, now: datetime) -> bool:
        """Locked out at ``now`` (UTC) after too many failed logins: the lock
        runs out by itself at ``locked_until``."""
        return self.locked_until is not None and self.locked_until > now

    @property
    def unit_ids(self) -> list[str]:
        """The HSA ids of the units the user may work in, sorted."""
        return [unit.unit_id for unit in self.units]


class UserUnit(Base):
    """A care unit (vårdenhet) a user may work in. No foreign key to ``units``:
    accounts may be set up before the unit's first certificate arrives."""

    __tablename__ = "user_units"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class ApiToken(Base):
    """An API token, stored only as the SHA-256 of the token itself."""

    __tablename__ = "api_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    user: Mapped[User] = relationship(lazy="joined")


class WebSession(Base):
    """A logged-in browser. ``id`` is the SHA-256 of the cookie value (the cookie
    itself is never stored); ``unit_id`` is the unit the user works in now (None
    for a user without units, such as an admin)."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    unit_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    csrf_token: Mapped[str] = mapped_column(String(64))

    user: Mapped[User] = relationship(lazy="joined")
