"""Every capability's tables, gathered so the migrations see one metadata."""

from __future__ import annotations

from rehabkoll.certificates import models as _certificates  # noqa: F401
from rehabkoll.db.base import Base

metadata = Base.metadata
