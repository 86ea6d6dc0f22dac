"""Hardened XML reading and XSD validation.

A message is refused before it is parsed if it is larger than
``REHABKOLL_RIVTA_MAX_MESSAGE_BYTES`` or declares a DTD or an entity; it is
parsed with no DTD loading, no entity expansion and no network access, and
refused if the parsed document still carries a DTD. Elements are always
matched by namespace URI, never by prefix (producers use different ones).

The XSD files are the national ones, read from ``REHABKOLL_RIVTA_SCHEMAS``
(see ``schemas_dir``); they are loaded once per process.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from rehabkoll.config import get_settings
from rehabkoll.exchange.errors import MalformedXmlError, SchemaViolationError, UnsafeXmlError

# A DTD or entity declaration in any encoding lxml reads without a BOM-less
# guess: ASCII-compatible encodings and UTF-16 both spell the keyword.
_DECLARATIONS = re.compile(rb"<!(?:DOCTYPE|ENTITY)|<\x00!\x00(?:D\x00|E\x00)", re.IGNORECASE)

SCHEMA_FILES = {
    "RegisterCertificate": "interactions/RegisterCertificateInteraction/"
    "RegisterCertificateResponder_3.1.xsd",
    "RevokeCertificate": "interactions/RevokeCertificateInteraction/"
    "RevokeCertificateResponder_2.1.xsd",
    "SendMessageToCare": "interactions/SendMessageToCareInteraction/"
    "SendMessageToCareResponder_2.0.xsd",
}


def schemas_dir() -> Path:
    """``REHABKOLL_RIVTA_SCHEMAS`` if set; otherwise ``rivta/schemas`` in the
    reference data (``REHABKOLL_DATA_DIR``, the workspace's ``../shared/data``)."""
    settings = get_settings()
    found = _resolved.get(id(settings))
    if found is None:
        # Resolved once per settings object: reference_data() looks at the disk.
        found = settings.rivta_schemas or settings.reference_data() / "rivta" / "schemas"
        _resolved.clear()
        _resolved[id(settings)] = found
    return found


_resolved: dict[int, Path] = {}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse(data: bytes, *, limit: int | None = None) -> etree._Element:
    """The root element of ``data``, parsed safely, or an error that says why not."""
    maximum = get_settings().rivta_max_message_bytes if limit is None else limit
    if len(data) > maximum:
        raise UnsafeXmlError(
            "(message)", f"is {len(data):,} bytes; at most {maximum:,} are accepted"
        )
    if _DECLARATIONS.search(data):
        raise UnsafeXmlError(
            "(message)", "declares a DTD or an entity; neither is accepted (XXE protection)"
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as err:
        raise MalformedXmlError("(message)", f"is not well-formed XML ({err.msg})") from None
    doc = root.getroottree().docinfo
    if doc.doctype or doc.internalDTD is not None or doc.externalDTD is not None:
        raise UnsafeXmlError("(message)", "declares a DTD; none is accepted")
    return root


@lru_cache(maxsize=8)
def _schema(interaction: str, directory: Path) -> etree.XMLSchema:
    path = directory / SCHEMA_FILES[interaction]
    if not path.is_file():
        raise FileNotFoundError(
            f"RIVTA schema {path} not found; set REHABKOLL_RIVTA_SCHEMAS to the schemas folder"
        )
    # The schema files import each other by relative path: local files, no network.
    return etree.XMLSchema(etree.parse(str(path), _parser()))


def schema(interaction: str) -> etree.XMLSchema:
    return _schema(interaction, schemas_dir())


def validate(interaction: str, element: etree._Element) -> None:
    """Raise SchemaViolationError naming the first error unless ``element`` is
    valid against the interaction's XSD."""
    xsd = schema(interaction)
    if xsd.validate(element):
        return
    error = xsd.error_log.last_error
    message = re.sub(r"\{[^}]*\}", "", error.message) if error is not None else "invalid"
    line = f" (line {error.line})" if error is not None else ""
    raise SchemaViolationError(
        "(schema)", f"not valid against the {interaction} XSD{line}: {message}"
    )


def local(tag: object) -> str:
    """The local name of an element tag (``{ns}name`` → ``name``)."""
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def namespace(tag: object) -> str:
    text = str(tag)
    return text[1:].split("}", 1)[0] if text.startswith("{") else ""
