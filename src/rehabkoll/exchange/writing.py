"""Writing RIVTA messages: a certificate of the project's own format as a
RegisterCertificate v3 LISJP, a revocation as RevokeCertificate v2, a message
to care as SendMessageToCare v2, and a statement (läkarutlåtande). Used by the
synthetic data (``synth --format rivta``), the benchmarks and the tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from xml.sax.saxutils import escape

from rehabkoll.certificates.schema import Certificate
from rehabkoll.exchange.lisjp import DEGREES, ICD10_SE, OCCUPATIONS
from rehabkoll.exchange.xmlread import (
    CORE,
    PERSONNUMMER_OID,
    REGISTER,
    REVOKE,
    SAMORDNINGSNUMMER_OID,
    SEND_TO_CARE,
    SOAP11,
    TYPES,
)

_DEGREE_CODES = {degree: code for code, degree in DEGREES.items()}
_OCCUPATION_CODES = {str(value): code for code, value in OCCUPATIONS.items()}
_HSA_OID = "1.2.752.129.2.1.4.1"
_FORM_NAMES = {
    "LISJP": "Läkarintyg för sjukpenning",
    "LUSE": "Läkarutlåtande för sjukersättning",
    "LUAE_NA": "Läkarutlåtande för aktivitetsersättning vid nedsatt arbetsförmåga",
    "LUAE_FS": "Läkarutlåtande för aktivitetsersättning vid förlängd skolgång",
    "AG7804": "Läkarintyg om arbetsförmåga – arbetsgivaren",
}


def _e(value: object) -> str:
    text = str(value)
    # Most values (ids, codes, dates) need no escaping: skip the three replaces.
    if "&" in text or "<" in text or ">" in text:
        return escape(text)
    return text


def _person(number: str) -> tuple[str, str]:
    digits = number.replace("-", "")
    root = SAMORDNINGSNUMMER_OID if int(digits[6:8]) > 60 else PERSONNUMMER_OID
    return root, digits


def _ii(tag: str, root: str, extension: str) -> str:
    return f"<{tag}><t:root>{_e(root)}</t:root><t:extension>{_e(extension)}</t:extension></{tag}>"


def _cv(code: str, system: str) -> str:
    return f"<t:cv><t:code>{_e(code)}</t:code><t:codeSystem>{_e(system)}</t:codeSystem></t:cv>"


def _staff(
    prefix: str, doctor: tuple[str, str], unit: tuple[str, str], provider: tuple[str, str]
) -> str:
    p = prefix
    return (
        f"{_ii(p + 'personal-id', _HSA_OID, doctor[0])}"
        f"<{p}fullstandigtNamn>{_e(doctor[1])}</{p}fullstandigtNamn>"
        f"<{p}enhet>{_ii(p + 'enhets-id', _HSA_OID, unit[0])}"
        f"{_ii(p + 'arbetsplatskod', '1.2.752.29.4.71', '0000000')}"
        f"<{p}enhetsnamn>{_e(unit[1])}</{p}enhetsnamn><{p}postadress>Vägen 1</{p}postadress>"
        f"<{p}postnummer>11111</{p}postnummer><{p}postort>Staden</{p}postort>"
        f"<{p}telefonnummer>0101010</{p}telefonnummer>"
        f"<{p}vardgivare>{_ii(p + 'vardgivare-id', _HSA_OID, provider[0])}"
        f"<{p}vardgivarnamn>{_e(provider[1])}</{p}vardgivarnamn></{p}vardgivare>"
        f"</{p}enhet>"
    )


def _code(canonical: str) -> str:
    return canonical.replace(".", "")


def register_certificate(
    cert: Certificate,
    *,
    form: str = "LISJP",
    version: str = "1.2",
    relation: tuple[str, str] | None = None,
    infection_carrier: bool = False,
    answers_message: str | None = None,
) -> bytes:
    """``cert`` as a RegisterCertificate v3 request. ``relation`` is (kind, earlier
    id) and overrides ``cert.replaces`` (written as ERSATT)."""
    if relation is None and cert.replaces:
        relation = ("ERSATT", cert.replaces)
    root, number = _person(cert.patient.id)
    parts = [f'<r:RegisterCertificate xmlns:r="{REGISTER}" xmlns="{CORE}" xmlns:t="{TYPES}">']
    if answers_message:
        parts.append(f"<r:svarPa><meddelande-id>{_e(answers_message)}</meddelande-id></r:svarPa>")
    parts.append("<r:intyg>")
    parts.append(_ii("intygs-id", cert.unit.id, cert.id))
    parts.append(
        f"<typ><t:code>{form}</t:code><t:codeSystem>b64ea353-e8f6-4832-b563-fc7d46f29548"
        f"</t:codeSystem><t:displayName>{_e(_FORM_NAMES.get(form, form))}</t:displayName></typ>"
    )
    signed = cert.signed_at.isoformat(timespec="seconds")
    parts.append(
        f"<version>{_e(version)}</version><signeringstidpunkt>{signed}"
        f"</signeringstidpunkt><skickatTidpunkt>{signed}</skickatTidpunkt>"
    )
    parts.append(
        f"<patient>{_ii('person-id', root, number)}<fornamn/><efternamn/>"
        "<postadress/><postnummer/><postort/></patient>"
    )
    parts.append(
        "<skapadAv>"
        + _staff(
            "",
            (cert.doctor.id, cert.doctor.name),
            (cert.unit.id, cert.unit.name),
            (cert.care_provider.id, cert.care_provider.name),
        )
        + "</skapadAv>"
    )
    if relation is not None:
        parts.append(
            f"<relation><typ><t:code>{relation[0]}</t:code><t:codeSystem>"
            "c2362fcd-eda0-4f9a-bd13-b3bbaf7f2146</t:codeSystem></typ>"
            f"{_ii('intygs-id', cert.unit.id, relation[1])}</relation>"
        )
    if infection_carrier:
        parts.append('<svar id="27"><delsvar id="27.1">true</delsvar></svar>')
    if form in ("LISJP", "AG7804"):
        for index, occupation in enumerate(cert.occupation, start=1):
            parts.append(
                f'<svar id="28"><instans>{index}</instans><delsvar id="28.1">'
                f"{_cv(_OCCUPATION_CODES[str(occupation)], 'KV_FKMU_0002')}"
                "</delsvar></svar>"
            )
    diagnoses = [cert.diagnosis.code, *cert.diagnosis.secondary]
    parts.append('<svar id="6">')
    for (text_id, code_id), code in zip(
        (("6.1", "6.2"), ("6.3", "6.4"), ("6.5", "6.6")), diagnoses, strict=False
    ):
        parts.append(
            f'<delsvar id="{text_id}">Diagnos</delsvar>'
            f'<delsvar id="{code_id}">{_cv(_code(code), ICD10_SE)}</delsvar>'
        )
    parts.append("</svar>")
    if form in ("LISJP", "AG7804"):
        parts.append(
            '<svar id="35"><delsvar id="35.1">Nedsatt ork.</delsvar></svar>'
            '<svar id="17"><delsvar id="17.1">Klarar inte heltid.</delsvar></svar>'
        )
        for index, period in enumerate(cert.periods, start=1):
            parts.append(
                f'<svar id="32"><instans>{index}</instans><delsvar id="32.1">'
                f"{_cv(_DEGREE_CODES[period.degree], 'KV_FKMU_0003')}</delsvar>"
                f'<delsvar id="32.2"><t:datePeriod><t:start>{period.start.isoformat()}'
                f"</t:start><t:end>{period.end.isoformat()}</t:end></t:datePeriod></delsvar>"
                "</svar>"
            )
    parts.append("</r:intyg></r:RegisterCertificate>")
    return "".join(parts).encode()


def revoke_certificate(
    cert: Certificate, revoked_at: datetime, *, patient_id: str | None = None
) -> bytes:
    root, number = _person(patient_id or cert.patient.id)
    return (
        f'<v:RevokeCertificate xmlns:v="{REVOKE}" xmlns:c="{CORE}" xmlns:t="{TYPES}">'
        "<v:meddelande>Makulerat</v:meddelande>"
        f"<v:skickatTidpunkt>{revoked_at.isoformat(timespec='seconds')}</v:skickatTidpunkt>"
        f"{_ii('v:intygs-id', cert.unit.id, cert.id)}"
        f"{_ii('v:patientPerson-id', root, number)}"
        "<v:skickatAv>"
        + _staff(
            "c:",
            (cert.doctor.id, cert.doctor.name),
            (cert.unit.id, cert.unit.name),
            (cert.care_provider.id, cert.care_provider.name),
        )
        + "</v:skickatAv></v:RevokeCertificate>"
    ).encode()


def send_message_to_care(
    *,
    message_id: str,
    cert: Certificate,
    subject: str,
    sent_at: datetime,
    text: str = "Vänligen komplettera intyget.",
    deadline: date | None = None,
    questions: Sequence[str] = (),
    reminds: str | None = None,
) -> bytes:
    root, number = _person(cert.patient.id)
    completions = "".join(
        f"<s:komplettering><s:frage-id>{_e(q)}</s:frage-id><s:text>Förtydliga svar {_e(q)}."
        "</s:text></s:komplettering>"
        for q in questions
    )
    return (
        f'<s:SendMessageToCare xmlns:s="{SEND_TO_CARE}" xmlns:c="{CORE}" xmlns:t="{TYPES}">'
        f"<s:meddelande-id>{_e(message_id)}</s:meddelande-id>"
        f"<s:skickatTidpunkt>{sent_at.isoformat(timespec='seconds')}</s:skickatTidpunkt>"
        f"{_ii('s:intygs-id', cert.unit.id, cert.id)}"
        f"{_ii('s:patientPerson-id', root, number)}"
        f"<s:logiskAdressMottagare>{_e(cert.unit.id)}</s:logiskAdressMottagare>"
        f"<s:amne><t:code>{subject}</t:code><t:codeSystem>ffa59d8f-8d7e-46ae-ac9e-31804e8e8499"
        "</t:codeSystem></s:amne>"
        f"<s:meddelande>{_e(text)}</s:meddelande>"
        + (
            f"<s:paminnelseMeddelande-id>{_e(reminds)}</s:paminnelseMeddelande-id>"
            if reminds
            else ""
        )
        + "<s:skickatAv><s:part><t:code>FKASSA</t:code><t:codeSystem>"
        "769bb12b-bd9f-4203-a5cd-fd14f2eb3b80</t:codeSystem></s:part></s:skickatAv>"
        + completions
        + (f"<s:sistaDatumForSvar>{deadline.isoformat()}</s:sistaDatumForSvar>" if deadline else "")
        + "</s:SendMessageToCare>"
    ).encode()


def soap_envelope(body: bytes, logical_address: str = "SE2321000016-TEST") -> bytes:
    """A RIVTA BP 2.1 SOAP 1.1 request around ``body``."""
    return (
        f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Header>'
        '<a:LogicalAddress xmlns:a="urn:riv:itintegration:registry:1">'
        f"{_e(logical_address)}</a:LogicalAddress></soap:Header><soap:Body>".encode()
        + body.removeprefix(b'<?xml version="1.0" encoding="UTF-8"?>')
        + b"</soap:Body></soap:Envelope>"
    )
