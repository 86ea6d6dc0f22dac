"""Forms that keep what the user typed: fields read from a posted form with
their problems collected in Swedish, field by field, and the state a page
needs to show the same form again with every value kept and each message
next to its field (never a separate error page).

    fields = Fields(await request.form())
    day = fields.day("day", "Datum")
    summary = fields.text("summary", limit=5000)
    fields.add(rules.contact(day=day, summary=summary, today=today))
    fields.raise_problems()          # FormProblemsError → the page again, status 422
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from starlette.datastructures import FormData

E = TypeVar("E", bound=StrEnum)


class FormProblemsError(ValueError):
    """What is wrong with a posted form, field → Swedish message."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = dict(problems)


@dataclass
class FormState:
    """The posted form a page shows again: which form, its values, its problems."""

    form: str = ""
    values: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""
    """A problem of the whole form (a conflict, a missing consent)."""

    @classmethod
    def of(
        cls, form: str, data: FormData, errors: Mapping[str, str], message: str = ""
    ) -> FormState:
        values: dict[str, list[str]] = {}
        for key in data:
            if key != "csrf_token":
                values[key] = [str(v) for v in data.getlist(key) if isinstance(v, str)]
        return cls(form, values, dict(errors), message)

    def value(self, form: str, name: str, default: Any = "") -> str:
        """The value typed into ``name`` of ``form``, else ``default``."""
        if form == self.form and name in self.values:
            return self.values[name][0] if self.values[name] else ""
        if default is None:
            return ""
        return default.isoformat() if isinstance(default, date) else str(default)

    def chosen(self, form: str, name: str, value: str, default: bool = False) -> bool:
        """Whether a checkbox or option ``value`` of ``name`` was chosen."""
        if form == self.form:
            return value in self.values.get(name, [])
        return default

    def error(self, form: str, name: str) -> str:
        return self.errors.get(name, "") if form == self.form else ""

    def failed(self, form: str) -> bool:
        return form == self.form and bool(self.errors or self.message)


class Fields:
    """Reads a posted form's fields, collecting problems instead of stopping."""

    def __init__(self, data: FormData) -> None:
        self.data = data
        self.problems: dict[str, str] = {}

    def raw(self, name: str) -> str:
        value = self.data.get(name)
        return value if isinstance(value, str) else ""

    def all(self, name: str) -> list[str]:
        return [v for v in self.data.getlist(name) if isinstance(v, str)]

    def text(self, name: str, *, limit: int, required: str = "") -> str:
        value = self.raw(name).strip()
        if len(value) > limit:
            self.problem(name, f"Texten är {len(value)} tecken; högst {limit} får plats.")
        elif required and not value:
            self.problem(name, required)
        return value

    def day(self, name: str, *, required: bool = True) -> date | None:
        text = self.raw(name).strip()
        if not text:
            if required:
                self.problem(name, "Fyll i ett datum (ÅÅÅÅ-MM-DD).")
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.problem(name, f"{text} är inget datum: skriv det som ÅÅÅÅ-MM-DD.")
            return None

    def choice(self, name: str, kind: type[E]) -> E | None:
        try:
            return kind(self.raw(name))
        except ValueError:
            self.problem(name, "Välj ett av alternativen i listan.")
            return None

    def integer(self, name: str, *, default: int = 0) -> int:
        text = self.raw(name).strip()
        if not text:
            return default
        if not text.lstrip("-").isdigit():
            self.problem(name, "Skriv ett heltal.")
            return default
        return int(text)

    def problem(self, name: str, message: str) -> None:
        self.problems.setdefault(name, message)

    def add(self, problems: Mapping[str, str]) -> None:
        for name, message in problems.items():
            self.problem(name, message)

    def raise_problems(self) -> None:
        if self.problems:
            raise FormProblemsError(self.problems)
