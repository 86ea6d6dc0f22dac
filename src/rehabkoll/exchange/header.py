"""The header every RegisterCertificate carries (``intyg`` up to its answers):
id, type, version, signing time, patient, and the doctor, unit and care
provider of ``skapadAv``; and its answers (``svar``/``delsvar``) as plain values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from rehabkoll.config import get_settings
from rehabkoll.exchange.errors import RuleError
from rehabkoll.exchange.xmlread import (
    CORE,
    PERSONNUMMER_OID,
    SAMORDNINGSNUMMER_OID,
    TYPES,
    Node,
    child,
    children,
    extension,
    local_datetime,
    path_text,
    root_of,
    text,
)
from rehabkoll.lib import personnummer

_HSA_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,63}$")
_DOCUMENT_ID = re.compile(r"^\S{1,100}$")


@dataclass(frozen=True, slots=True)
class Code:
    """A ``types:cv``: code and code system (displayName is not kept)."""

    code: str
    system: str


@dataclass(frozen=True, slots=True)
class Answer:
    """One ``svar``: its id, instance, and its delsvar by id (text, Code or a period)."""

    id: str
    instance: int | None
    parts: dict[str, str | Code | tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Header:
    id: str
    form: str
    version: str
    signed_at: datetime
    patient_id: str
    patient_name: str
    doctor_id: str
    doctor_name: str
    unit_id: str
    unit_name: str
    care_provider_id: str
    care_provider_name: str
    relation: str | None
    related_id: str | None


def form_of(intyg: Node) -> str:
    return path_text(intyg, (CORE, "typ"), (TYPES, "code")).upper()


def hsa_id(value: str, field: str) -> str:
    """An HSA id as sent. National test ids (``TSTNMT2321000156-1077``) and
    short ids of test systems do not follow the ``SE…`` form, so any id of
    letters, digits and hyphens is taken."""
    if not _HSA_ID.match(value):
        raise RuleError(field, "must be an HSA id (letters, digits and hyphens, at most 64)")
    return value


def patient_number(root: str, value: str, field: str) -> str:
    """The canonical ``YYYYMMDD-NNNN`` of a person-id sent as 12 digits."""
    if root not in (PERSONNUMMER_OID, SAMORDNINGSNUMMER_OID):
        raise RuleError(
            f"{field}/root",
            f"must be {PERSONNUMMER_OID} (personnummer) or {SAMORDNINGSNUMMER_OID} "
            "(samordningsnummer)",
        )
    try:
        number = personnummer.parse(value)
    except personnummer.InvalidPersonalNumberError as err:
        raise RuleError(
            f"{field}/extension", f"is not a valid personnummer or samordningsnummer: {err}"
        ) from None
    if number.coordination != (root == SAMORDNINGSNUMMER_OID):
        kind = "samordningsnummer" if number.coordination else "personnummer"
        raise RuleError(f"{field}/root", f"does not match the number, which is a {kind}")
    if number.synthetic and not get_settings().accept_synthetic_ids:
        raise RuleError(
            f"{field}/extension",
            "is a synthetic number (month of birth + 20), and this installation accepts "
            "real numbers only (REHABKOLL_ACCEPT_SYNTHETIC_IDS=false)",
        )
    return number.canonical


def _name(element: Node | None, name: str) -> str:
    return path_text(element, (CORE, name))[:200]


def read_header(intyg: Node) -> Header:
    """The header of ``intyg``, checked: every id present and well formed."""
    cert_id = extension(intyg, CORE, "intygs-id")
    if not _DOCUMENT_ID.match(cert_id):
        raise RuleError("intygs-id/extension", "must be 1–100 characters without spaces")
    patient = child(intyg, CORE, "patient")
    patient_id = patient_number(
        root_of(patient, CORE, "person-id"),
        extension(patient, CORE, "person-id"),
        "patient/person-id",
    )
    names = [_name(patient, n) for n in ("fornamn", "mellannamn", "efternamn")]
    author = child(intyg, CORE, "skapadAv")
    unit = child(author, CORE, "enhet")
    provider = child(unit, CORE, "vardgivare")
    relation = child(intyg, CORE, "relation")  # only the first counts
    relation_kind = path_text(relation, (CORE, "typ"), (TYPES, "code")).upper() or None
    related_id = extension(relation, CORE, "intygs-id") or None
    if relation_kind is not None and related_id == cert_id:
        raise RuleError("relation/intygs-id", "a certificate cannot relate to itself")
    return Header(
        id=cert_id,
        form=form_of(intyg),
        version=text(child(intyg, CORE, "version")),
        signed_at=local_datetime(
            text(child(intyg, CORE, "signeringstidpunkt")), "signeringstidpunkt"
        ),
        patient_id=patient_id,
        patient_name=" ".join(n for n in names if n),
        doctor_id=hsa_id(extension(author, CORE, "personal-id"), "skapadAv/personal-id"),
        doctor_name=_name(author, "fullstandigtNamn"),
        unit_id=hsa_id(extension(unit, CORE, "enhets-id"), "skapadAv/enhet/enhets-id"),
        unit_name=_name(unit, "enhetsnamn"),
        care_provider_id=hsa_id(
            extension(provider, CORE, "vardgivare-id"),
            "skapadAv/enhet/vardgivare/vardgivare-id",
        ),
        care_provider_name=_name(provider, "vardgivarnamn"),
        relation=relation_kind,
        related_id=related_id,
    )


def read_answers(intyg: Node) -> list[Answer]:
    answers = []
    for svar in children(intyg, CORE, "svar"):
        instance_text = text(child(svar, CORE, "instans"))
        answer = Answer(
            id=(svar.id or "").strip(),
            instance=int(instance_text) if instance_text.isdigit() else None,
        )
        for part in children(svar, CORE, "delsvar"):
            answer.parts[(part.id or "").strip()] = _value(part)
        answers.append(answer)
    return answers


def _value(part: Node) -> str | Code | tuple[str, str]:
    cv = child(part, TYPES, "cv")
    if cv is not None:
        return Code(path_text(cv, (TYPES, "code")), path_text(cv, (TYPES, "codeSystem")))
    period = child(part, TYPES, "datePeriod")
    if period is not None:
        return (path_text(period, (TYPES, "start")), path_text(period, (TYPES, "end")))
    return (part.text or "").strip()


def truthy(value: object) -> bool:
    """A delsvar boolean: ``true``/``1`` (the schematron accepts both)."""
    return isinstance(value, str) and value.lower() in ("true", "1")


def as_date(value: str, field: str) -> date:
    from rehabkoll.exchange.xmlread import iso_date

    return iso_date(value, field)
