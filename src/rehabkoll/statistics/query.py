"""What a report is asked for: scope, months, gap, filters, suppression."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from rehabkoll.cases.engine import DEFAULT_GAP, check_gap
from rehabkoll.statistics.suppression import DEFAULT_CUTOFF


class InvalidQueryError(ValueError):
    """A scope, month range or filter that cannot be answered."""


class ScopeKind(StrEnum):
    UNIT = "unit"
    PROVIDER = "provider"
    NATIONAL = "national"


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose certificates count: one unit's own, one care provider's, or every provider's."""

    kind: ScopeKind
    id: str = ""

    @classmethod
    def parse(cls, text: str) -> Scope:
        kind, _, ident = text.strip().partition(":")
        if kind == "national" and not ident:
            return cls(ScopeKind.NATIONAL)
        if kind in ("unit", "provider") and ident.strip():
            return cls(ScopeKind(kind), ident.strip())
        raise InvalidQueryError(f"scope {text!r}: expected unit:ID, provider:ID or national")

    def __str__(self) -> str:
        return self.kind.value if self.kind is ScopeKind.NATIONAL else f"{self.kind}:{self.id}"


def parse_month(text: str) -> date:
    """``YYYY-MM`` → the first day of that month."""
    if not re.fullmatch(r"\d{4}-\d{2}", text.strip()):
        raise InvalidQueryError(f"month {text!r}: expected YYYY-MM")
    year, month = (int(part) for part in text.strip().split("-"))
    if not 1 <= month <= 12:
        raise InvalidQueryError(f"month {text!r}: no such month")
    return date(year, month, 1)


def month_end(first: date) -> date:
    return next_month(first) - timedelta(days=1)


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def months(first: date, last: date) -> list[date]:
    """First days of every month from ``first``'s to ``last``'s, inclusive."""
    out: list[date] = []
    current = first.replace(day=1)
    while current <= last:
        out.append(current)
        current = next_month(current)
    return out


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrict the counted case-months (web filters): group keys, or None for all."""

    diagnosis_group: str | None = None
    chapter: str | None = None  # a chapter key (F00-F99) or a single letter
    age_group: str | None = None
    length_group: str | None = None

    def any(self) -> bool:
        return any((self.diagnosis_group, self.chapter, self.age_group, self.length_group))


@dataclass(frozen=True, slots=True)
class Query:
    """One report's question. ``suppress``: publish with small-number suppression."""

    scope: Scope
    first: date  # first day of the first month
    last: date  # first day of the last month
    gap: int = DEFAULT_GAP
    filters: Filters = field(default_factory=Filters)
    suppress: bool = False
    cutoff: int = DEFAULT_CUTOFF

    def __post_init__(self) -> None:
        if self.first.day != 1 or self.last.day != 1:
            raise InvalidQueryError("months are given by their first day")
        if self.last < self.first:
            raise InvalidQueryError("--to lies before --from")
        if len(months(self.first, self.last)) > 240:
            raise InvalidQueryError("at most 240 months at a time")
        if self.cutoff < 1:
            raise InvalidQueryError("the cutoff must be at least 1")
        check_gap(self.gap)

    @property
    def published(self) -> bool:
        """National output is always published outside the provider, so suppressed."""
        return self.suppress or self.scope.kind is ScopeKind.NATIONAL

    @property
    def window_end(self) -> date:
        return month_end(self.last)
