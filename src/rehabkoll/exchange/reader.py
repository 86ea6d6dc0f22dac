"""Reading received messages, with nothing of the database: what the reading
processes of an import run (they load only this, the XML readers and the
certificate model; not the storing side, SQLAlchemy's sessions or Alembic),
and what the SOAP endpoints run before they store.

Each message becomes an ``Item``: its number, the raw bytes ready for the
archive (SHA-256 and gzip), and what it was read as — or the error that
refuses it.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass

from rehabkoll.config import get_settings
from rehabkoll.exchange import messages
from rehabkoll.exchange.errors import ExchangeError, ForeignCareProviderError


@dataclass(frozen=True, slots=True)
class Raw:
    """A message as received, ready for the archive: its SHA-256 and gzip bytes
    (level 1: the archive is written once and read rarely)."""

    sha256: str
    gzip: bytes

    @classmethod
    def of(cls, data: bytes) -> Raw:
        return cls(hashlib.sha256(data).hexdigest(), gzip.compress(data, compresslevel=1))


Item = tuple[int, Raw, "messages.Received | ExchangeError"]


def allowed_providers() -> frozenset[str]:
    """REHABKOLL_RIVTA_CARE_PROVIDERS as a set; empty means every care provider."""
    raw = get_settings().rivta_care_providers
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def check_provider(received: messages.Received) -> None:
    allowed = allowed_providers()
    provider = received.care_provider_id
    if allowed and provider is not None and provider not in allowed:
        raise ForeignCareProviderError(
            "vardgivare-id",
            "this installation does not receive messages for this care provider "
            "(REHABKOLL_RIVTA_CARE_PROVIDERS)",
        )


def read_one(data: bytes, *, expect: str | None = None) -> messages.Received:
    """Read and check one message: the XSD, the content rules and the care provider."""
    received = messages.read(data, expect=expect)
    check_provider(received)
    return received


def read_item(number: int, data: bytes, *, expect: str | None = None) -> Item:
    """Read one message into what ``service.receive`` takes; a refused one
    becomes its error."""
    try:
        received: messages.Received | ExchangeError = read_one(data, expect=expect)
    except ExchangeError as err:
        received = err
    return (number, Raw.of(data), received)


def read_chunk(chunk: list[tuple[int, str, bytes]]) -> list[Item]:
    """Read each (number, name, bytes) message of a chunk (in a reading process)."""
    return [read_item(number, data) for number, _name, data in chunk]
