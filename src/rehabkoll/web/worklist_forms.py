"""The work list's two posted forms (filters and settings) read with their
problems collected field by field in Swedish, so that the page can show the
same form again with everything typed kept (see web/forms.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from rehabkoll.cases.engine import MAX_GAP, MAX_RECENT
from rehabkoll.web import worklist
from rehabkoll.web.forms import Fields

MAX_DAYS = 9999
"""The longest sick leave a filter may name (the input's own ``max``)."""
MAX_AGE = 130
TEXT_LIMIT = 100


def _bounded(fields: Fields, name: str, high: int) -> int | None:
    """An optional whole number from 0 to ``high``; empty → None."""
    text = fields.raw(name).strip()
    if not text:
        return None
    if not text.isdigit():
        fields.problem(name, f"{text} är inget heltal från 0 till {high}: skriv bara siffror.")
        return None
    value = int(text)
    if value > high:
        fields.problem(name, f"Skriv ett tal från 0 till {high}, inte {value}.")
        return None
    return value


T = TypeVar("T", int, date)


def _ordered(fields: Fields, low: T | None, high: T | None, name: str, what: str) -> None:
    """Complain on the upper field when a range's ends are the wrong way round."""
    if low is not None and high is not None and low > high:
        fields.problem(name, f"{what} ”till” ({high}) är före ”från” ({low}): byt plats på dem.")


def read_filters(fields: Fields) -> worklist.Filters:
    """The posted filters; problems are collected in ``fields``."""
    min_days = _bounded(fields, "min_days", MAX_DAYS)
    max_days = _bounded(fields, "max_days", MAX_DAYS)
    _ordered(fields, min_days, max_days, "max_days", "Längden")
    min_age = _bounded(fields, "min_age", MAX_AGE)
    max_age = _bounded(fields, "max_age", MAX_AGE)
    _ordered(fields, min_age, max_age, "max_age", "Åldern")
    end_from = fields.day("end_from", required=False)
    end_to = fields.day("end_to", required=False)
    _ordered(fields, end_from, end_to, "end_to", "Slutdatumet")
    text = fields.text("text", limit=TEXT_LIMIT)
    data: dict[str, object] = {
        name: fields.raw(name)[:TEXT_LIMIT]
        for name in ("doctor", "chapter", "status", "occupation", "matters")
    }
    return worklist.Filters.from_dict(
        {
            **data,
            "text": text,
            "min_days": min_days,
            "max_days": max_days,
            "min_age": min_age,
            "max_age": max_age,
            "end_from": _iso(end_from),
            "end_to": _iso(end_to),
            "over_fmb": bool(fields.raw("over_fmb")),
        }
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass(frozen=True)
class SettingsInput:
    gap: int
    recent: int
    ending_days: int
    per_page: int
    hide_names: bool


def _setting(fields: Fields, name: str, high: int, default: int) -> int:
    """A required setting; a field left out of the form keeps ``default``."""
    if name not in fields.data:
        return default
    value = _bounded(fields, name, high)
    if value is None and name not in fields.problems:
        fields.problem(name, f"Fyll i ett antal dagar från 0 till {high}.")
    return default if value is None else value


def read_settings(fields: Fields, current: worklist.ListSettings) -> SettingsInput:
    """The posted list settings; problems are collected in ``fields``."""
    gap = _setting(fields, "gap", MAX_GAP, current.gap)
    recent = _setting(fields, "recent", MAX_RECENT, current.recent)
    ending_days = _setting(fields, "ending_days", worklist.MAX_ENDING_DAYS, current.ending_days)
    per_page_text = fields.raw("per_page").strip() or str(current.per_page)
    per_page = int(per_page_text) if per_page_text.isdigit() else 0
    if per_page not in worklist.PAGE_SIZES:
        sizes = ", ".join(map(str, worklist.PAGE_SIZES))
        fields.problem("per_page", f"Välj ett av {sizes} rader per sida.")
        per_page = current.per_page
    return SettingsInput(gap, recent, ending_days, per_page, bool(fields.raw("hide_names")))
