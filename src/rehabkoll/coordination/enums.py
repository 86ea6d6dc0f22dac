"""The fixed vocabularies of the coordination record: English names and values
in code and database, Swedish labels for the user interface.

Each enum also accepts its Swedish label, in any case and with or without
å/ä/ö, hyphens and spaces: ``MeetingKind("avstamningsmote")`` is
``MeetingKind.RECONCILIATION``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "-": "", " ": "", "_": ""})


def _fold(text: str) -> str:
    return text.lower().translate(_FOLD)


class LabelledEnum(StrEnum):
    """A StrEnum whose members have a Swedish ``label``."""

    @property
    def label(self) -> str:
        return _LABELS.get((type(self), self.value), self.value)

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str):
            return None
        folded = _fold(value)
        for member in cls:
            if folded in (_fold(member.label), _fold(member.value)):
                return member
        return None

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for a form's select."""
        return [(member.value, member.label) for member in cls]


_LABELS: dict[tuple[type[LabelledEnum], str], str] = {}


def _labelled(cls: type[LabelledEnum], labels: dict[str, str]) -> None:
    assert set(labels) == {member.value for member in cls}
    _LABELS.update(((cls, value), label) for value, label in labels.items())


class Status(LabelledEnum):
    """Status of the coordination (koordineringsstatus)."""

    CONTACTED = "contacted"
    ACTIVE = "active"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    DECLINED = "declined"
    NO_ACTION = "no_action"
    MEDICAL_REHAB = "medical_rehab"


class Party(LabelledEnum):
    """Who a contact or consent is with (part)."""

    PATIENT = "patient"
    CARE = "care"
    EMPLOYER = "employer"
    FORSAKRINGSKASSAN = "forsakringskassan"
    ARBETSFORMEDLINGEN = "arbetsformedlingen"
    SOCIAL_SERVICES = "social_services"


#: Outside parties: a contact with one of them needs the patient's consent (samtycke).
CONSENT_PARTIES = frozenset(
    {Party.EMPLOYER, Party.FORSAKRINGSKASSAN, Party.ARBETSFORMEDLINGEN, Party.SOCIAL_SERVICES}
)


class Way(LabelledEnum):
    """How a contact was made (kontaktsätt)."""

    PHONE = "phone"
    MEETING = "meeting"
    LETTER = "letter"
    EMAIL = "email"
    VIDEO = "video"


class MeetingKind(LabelledEnum):
    """Kind of meeting (mötestyp)."""

    RECONCILIATION = "reconciliation"
    TRIPARTITE = "tripartite"
    TEAM = "team"


class PlanKind(LabelledEnum):
    """Rehabiliteringsplan or plan för avslut."""

    REHAB_PLAN = "rehab_plan"
    CLOSING_PLAN = "closing_plan"


class ReferralKind(LabelledEnum):
    """Kind of referral (remiss/insats)."""

    MULTIMODAL = "multimodal"
    CBT = "cbt"
    PHYSIOTHERAPY = "physiotherapy"
    OCCUPATIONAL_HEALTH = "occupational_health"


_labelled(
    Status,
    {
        "contacted": "Kontaktad",
        "active": "Aktiv",
        "follow_up": "Uppföljning",
        "closed": "Avslutad",
        "declined": "Avböjt",
        "no_action": "Lämnas utan åtgärd",
        "medical_rehab": "Medicinsk rehab",
    },
)
_labelled(
    Party,
    {
        "patient": "Patienten",
        "care": "Vården",
        "employer": "Arbetsgivare",
        "forsakringskassan": "Försäkringskassan",
        "arbetsformedlingen": "Arbetsförmedlingen",
        "social_services": "Socialtjänsten",
    },
)
_labelled(
    Way,
    {
        "phone": "Telefon",
        "meeting": "Möte",
        "letter": "Brev",
        "email": "E-post",
        "video": "Video",
    },
)
_labelled(
    MeetingKind,
    {
        "reconciliation": "Avstämningsmöte",
        "tripartite": "Trepartssamtal",
        "team": "Teammöte",
    },
)
_labelled(PlanKind, {"rehab_plan": "Rehabiliteringsplan", "closing_plan": "Plan för avslut"})
_labelled(
    ReferralKind,
    {
        "multimodal": "Multimodal rehabilitering",
        "cbt": "KBT",
        "physiotherapy": "Fysioterapi",
        "occupational_health": "Företagshälsovård",
    },
)
