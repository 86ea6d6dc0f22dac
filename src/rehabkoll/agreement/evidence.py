"""Evidence (underlag) a region hands in for a condition: text, links and at most
one file per version, stored in the database, versioned (a new submission is a
new version; nothing is overwritten) and size-limited."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import filetype
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rehabkoll.accounts.models import User
from rehabkoll.accounts.service import utcnow
from rehabkoll.agreement.errors import InvalidInputError, NotFoundError
from rehabkoll.agreement.models import Evidence
from rehabkoll.agreement.service import check_region, condition_of, get, log_change
from rehabkoll.config import get_settings

MAX_TEXT = 20_000
MAX_LINKS = 20
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


TYPE_NAMES = {
    "application/pdf": "PDF",
    "text/plain": "text",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (DOCX)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (XLSX)",
}


def content_type_of(content: bytes) -> str | None:
    """The type the file's bytes show (magic numbers, and for DOCX/XLSX the zip's
    entries, through the ``filetype`` library); plain text is UTF-8 without NUL
    or other control characters than tab, newline and carriage return. ``None``
    when the content is none of the accepted types."""
    guessed = filetype.guess_mime(content)
    if guessed is not None:
        return str(guessed) if guessed in ALLOWED_TYPES else None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        return None
    return "text/plain"


def check_content(upload: Upload) -> None:
    """Refuse a file whose bytes are not the type it was declared as, or are
    none of the accepted types; the message names the file."""
    name = _safe_name(upload.filename)
    found = content_type_of(upload.content)
    if found is None:
        raise InvalidInputError(
            f"fil: innehållet i {name!r} är inte PDF, text, PNG, JPEG, Word eller Excel"
        )
    if found != upload.content_type:
        raise InvalidInputError(
            f"fil: {name!r} sägs vara {TYPE_NAMES[upload.content_type]} men innehållet "
            f"är {TYPE_NAMES[found]}"
        )


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    content_type: str
    content: bytes


def parse_links(text: str) -> list[str]:
    """One link per line; each must be an http(s) address."""
    links = [line.strip() for line in text.splitlines() if line.strip()]
    if len(links) > MAX_LINKS:
        raise InvalidInputError(f"länkar: högst {MAX_LINKS}")
    for link in links:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidInputError(f"länkar: {link[:80]!r} är inte en http- eller https-adress")
    return links


def submit(
    session: Session,
    *,
    year: int,
    condition: str,
    region: str,
    text: str,
    links: str,
    upload: Upload | None,
    user: User,
) -> Evidence:
    """A new version of the region's evidence for the condition."""
    agreement = get(session, year=year)
    condition_of(agreement, condition)
    check_region(region)
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise InvalidInputError(f"text: högst {MAX_TEXT} tecken")
    link_list = parse_links(links)
    if upload is not None and not upload.content:
        upload = None
    if upload is not None:
        limit = get_settings().agreement_max_file_bytes
        if len(upload.content) > limit:
            raise InvalidInputError(
                f"fil: {len(upload.content)} byte är mer än gränsen {limit} byte"
            )
        if upload.content_type not in ALLOWED_TYPES:
            raise InvalidInputError(
                f"fil: typen {upload.content_type or 'okänd'} tas inte emot "
                "(PDF, text, PNG, JPEG, Word eller Excel)"
            )
        check_content(upload)
    if not text and not link_list and upload is None:
        raise InvalidInputError("underlag: skriv en text, ange en länk eller bifoga en fil")
    latest = session.scalar(
        select(func.max(Evidence.version)).where(
            Evidence.year == year, Evidence.condition == condition, Evidence.region == region
        )
    )
    row = Evidence(
        year=year,
        condition=condition,
        region=region,
        version=(latest or 0) + 1,
        text=text,
        links="\n".join(link_list),
        filename=_safe_name(upload.filename) if upload else None,
        content_type=upload.content_type if upload else None,
        content=upload.content if upload else None,
        size=len(upload.content) if upload else 0,
        created_at=utcnow(),
        created_by=user.username,
    )
    session.add(row)
    session.flush()
    log_change(
        session,
        user=user,
        detail=f"underlag {year} villkor {condition} region {region} version {row.version}",
    )
    return row


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "fil"
    return "".join(c for c in base if c.isprintable())[:200]


def versions(
    session: Session, *, year: int, region: str, condition: str | None = None
) -> list[Evidence]:
    query = select(Evidence).where(Evidence.year == year, Evidence.region == region)
    if condition is not None:
        query = query.where(Evidence.condition == condition)
    return list(session.scalars(query.order_by(Evidence.condition, Evidence.version.desc())))


def get_evidence(session: Session, *, evidence_id: int) -> Evidence:
    row = session.get(Evidence, evidence_id)
    if row is None:
        raise NotFoundError("inget sådant underlag")
    return row
