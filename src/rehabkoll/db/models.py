"""Every capability's tables, gathered so the migrations see one metadata."""

from __future__ import annotations

from rehabkoll.accounts import models as _accounts  # noqa: F401
from rehabkoll.agreement import models as _agreement  # noqa: F401
from rehabkoll.audit import models as _audit  # noqa: F401
from rehabkoll.certificates import models as _certificates  # noqa: F401
from rehabkoll.coordination import models as _coordination  # noqa: F401
from rehabkoll.db.base import Base
from rehabkoll.exchange import models as _exchange  # noqa: F401
from rehabkoll.fmb import models as _fmb  # noqa: F401
from rehabkoll.risk import models as _risk  # noqa: F401
from rehabkoll.risk import opinions as _risk_opinions  # noqa: F401
from rehabkoll.statistics import models as _statistics  # noqa: F401

metadata = Base.metadata
