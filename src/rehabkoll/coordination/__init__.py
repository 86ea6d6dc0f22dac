"""Coordination (koordineringsinsatser): the record a rehabilitation coordinator
keeps per patient and unit — status, consent, contacts, meetings, plans,
referrals and tasks — and the questions the work list and statistics ask of it.

The functions live in ``rehabkoll.coordination.service``; the vocabularies in
``rehabkoll.coordination.enums``.
"""

from rehabkoll.coordination.service import (
    RecordView,
    add_consent,
    add_contact,
    add_meeting,
    add_plan,
    add_referral,
    add_task,
    closed_records,
    closing_plans,
    complete_task,
    consent_expiry,
    get_record,
    has_closing_plan,
    last_contact,
    measures_by_month,
    my_tasks,
    set_status,
    statuses,
    withdraw_consent,
)

__all__ = [
    "RecordView",
    "add_consent",
    "add_contact",
    "add_meeting",
    "add_plan",
    "add_referral",
    "add_task",
    "closed_records",
    "closing_plans",
    "complete_task",
    "consent_expiry",
    "get_record",
    "has_closing_plan",
    "last_contact",
    "measures_by_month",
    "my_tasks",
    "set_status",
    "statuses",
    "withdraw_consent",
]
