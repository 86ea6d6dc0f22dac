"""Swedish diagnosis texts (diagnostexter) for ICD-10-SE codes.

Read from the reference data folder (``REHABKOLL_DATA_DIR``, see
docs/configuration.md), never copied into the project:

- ``diagnoskoder/KSH97P_KOD.ANS`` — Socialstyrelsen's KSH97-P, the primary-care
  version of ICD-10-SE: codes with Swedish titles (ISO-8859-1; the code in the
  first six columns, ``-`` filling a short code, a trailing ``P`` marking a
  primary-care grouping: ``F419P`` is F41.9, ``A02-P`` is A02);
- ``diagnoskoder/KSH97P_SFAMALT.ANS`` — synonyms and common words, same layout;
- ``diagnoskoder/block.txt`` — ICD-10 blocks (avsnitt), ``F30-F39<TAB><TAB>title``
  (UTF-8 with a byte-order mark); ``diagnoskapitel.txt`` the chapters,
  ``A00-B99title``;
- ``fmb/*.json`` — Socialstyrelsen's FMB: every ICD-10 keyword (``kod``) with
  its Swedish name (``beskrivning``), for codes KSH97-P does not name.

``describe(code)`` gives the most specific Swedish text there is: the code's
own title, else the nearest parent code's, else its block's; WHO's English
title only where no Swedish text exists, and says which it is.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from rehabkoll.lib import icd10

log = logging.getLogger(__name__)

T = TypeVar("T")
_CODE = re.compile(r"^([A-Z]\d{2})([0-9A-Z]{0,3})$")
_RANGE = re.compile(r"^([A-Z]\d{2})-([A-Z]\d{2})\s*(.*)$")


class Source(StrEnum):
    """Whose text a description is."""

    OWN = "own"  # the code's own Swedish title
    PARENT = "parent"  # a parent code's Swedish title (F32.1 → F32)
    BLOCK = "block"  # the Swedish title of the code's block (avsnitt)
    WHO = "who"  # WHO's English title: no Swedish text exists
    NONE = "none"  # nothing known


@dataclass(frozen=True, slots=True)
class DiagnosisText:
    """The text shown for a code, and where it comes from."""

    code: str
    text: str
    source: Source
    of: str = ""
    """The code or block (``F30-F39``) the text belongs to, when not the code itself."""

    @property
    def swedish(self) -> bool:
        return self.source in (Source.OWN, Source.PARENT, Source.BLOCK)

    @property
    def note(self) -> str:
        """A tooltip saying what the text is, in Swedish ("" for the code's own title)."""
        if self.source is Source.PARENT:
            return f"Texten gäller den överordnade koden {self.of}"
        if self.source is Source.BLOCK:
            return f"Texten gäller avsnittet {self.of.replace('-', '–')}"
        if self.source is Source.WHO:
            return "Engelsk text från WHO: svensk text saknas för koden"
        return ""

    @property
    def title(self) -> str:
        """The text with its note, for a ``title`` attribute."""
        return f"{self.text} ({self.note})" if self.note else self.text


@dataclass(frozen=True, slots=True)
class Range:
    first: str
    last: str
    title: str

    def holds(self, category: str) -> bool:
        return self.first <= category <= self.last

    @property
    def key(self) -> str:
        return f"{self.first}-{self.last}"


@dataclass(frozen=True)
class Catalogue:
    """Swedish titles and synonyms by canonical code (``F43.8A``), blocks, chapters."""

    titles: Mapping[str, str] = field(default_factory=dict)
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    blocks: tuple[Range, ...] = ()
    chapters: tuple[Range, ...] = ()

    def describe(self, code: str) -> DiagnosisText:
        """The most specific Swedish text of ``code`` (canonical form), else WHO's."""
        for i, candidate in enumerate(ancestors(code)):
            title = self.titles.get(candidate)
            if title:
                if i == 0:
                    return DiagnosisText(code, title, Source.OWN)
                return DiagnosisText(code, title, Source.PARENT, candidate)
        block = self.block(code)
        if block is not None:
            return DiagnosisText(code, block.title, Source.BLOCK, block.key)
        english = icd10.describe(code) if icd10.is_valid(code) else ""
        if english:
            return DiagnosisText(code, english, Source.WHO)
        return DiagnosisText(code, "", Source.NONE)

    def block(self, code: str) -> Range | None:
        category = code[:3].upper()
        return next((b for b in self.blocks if b.holds(category)), None)

    def chapter(self, code: str) -> Range | None:
        category = code[:3].upper()
        return next((c for c in self.chapters if c.holds(category)), None)

    def search_terms(self, code: str) -> tuple[str, ...]:
        """What a free-text search may match for this code: the Swedish titles
        and synonyms of the code and its parents, its block's title, and the
        text shown (WHO's, where no Swedish one exists)."""
        terms: list[str] = []
        for candidate in ancestors(code):
            if candidate in self.titles:
                terms.append(self.titles[candidate])
            terms.extend(self.synonyms.get(candidate, ()))
        block = self.block(code)
        if block is not None:
            terms.append(block.title)
        terms.append(self.describe(code).text)
        return tuple(dict.fromkeys(t for t in terms if t))


def ancestors(code: str) -> Iterator[str]:
    """The code and its parents down to the category, most specific first:
    ``F43.8A`` → F43.8A, F43.8, F43."""
    compact = code.replace(".", "").upper()
    for length in range(len(compact), 2, -1):
        yield canonical(compact[:length])


def canonical(compact: str) -> str:
    """``F438A`` → ``F43.8A``; ``F32`` stays ``F32``."""
    return compact if len(compact) <= 3 else f"{compact[:3]}.{compact[3:]}"


def ksh_code(field_text: str) -> str | None:
    """The canonical code of a KSH97-P code field: ``F419P`` → F41.9,
    ``A02-P`` → A02, ``F438A`` → F43.8A (None if it is not a code)."""
    raw = field_text.strip().upper().replace("-", "")
    if len(raw) > 3 and raw.endswith("P"):
        raw = raw[:-1]  # the primary-care grouping mark
    return canonical(raw) if _CODE.match(raw) else None


def _ksh_lines(path: Path) -> Iterator[tuple[str, str]]:
    for line in path.read_text(encoding="iso-8859-1").splitlines():
        code = ksh_code(line[:6])
        text = line[6:].strip()
        if code and text:
            yield code, text


def read_titles(path: Path) -> dict[str, str]:
    return dict(_ksh_lines(path))


def read_synonyms(path: Path) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for code, text in _ksh_lines(path):
        found.setdefault(code, []).append(text)
    return {code: tuple(dict.fromkeys(texts)) for code, texts in found.items()}


def read_ranges(path: Path) -> tuple[Range, ...]:
    """Blocks or chapters: ``F30-F39`` then the title (tabs or nothing between);
    ``utf-8-sig`` drops block.txt's byte-order mark."""
    ranges = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        match = _RANGE.match(line.strip())
        if match and match.group(3).strip():
            ranges.append(Range(match.group(1), match.group(2), match.group(3).strip()))
    return tuple(ranges)


def fmb_titles(documents: Iterable[object]) -> dict[str, str]:
    """Every ICD-10 keyword of FMB's JSON documents: canonical code → ``beskrivning``."""
    found: dict[str, str] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("kodsystemnamn") == "ICD-10":
                code, text = node.get("kod"), node.get("beskrivning")
                if isinstance(code, str) and isinstance(text, str) and text.strip():
                    compact = code.replace(".", "").strip().upper()
                    if _CODE.match(compact):
                        found.setdefault(canonical(compact), text.strip())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for document in documents:
        walk(document)
    return found


def load(data_dir: Path) -> Catalogue:
    """The catalogue from ``data_dir`` (``diagnoskoder/`` and ``fmb/``); what is
    missing is left out, with a warning (the texts then fall back further)."""
    codes = data_dir / "diagnoskoder"
    titles: dict[str, str] = {}
    fmb = sorted((data_dir / "fmb").glob("*.json"))
    try:
        titles.update(fmb_titles(json.loads(p.read_text(encoding="utf-8")) for p in fmb))
    except (OSError, ValueError) as error:
        log.warning("FMB diagnosis texts not read: %s", error)

    ksh = _read(codes / "KSH97P_KOD.ANS", read_titles)
    titles.update(ksh or {})  # KSH97-P's title wins over FMB's keyword name
    synonyms = _read(codes / "KSH97P_SFAMALT.ANS", read_synonyms)
    blocks = _read(codes / "block.txt", read_ranges)
    chapters = _read(codes / "diagnoskapitel.txt", read_ranges)
    return Catalogue(
        titles=titles,
        synonyms=synonyms or {},
        blocks=blocks or (),
        chapters=chapters or (),
    )


def _read(path: Path, reader: Callable[[Path], T]) -> T | None:
    if not path.is_file():
        log.warning("Swedish diagnosis texts: %s is missing", path)
        return None
    return reader(path)


_LOADED: dict[Path, Catalogue] = {}


def catalogue(data_dir: Path | None = None) -> Catalogue:
    """The catalogue of the configured data folder, read once per process."""
    if data_dir is None:
        from rehabkoll.config import get_settings

        data_dir = get_settings().reference_data()
    found = _LOADED.get(data_dir)
    if found is None:
        found = _LOADED[data_dir] = load(data_dir)
    return found


_DESCRIBED: dict[str, DiagnosisText] = {}


def describe(code: str) -> DiagnosisText:
    """The text of ``code`` from the configured catalogue (remembered per code)."""
    found = _DESCRIBED.get(code)
    if found is None:
        found = _DESCRIBED[code] = catalogue().describe(code)
    return found


def text(code: str) -> str:
    return describe(code).text


_TERMS: dict[str, str] = {}


def search_text(code: str) -> str:
    """The code and its search terms in one case-folded string."""
    found = _TERMS.get(code)
    if found is None:
        terms = (code, code.replace(".", ""), *catalogue().search_terms(code))
        found = _TERMS[code] = " | ".join(terms).casefold()
    return found


def reset() -> None:
    """Forget what was read (tests that point the setting elsewhere)."""
    _LOADED.clear()
    _DESCRIBED.clear()
    _TERMS.clear()
