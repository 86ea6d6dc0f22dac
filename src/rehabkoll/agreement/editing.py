"""Editing an agreement field by field (the national coordinator's admin
pages): a changed copy of the agreement's document is validated by the same
model that the published JSON Schema is generated from (``AgreementDocument``),
its problems are said in Swedish, field by field, and what changed is listed
for the access log. Saving goes through ``service.import_document``, which
changes the agreement in place and keeps its decisions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from rehabkoll.agreement.document import AgreementDocument

Location = tuple[str | int, ...]

LABELS: dict[str, str] = {
    "title": "Rubrik",
    "signed": "Undertecknad",
    "total": "Totalbelopp",
    "key_date": "Nyckeldag för folkmängd",
    "unearned": "Pengar som inte tjänas in",
    "note": "Anmärkning",
    "sources": "Källor",
    "number": "Nummer",
    "asks": "Vad villkoret kräver",
    "evidence": "Underlag som krävs",
    "deadline": "Sista dag för underlag",
    "indicators": "Indikatorer",
    "indicator": "Indikator",
    "comparison": "Jämförelse",
    "threshold": "Tröskel",
    "id": "Id",
    "kind": "Slag",
    "amount": "Belopp",
    "condition": "Villkor",
    "recipient": "Mottagare",
    "instalments": "Utbetalningar",
    "date": "Datum",
    "conditions": "Villkor",
    "parts": "Delar",
}

_OWN_MESSAGES = (
    ("a conditional part names its condition", "en villkorad del måste ange sitt villkor"),
    ("only a conditional part has a condition", "bara en villkorad del har ett villkor"),
    (
        "they add up to more than the part's amount",
        "utbetalningarna är tillsammans mer än delens belopp",
    ),
    ("their amounts add up to more than total", "delarnas belopp är mer än totalbeloppet"),
    ("appears twice", "finns redan"),
    ("no condition", "det finns inget sådant villkor"),
    ("unknown", "okänd indikator"),
)
_PREFIXED = re.compile(r"^(?:(conditions|parts)\[(\d+)\]\.)?(\w+): (.*)$")


class EditProblemsError(ValueError):
    """What is wrong with an edited agreement: location → Swedish message."""

    def __init__(self, problems: Mapping[Location, str]) -> None:
        super().__init__("; ".join(f"{_path(k)}: {v}" for k, v in problems.items()))
        self.problems = dict(problems)


def _path(location: Location) -> str:
    out = ""
    for part in location:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _reason(kind: str, message: str, context: Mapping[str, Any]) -> str:
    if kind == "missing":
        return "måste fyllas i"
    if kind == "string_too_short":
        return "får inte vara tom"
    if kind == "string_too_long":
        return f"högst {context.get('max_length')} tecken"
    if kind == "greater_than_equal":
        limit = context.get("ge")
        return "får inte vara negativt" if limit == 0 else f"måste vara minst {limit}"
    if kind == "less_than_equal":
        return f"får vara högst {context.get('le')}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "måste vara ett heltal"
    if kind in ("float_type", "float_parsing"):
        return "måste vara ett tal"
    if kind.startswith("date"):
        return "är inget datum (skriv ÅÅÅÅ-MM-DD)"
    if kind in ("enum", "literal_error"):
        return "välj ett av alternativen"
    text = message.removeprefix("Value error, ")
    for english, swedish in _OWN_MESSAGES:
        if english in text:
            return swedish
    return text


def problems_of(error: ValidationError) -> dict[Location, str]:
    """Pydantic's errors as location → "Fältets namn: skäl" in Swedish. A
    model-level error whose text starts with a field ("parts[1].condition:
    …", "instalments: …") is placed at that field."""
    out: dict[Location, str] = {}
    for item in error.errors():
        location: Location = tuple(item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "value_error":
            found = _PREFIXED.match(message)
            if found:
                group, index, name, _ = found.groups()
                location = (group, int(index), name) if group is not None else (*location, name)
        reason = _reason(item["type"], message, item.get("ctx") or {})
        name = next((p for p in reversed(location) if isinstance(p, str)), "")
        label = LABELS.get(name, name or "Överenskommelsen")
        out.setdefault(location, f"{label}: {reason}")
    return out


def validate(data: Mapping[str, Any]) -> AgreementDocument:
    """The edited document, by the schema's rules; EditProblemsError if not."""
    try:
        return AgreementDocument.model_validate(dict(data))
    except ValidationError as error:
        raise EditProblemsError(problems_of(error)) from None


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for index, inner in enumerate(value):
            _flatten(inner, f"{prefix}[{index}]", out)
    else:
        out[prefix] = value


def _short(value: Any) -> str:
    text = "–" if value is None or value == "" else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def changes(before: AgreementDocument, after: AgreementDocument) -> list[str]:
    """Every field that differs, as ``path: old → new`` (for the access log)."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    _flatten(before.model_dump(mode="json"), "", old)
    _flatten(after.model_dump(mode="json"), "", new)
    return [
        f"{key}: {_short(old.get(key))} → {_short(new.get(key))}"
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    ]
