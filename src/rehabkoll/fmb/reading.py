"""Reading FMB's JSON:API documents (``typfall`` and
``forsakringsmedicinskdiagnosinformation``) from a folder, files or the API's
address into plain rows. No database here.

A malformed document raises ``FmbFormatError`` naming the file and the entry;
a typical case without a valid number is not malformed: it gives no length.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rehabkoll.fmb.rules import TypicalCase, normalise, to_days

TYPICAL_CASES = "typfall"
DIAGNOSES = "forsakringsmedicinskdiagnosinformation"
FILE_NAMES = {TYPICAL_CASES: "typfall.json", DIAGNOSES: "diagnosinformation.json"}
API_PATHS = {TYPICAL_CASES: "typfall", DIAGNOSES: "forsakringsmedicinskdiagnosinformation"}
ICD10 = "ICD-10"


class FmbFormatError(ValueError):
    """A document that is not FMB's format: which file, which entry, and why."""

    def __init__(self, source: str, entry: str, reason: str) -> None:
        super().__init__(f"{source}: {entry}: {reason}")
        self.source = source
        self.entry = entry
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TypicalCaseRow:
    id: str
    codes: tuple[str, ...]
    heading: str
    situation: str
    recommendation: str
    max_value: str | None
    max_unit: str | None
    max_days: int | None

    def as_rule(self) -> TypicalCase:
        return TypicalCase(
            id=self.id,
            codes=self.codes,
            situation=self.situation,
            recommendation=self.recommendation,
            max_days=self.max_days,
            heading=self.heading,
        )


@dataclass(frozen=True, slots=True)
class DiagnosisRow:
    id: str
    codes: tuple[str, ...]
    heading: str
    guidance: str
    symptoms: str
    rehabilitation: str
    functional_impairment: str
    activity_limitation: str


@dataclass(frozen=True, slots=True)
class FmbData:
    """One build of FMB as read, before it is stored."""

    built_at: datetime
    version: str
    source: str
    typical_cases: tuple[TypicalCaseRow, ...]
    diagnoses: tuple[DiagnosisRow, ...]

    @property
    def content_hash(self) -> str:
        """Of the rows, not the bytes: the same data formatted otherwise is the same."""
        body = json.dumps(
            [
                self.built_at.isoformat(),
                [asdict(r) for r in self.typical_cases],
                [asdict(r) for r in self.diagnoses],
            ],
            ensure_ascii=False,
            sort_keys=True,
        )
        return hashlib.sha256(body.encode()).hexdigest()


_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|li|h\d|div)>|<br\s*/?>", re.IGNORECASE)


def plain_text(markup: object) -> str:
    """FMB's HTML markup as plain text: paragraphs on lines of their own."""
    if not isinstance(markup, str):
        return ""
    text = html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", markup)))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


class _Entry:
    """Reads one entry's fields, naming the entry in every error."""

    def __init__(self, source: str, number: int, item: object) -> None:
        self.source = source
        ident = item.get("id") if isinstance(item, dict) else None
        self.name = f"entry {number}" + (f" (id {ident})" if ident is not None else "")
        if not isinstance(item, dict):
            self.fail("", "is not an object")
        self.item: dict[str, Any] = item if isinstance(item, dict) else {}

    def fail(self, field: str, reason: str) -> None:
        where = f"{field}: {reason}" if field else reason
        raise FmbFormatError(self.source, self.name, where)

    def get(self, path: str, kind: type | tuple[type, ...], *, required: bool = True) -> Any:
        value: Any = self.item
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            if required:
                self.fail(path, "missing")
            return None
        if not isinstance(value, kind):
            self.fail(path, f"is {type(value).__name__}, not {_kind_name(kind)}")
        return value

    def text(self, path: str) -> str:
        value = self.get(path, str, required=False)
        return str(value).strip() if value else ""

    def codes(self, path: str) -> tuple[str, ...]:
        found: list[str] = []
        for n, code in enumerate(self.get(path, list, required=False) or []):
            if not isinstance(code, dict) or not isinstance(code.get("kod"), str):
                self.fail(f"{path}[{n}]", "is not a code with a text 'kod'")
            if code.get("kodsystemnamn", ICD10) == ICD10:
                key = normalise(code["kod"])
                if key and key not in found:
                    found.append(key)
        return tuple(found)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "text", list: "a list", dict: "an object", int: "a number"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _typical_case(entry: _Entry) -> TypicalCaseRow:
    ident = entry.get("id", str)
    codes = entry.codes("attributes.fmbtillstand.diagnoskod")
    if not codes:
        entry.fail("attributes.fmbtillstand.diagnoskod", "no ICD-10 code")
    advice = entry.get("attributes.rekommenderadsjukskrivning", dict, required=False) or {}
    value = advice.get("maximalsjukskrivningstid")
    unit = advice.get("maximalsjukskrivningsenhet")
    days = to_days(value, unit)
    return TypicalCaseRow(
        id=ident,
        codes=codes,
        heading=entry.text("attributes.beskrivning"),
        situation=entry.text("attributes.typfallsmening"),
        recommendation=str(advice.get("typfalletsrekommenderadesjukskrivning") or "").strip(),
        max_value=str(value)[:20] if value is not None else None,
        max_unit=str(unit)[:10] if unit is not None else None,
        max_days=days,
    )


def _diagnosis(entry: _Entry) -> DiagnosisRow:
    ident = entry.get("id", str)
    codes = entry.codes("attributes.diagnoskod")
    if not codes:
        entry.fail("attributes.diagnoskod", "no ICD-10 code")
    return DiagnosisRow(
        id=ident,
        codes=codes,
        heading=entry.text("attributes.diagnosrubrik") or entry.text("attributes.titel"),
        guidance=plain_text(
            entry.get("attributes.forsakringsmedicinskinformation.markup", str, required=False)
        ),
        symptoms=plain_text(
            entry.get("attributes.symtomprognosbehandling.markup", str, required=False)
        ),
        rehabilitation=plain_text(
            entry.get("attributes.informationomrehabilitering.markup", str, required=False)
        ),
        functional_impairment=entry.text(
            "attributes.funktionsnedsattning.funktionsnedsattningsbeskrivning"
        ),
        activity_limitation=entry.text(
            "attributes.aktivitetsbegransning.aktivitetsbegransningsbeskrivning"
        ),
    )


@dataclass(frozen=True, slots=True)
class Document:
    kind: str
    source: str
    built_at: datetime
    version: str
    entries: list[Any]


def parse_document(source: str, raw: bytes) -> Document:
    """One JSON:API document: its kind (from its entries' ``type``), build time and entries."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise FmbFormatError(source, "document", f"not JSON ({err})") from None
    if not isinstance(body, dict):
        raise FmbFormatError(source, "document", "not a JSON:API document (an object)")
    meta = body.get("meta")
    stamp = meta.get("buildtimestamp") if isinstance(meta, dict) else None
    if not isinstance(stamp, str):
        raise FmbFormatError(source, "meta.buildtimestamp", "missing")
    try:
        built_at = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        try:
            built_at = datetime.fromisoformat(stamp)
        except ValueError:
            raise FmbFormatError(
                source, "meta.buildtimestamp", f"{stamp!r} is not a time"
            ) from None
    if built_at.tzinfo is None:
        raise FmbFormatError(source, "meta.buildtimestamp", f"{stamp!r} has no time zone")
    data = body.get("data")
    if not isinstance(data, list) or not data:
        raise FmbFormatError(source, "data", "missing or empty: no entries")
    kinds = {item.get("type") for item in data if isinstance(item, dict)}
    if len(kinds) != 1 or not kinds <= {TYPICAL_CASES, DIAGNOSES}:
        raise FmbFormatError(
            source,
            "data",
            f"entries of type {sorted(map(str, kinds))}, not {TYPICAL_CASES} or {DIAGNOSES}",
        )
    version = meta.get("version") if isinstance(meta, dict) else None
    return Document(str(kinds.pop()), source, built_at, str(version or ""), data)


def combine(documents: Sequence[Document], source: str) -> FmbData:
    """The typical cases and diagnosis entries of exactly one document each, built together."""
    by_kind: dict[str, Document] = {}
    for doc in documents:
        if doc.kind in by_kind:
            raise FmbFormatError(doc.source, "data", f"a second document of {doc.kind}")
        by_kind[doc.kind] = doc
    for kind in (TYPICAL_CASES, DIAGNOSES):
        if kind not in by_kind:
            raise FmbFormatError(source, kind, f"missing: no document of {kind} was given")
    cases, diagnoses = by_kind[TYPICAL_CASES], by_kind[DIAGNOSES]
    if cases.built_at != diagnoses.built_at:
        raise FmbFormatError(
            diagnoses.source,
            "meta.buildtimestamp",
            f"{diagnoses.built_at.isoformat()} differs from {cases.source}'s "
            f"{cases.built_at.isoformat()}",
        )
    case_rows = [
        _typical_case(_Entry(cases.source, n, item)) for n, item in enumerate(cases.entries, 1)
    ]
    diagnosis_rows = [
        _diagnosis(_Entry(diagnoses.source, n, item)) for n, item in enumerate(diagnoses.entries, 1)
    ]
    for doc, ids in (
        (cases, [r.id for r in case_rows]),
        (diagnoses, [r.id for r in diagnosis_rows]),
    ):
        seen: set[str] = set()
        for n, ident in enumerate(ids, 1):
            if ident in seen:
                raise FmbFormatError(doc.source, f"entry {n} (id {ident})", "id given twice")
            seen.add(ident)
    return FmbData(
        built_at=cases.built_at,
        version=cases.version,
        source=source,
        typical_cases=tuple(case_rows),
        diagnoses=tuple(diagnosis_rows),
    )


Fetch = Callable[[str], bytes]


def _http_get(url: str) -> bytes:
    import httpx2

    response = httpx2.get(url, timeout=60.0, follow_redirects=True)
    response.raise_for_status()
    return bytes(response.content)


def read(locations: Sequence[str], *, fetch: Fetch | None = None) -> FmbData:
    """FMB from a folder (its typfall.json and diagnosinformation.json), the two
    files, or the API's address (``…/fmb``: its ``typfall`` and
    ``forsakringsmedicinskdiagnosinformation`` are fetched)."""
    if not locations:
        raise FmbFormatError("(nothing)", "PATH_OR_URL", "give a folder, the two files or the URL")
    documents: list[Document] = []
    label = " ".join(locations)
    for location in locations:
        if location.startswith(("http://", "https://")):
            get = fetch or _http_get
            base = location.rstrip("/")
            targets = (
                [base]
                if base.rsplit("/", 1)[-1] in API_PATHS.values()
                else [f"{base}/{path}" for path in API_PATHS.values()]
            )
            for url in targets:
                try:
                    raw = get(url)
                except Exception as err:  # the network's many failures, all reported alike
                    raise FmbFormatError(url, "download", str(err) or type(err).__name__) from None
                documents.append(parse_document(url, raw))
            continue
        path = Path(location)
        if path.is_dir():
            for name in FILE_NAMES.values():
                file = path / name
                if not file.is_file():
                    raise FmbFormatError(str(file), "file", "no such file")
                documents.append(parse_document(str(file), file.read_bytes()))
        elif path.is_file():
            documents.append(parse_document(str(path), path.read_bytes()))
        else:
            raise FmbFormatError(location, "file", "no such file or folder")
    return combine(documents, label)
