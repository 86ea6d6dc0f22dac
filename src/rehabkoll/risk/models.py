"""Table of rehabkoll.risk: every trained model, never changed once stored;
the newest version is the one in force."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from rehabkoll.db.base import Base


class StoredRiskModel(Base):
    """One trained model: its pickled bytes (``model``, checked against
    ``sha256`` before loading) and how it was made (``meta``: seed, counts,
    library versions)."""

    __tablename__ = "risk_models"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trained_at: Mapped[datetime] = mapped_column(DateTime)
    as_of: Mapped[date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(100))
    seed: Mapped[int] = mapped_column(Integer)
    n_cases: Mapped[int] = mapped_column(Integer)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    model: Mapped[bytes] = mapped_column(LargeBinary)
