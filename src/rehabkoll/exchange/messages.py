"""Reading one received message: the SOAP envelope (if any) is opened, the body
is validated against its interaction's XSD, and the content is mapped to plain
values: a LISJP certificate, a statement (läkarutlåtande), a revocation, or a
message to care. Nothing here touches a database."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from rehabkoll.exchange import lisjp, safexml
from rehabkoll.exchange.errors import MalformedXmlError, RuleError, UnsupportedCertificateError
from rehabkoll.exchange.header import (
    Answer,
    Code,
    form_of,
    hsa_id,
    patient_number,
    read_answers,
    read_header,
)
from rehabkoll.exchange.xmlread import (
    CORE,
    DSIG,
    REGISTER,
    REVOKE,
    SEND_TO_CARE,
    SOAP11,
    TYPES,
    Element,
    Node,
    child,
    children,
    extension,
    iso_date,
    local_datetime,
    path_text,
    root_of,
    text,
    to_node,
)
from rehabkoll.lib import icd10

STATEMENT_FORMS = {
    "LUSE": "FK 7800 Läkarutlåtande för sjukersättning",
    "LUAE_NA": "FK 7801 Läkarutlåtande för aktivitetsersättning vid nedsatt arbetsförmåga",
    "LUAE_FS": "FK 7802 Läkarutlåtande för aktivitetsersättning vid förlängd skolgång",
}
SUBJECTS = ("KOMPLT", "AVSTMN", "KONTKT", "OVRIGT", "PAMINN")
ROOTS = {
    (REGISTER, "RegisterCertificate"): "RegisterCertificate",
    (REVOKE, "RevokeCertificate"): "RevokeCertificate",
    (SEND_TO_CARE, "SendMessageToCare"): "SendMessageToCare",
}


@dataclass(frozen=True, slots=True)
class StatementIn:
    id: str
    content_hash: str
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
    diagnosis: str
    secondary_diagnoses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RevocationIn:
    certificate_id: str
    patient_id: str
    revoked_at: datetime
    unit_id: str
    care_provider_id: str


@dataclass(frozen=True, slots=True)
class CareMessageIn:
    id: str
    content_hash: str
    certificate_id: str
    patient_id: str
    unit_id: str
    subject: str
    heading: str
    text: str
    sent_at: datetime
    deadline: date | None
    questions: tuple[str, ...]
    reminds: str | None


Content = lisjp.Lisjp | StatementIn | RevocationIn | CareMessageIn


@dataclass(frozen=True, slots=True)
class Received:
    interaction: str
    document_id: str
    care_provider_id: str | None
    content: Content


def body_of(root: Element) -> Element:
    """The payload: the root itself, or the one element of a SOAP 1.1 body."""
    if root.tag != f"{{{SOAP11}}}Envelope":
        return root
    body = root.find(f"{{{SOAP11}}}Body")
    payload = [e for e in body if isinstance(e.tag, str)] if body is not None else []
    if len(payload) != 1:
        raise MalformedXmlError("soap:Body", "must hold exactly one element")
    if payload[0].tag == f"{{{SOAP11}}}Fault":
        raise MalformedXmlError("soap:Body", "is a SOAP fault, not a request")
    return payload[0]


def interaction_of(element: Element) -> str:
    tag = str(element.tag)
    namespace = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    name = tag.rsplit("}", 1)[-1]
    found = ROOTS.get((namespace, name))
    if found is None:
        raise MalformedXmlError(
            "(message)",
            f"root element {name} in namespace '{namespace}' is not RegisterCertificate v3, "
            "RevokeCertificate v2 or SendMessageToCare v2",
        )
    return found


def read(data: bytes, *, expect: str | None = None) -> Received:
    """Read one message (raw request or SOAP envelope); raises an ExchangeError
    subclass saying why it is refused."""
    element = body_of(safexml.parse(data))
    interaction = interaction_of(element)
    if expect is not None and interaction != expect:
        raise MalformedXmlError("(message)", f"is {interaction}, expected {expect}")
    if interaction == "RegisterCertificate":
        return _register(element)
    safexml.validate(interaction, element)
    node = to_node(element)
    if interaction == "RevokeCertificate":
        revocation = _revocation(node)
        return Received(
            interaction, revocation.certificate_id, revocation.care_provider_id, revocation
        )
    message = _care_message(node)
    return Received(interaction, message.id, None, message)


def _register(element: Element) -> Received:
    found = element.find(f"{{{REGISTER}}}intyg")
    if found is None:
        raise MalformedXmlError("intyg", "is missing")
    # Older Webcert messages carry the signature directly in intyg, where the
    # XSD does not allow it: validate without it (it is archived as received).
    for signature in found.findall(f"{{{DSIG}}}Signature"):
        found.remove(signature)
    intyg = to_node(found)
    form = form_of(intyg)
    document_id = extension(intyg, CORE, "intygs-id")
    if form != lisjp.FORM and form not in STATEMENT_FORMS:
        raise UnsupportedCertificateError(
            "typ",
            f"{form or '(none)'} is a certificate type rehabkoll does not receive; "
            "nothing was stored (LISJP, LUSE, LUAE_NA and LUAE_FS are received)",
        )
    safexml.validate("RegisterCertificate", element)
    header = read_header(intyg)
    answers = read_answers(intyg)
    if form == lisjp.FORM:
        content: Content = lisjp.read(header, answers)
    else:
        content = _statement(form, header, answers)
    return Received("RegisterCertificate", document_id, header.care_provider_id, content)


def _statement(form: str, header: object, answers: list[Answer]) -> StatementIn:
    from rehabkoll.exchange.header import Header

    assert isinstance(header, Header)
    lisjp.check_version(header.version)
    codes: list[str] = []
    for answer in answers:
        if answer.id != "6":
            continue
        for part_id in ("6.2", "6.4", "6.6"):
            value = answer.parts.get(part_id)
            if isinstance(value, Code) and value.code.strip():
                raw = value.code.strip().split("-", 1)[0]
                try:
                    codes.append(icd10.normalize(raw))
                except icd10.UnknownDiagnosisCodeError as err:
                    raise RuleError(f"svar 6 / {part_id} (diagnosis)", str(err)) from None
    values = [
        header.id,
        form,
        header.version,
        header.signed_at.isoformat(),
        header.patient_id,
        header.doctor_id,
        header.unit_id,
        header.care_provider_id,
        codes,
    ]
    digest = hashlib.sha256(json.dumps(values).encode()).hexdigest()
    return StatementIn(
        id=header.id,
        content_hash=digest,
        form=form,
        version=header.version,
        signed_at=header.signed_at,
        patient_id=header.patient_id,
        patient_name=header.patient_name,
        doctor_id=header.doctor_id,
        doctor_name=header.doctor_name,
        unit_id=header.unit_id,
        unit_name=header.unit_name,
        care_provider_id=header.care_provider_id,
        care_provider_name=header.care_provider_name,
        diagnosis=codes[0] if codes else "",
        secondary_diagnoses=tuple(codes[1:3]),
    )


def _revocation(element: Node) -> RevocationIn:
    unit = child(child(element, REVOKE, "skickatAv"), CORE, "enhet")
    provider = child(unit, CORE, "vardgivare")
    cert_id = extension(element, REVOKE, "intygs-id")
    if not cert_id:
        raise RuleError("intygs-id/extension", "is missing")
    return RevocationIn(
        certificate_id=cert_id,
        patient_id=patient_number(
            root_of(element, REVOKE, "patientPerson-id"),
            extension(element, REVOKE, "patientPerson-id"),
            "patientPerson-id",
        ),
        revoked_at=local_datetime(
            text(child(element, REVOKE, "skickatTidpunkt")), "skickatTidpunkt"
        ),
        unit_id=hsa_id(extension(unit, CORE, "enhets-id"), "skickatAv/enhet/enhets-id"),
        care_provider_id=hsa_id(
            extension(provider, CORE, "vardgivare-id"), "skickatAv/enhet/vardgivare/vardgivare-id"
        ),
    )


def _care_message(element: Node) -> CareMessageIn:
    def field(name: str) -> str:
        return text(child(element, SEND_TO_CARE, name))

    message_id = field("meddelande-id")
    if not message_id or len(message_id) > 100:
        raise RuleError("meddelande-id", "must be 1–100 characters")
    subject = path_text(element, (SEND_TO_CARE, "amne"), (TYPES, "code")).upper()
    if subject not in SUBJECTS:
        raise RuleError("amne", "must be one of " + ", ".join(SUBJECTS))
    deadline_text = field("sistaDatumForSvar")
    questions = tuple(
        path_text(k, (SEND_TO_CARE, "frage-id"))
        for k in children(element, SEND_TO_CARE, "komplettering")
    )
    sent_at = local_datetime(field("skickatTidpunkt"), "skickatTidpunkt")
    values = [
        message_id,
        subject,
        field("rubrik"),
        field("meddelande"),
        sent_at.isoformat(),
        deadline_text,
        questions,
        extension(element, SEND_TO_CARE, "intygs-id"),
    ]
    return CareMessageIn(
        id=message_id,
        content_hash=hashlib.sha256(json.dumps(values).encode()).hexdigest(),
        certificate_id=extension(element, SEND_TO_CARE, "intygs-id"),
        patient_id=patient_number(
            root_of(element, SEND_TO_CARE, "patientPerson-id"),
            extension(element, SEND_TO_CARE, "patientPerson-id"),
            "patientPerson-id",
        ),
        unit_id=field("logiskAdressMottagare")[:64],
        subject=subject,
        heading=field("rubrik")[:200],
        text=field("meddelande"),
        sent_at=sent_at,
        deadline=iso_date(deadline_text, "sistaDatumForSvar") if deadline_text else None,
        questions=tuple(q for q in questions if q),
        reminds=field("paminnelseMeddelande-id") or None,
    )
