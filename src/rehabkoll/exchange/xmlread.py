"""Small readers over lxml elements that match by namespace URI and local name
(never by prefix), and the namespaces of the certificate domain."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import NamedTuple
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


class Node(NamedTuple):
    """An element copied out of lxml once: reading plain tuples is many times
    faster than asking lxml for each child again (each access makes a proxy)."""

    tag: str
    text: str | None
    id: str | None
    kids: tuple[Node, ...]


_new_node = tuple.__new__  # NamedTuple's own __new__ is Python code: a third of the time


def to_node(element: Element) -> Node:
    """The element and everything under it as Nodes (comments and processing
    instructions are removed by the parser, so every tag is a string)."""
    kids = tuple([to_node(kid) for kid in element]) if len(element) else ()
    return _new_node(Node, (str(element.tag), element.text, element.get("id"), kids))


def children(node: Node | None, namespace: str, name: str) -> Iterator[Node]:
    if node is None:
        return
    tag = f"{{{namespace}}}{name}"
    for kid in node.kids:
        if kid.tag == tag:
            yield kid


def child(node: Node | None, namespace: str, name: str) -> Node | None:
    if node is None:
        return None
    tag = f"{{{namespace}}}{name}"
    for kid in node.kids:
        if kid.tag == tag:
            return kid
    return None


def text(node: Node | None) -> str:
    return (node.text or "").strip() if node is not None else ""


def path_text(node: Node | None, *steps: tuple[str, str]) -> str:
    """The stripped text at a path of (namespace, name) steps; empty if absent."""
    current = node
    for namespace, name in steps:
        current = child(current, namespace, name)
    return text(current)


def extension(element: Node | None, namespace: str, name: str) -> str:
    """``<name><types:root/><types:extension/></name>``: the extension."""
    return path_text(element, (namespace, name), (TYPES, "extension"))


def root_of(element: Node | None, namespace: str, name: str) -> str:
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
