"""Small readers over lxml elements that match by namespace URI and local name
(never by prefix), and the namespaces of the certificate domain."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from lxml import etree

from rehabkoll.exchange.errors import RuleError

CORE = "urn:riv:clinicalprocess:healthcond:certificate:3"
CORE_32 = "urn:riv:clinicalprocess:healthcond:certificate:3.2"
TYPES = "urn:riv:clinicalprocess:healthcond:certificate:types:3"
REGISTER = "urn:riv:clinicalprocess:healthcond:certificate:RegisterCertificateResponder:3"
REVOKE = "urn:riv:clinicalprocess:healthcond:certificate:RevokeCertificateResponder:2"
SEND_TO_CARE = "urn:riv:clinicalprocess:healthcond:certificate:SendMessageToCareResponder:2"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
ADDRESSING = "urn:riv:itintegration:registry:1"

PERSONNUMMER_OID = "1.2.752.129.2.1.3.1"
SAMORDNINGSNUMMER_OID = "1.2.752.129.2.1.3.3"
_STOCKHOLM = ZoneInfo("Europe/Stockholm")

Element = etree._Element


def children(element: Element, namespace: str, name: str) -> Iterator[Element]:
    tag = f"{{{namespace}}}{name}"
    for child in element:
        if child.tag == tag:
            yield child


def child(element: Element | None, namespace: str, name: str) -> Element | None:
    if element is None:
        return None
    return next(children(element, namespace, name), None)


def text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def path_text(element: Element | None, *steps: tuple[str, str]) -> str:
    """The stripped text at a path of (namespace, name) steps; empty if absent."""
    current = element
    for namespace, name in steps:
        current = child(current, namespace, name)
    return text(current)


def extension(element: Element | None, namespace: str, name: str) -> str:
    """``<name><types:root/><types:extension/></name>``: the extension."""
    return path_text(element, (namespace, name), (TYPES, "extension"))


def root_of(element: Element | None, namespace: str, name: str) -> str:
    return path_text(element, (namespace, name), (TYPES, "root"))


def local_datetime(value: str, field: str) -> datetime:
    """An XML dateTime as Swedish local time without zone: a time with an offset
    is converted to Europe/Stockholm, one without is taken as local already."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise RuleError(field, "is not a date and time (YYYY-MM-DDThh:mm:ss)") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(_STOCKHOLM).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def iso_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RuleError(field, "is not a date (YYYY-MM-DD)") from None
