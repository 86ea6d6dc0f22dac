"""The access log (PDL): who read or changed which patient's data, when and why."""

from rehabkoll.audit.models import AccessLog, Action
from rehabkoll.audit.service import entries, log_access

__all__ = ["AccessLog", "Action", "entries", "log_access"]
