"""How numbers, days and times read in Swedish, in one place for the pages,
the CLI's tables, Excel and PDF: dates as ``2026-11-05``, times in Swedish
local time (Europe/Stockholm), decimal commas with a non-breaking space
between thousands (Babel's ``sv_SE`` rules), "1 dag" / "2 dagar".

The web app registers each as a Jinja filter of the same name
(``{{ row.net_days|number }}``, ``{{ entry.recorded_at|moment }}``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import format_decimal

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Parsed once: Babel parses a locale given by name on every call, half the
# cost of a number (a work-list page formats some 500).
LOCALE = Locale.parse("sv_SE")
NOTHING = "–"


def day(value: date | datetime | None) -> str:
    """``2026-11-05``; a datetime is first moved to Swedish local time."""
    if value is None:
        return NOTHING
    if isinstance(value, datetime):
        return local(value).date().isoformat()
    return value.isoformat()


def local(value: datetime) -> datetime:
    """The moment in Swedish local time; a naive datetime is UTC (as stored)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(STOCKHOLM)


def moment(value: datetime | None) -> str:
    """``2026-11-05 14:03`` in Swedish local time (CET/CEST)."""
    if value is None:
        return NOTHING
    return local(value).strftime("%Y-%m-%d %H:%M")


def number(value: float | Decimal | None, decimals: int | None = None) -> str:
    """``1 234,5``: a decimal comma, a non-breaking space between thousands.
    ``decimals`` fixes the number of decimals; None shows those needed (up to 3)."""
    if value is None:
        return NOTHING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "" if decimals == 0 else ".###")
    return format_decimal(value, format=pattern, locale=LOCALE)


def percent(value: float | None, decimals: int | None = None) -> str:
    """``50 %``, ``12,5 %`` (a non-breaking space before the sign)."""
    return NOTHING if value is None else f"{number(value, decimals)}\u00a0%"


def days(count: int | None) -> str:
    """``1 dag``, ``2 dagar``, ``0 dagar``, ``-1 dag``."""
    if count is None:
        return NOTHING
    unit = "dag" if abs(count) == 1 else "dagar"
    return f"{number(count)}\u00a0{unit}"


def count(value: int, one: str, many: str) -> str:
    """``1 sjukfall``/``3 uppgifter``: the number and the word that agrees with it."""
    return f"{number(value)}\u00a0{one if value == 1 else many}"
