"""The self-contained allocation file of ``rehabkoll agreement allocate``: its
input and output as Pydantic models (the single definition of the form; the
JSON Schemas that ``rehabkoll agreement schema`` publishes come from them),
the computation, and the output written as JSON, CSV or an Excel workbook.

Input::

    {"year": 2016, "unearned": "kept",
     "population": {"04": 283712, "05": 445661},
     "parts": [{"id": "villkor-4", "amount": 500000000, "rule": "population",
                "condition": "4"},
               {"id": "fast", "amount": 50000000, "rule": "population"}],
     "met": {"04": ["4"], "05": ["4"]}}

Output: one row per region and part, ``{"region": "04", "part": "villkor-4",
"amount": 14400138}``, and the unpaid kronor per part.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rehabkoll.agreement.allocation import AllocationError, Unearned, Weight, allocate_part
from rehabkoll.agreement.variable import VariableParameters, variable_weights

RULES = ("population", "variable")
"""``population``: shared by population. ``variable``: by population × the
relative decrease in sick leave (see rehabkoll.agreement.variable)."""

RegionCode = Annotated[str, Field(pattern=r"^\d{2}$", description="County code, e.g. 04.")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartInput(_Strict):
    """A part of the money: its id, amount in whole kronor, rule and condition."""

    id: str = Field(min_length=1, max_length=64)
    amount: int = Field(ge=0, description="Whole kronor.")
    rule: str = Field(description="How the part is shared: population or variable.")
    condition: str | None = Field(
        default=None, description="Only regions that met this condition are paid."
    )
    variable: VariableParameters | None = Field(
        default=None, description="The rates that rule variable shares by."
    )

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, value: str) -> str:
        if value not in RULES:
            raise ValueError(f"unknown rule {value!r} (known: {', '.join(RULES)})")
        return value


class AllocationInput(_Strict):
    """Everything one allocation needs, with no database."""

    year: int = Field(ge=2000, le=2100)
    unearned: Unearned = Unearned.KEPT
    population: dict[RegionCode, Annotated[int, Field(ge=0)]] = Field(min_length=1)
    parts: list[PartInput] = Field(min_length=1)
    met: dict[RegionCode, list[str]] = Field(default_factory=dict)


class AllocationRow(_Strict):
    region: RegionCode
    part: str
    amount: int


class UnpaidRow(_Strict):
    part: str
    amount: int


class AllocationOutput(_Strict):
    """The allocation: kronor per region and part, and what each part left unpaid."""

    year: int
    unearned: Unearned
    rows: list[AllocationRow]
    unpaid: list[UnpaidRow]


class AllocationInputError(ValueError):
    """An allocation file that cannot be used; the message names the field."""


def parse(text: str | bytes) -> AllocationInput:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise AllocationInputError(f"not JSON: {error.msg} at line {error.lineno}") from None
    try:
        return AllocationInput.model_validate(data)
    except ValidationError as error:
        raise AllocationInputError(describe(error)) from None


def describe(error: ValidationError) -> str:
    """Pydantic's errors as ``field: reason`` lines, e.g. ``parts[1].amount: missing``."""
    lines = []
    for item in error.errors():
        where = ""
        for part in item["loc"]:
            where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else part)
        reason = "missing" if item["type"] == "missing" else item["msg"]
        lines.append(f"{where or 'file'}: {reason.removeprefix('Value error, ')}")
    return "; ".join(lines)


def compute(data: AllocationInput) -> AllocationOutput:
    """Every part allocated; raises AllocationInputError naming the field at fault."""
    ids = [p.id for p in data.parts]
    for index, part_id in enumerate(ids):
        if ids.index(part_id) != index:
            raise AllocationInputError(f"parts[{index}].id: {part_id!r} appears twice")
    for code in sorted(data.met):
        if code not in data.population:
            raise AllocationInputError(f"met.{code}: region {code} has no population")
    regions = sorted(data.population)
    rows: list[AllocationRow] = []
    unpaid: list[UnpaidRow] = []
    for index, part in enumerate(data.parts):
        weights = _weights(part, index, data.population)
        eligible = (
            None
            if part.condition is None
            else [code for code in regions if part.condition in data.met.get(code, [])]
        )
        try:
            result = allocate_part(part.amount, weights, eligible=eligible, unearned=data.unearned)
        except AllocationError as error:
            raise AllocationInputError(f"parts[{index}]: {error}") from None
        rows += [AllocationRow(region=c, part=part.id, amount=result.paid[c]) for c in regions]
        unpaid.append(UnpaidRow(part=part.id, amount=result.unpaid))
    return AllocationOutput(year=data.year, unearned=data.unearned, rows=rows, unpaid=unpaid)


def _weights(part: PartInput, index: int, population: dict[str, int]) -> dict[str, Weight]:
    if part.rule == "population":
        return dict(population)
    if part.variable is None:
        raise AllocationInputError(f"parts[{index}].variable: missing (rule variable needs it)")
    try:
        return variable_weights(population, part.variable)
    except AllocationError as error:
        raise AllocationInputError(f"parts[{index}].variable: {error}") from None


def schema(model: type[BaseModel]) -> dict[str, Any]:
    out = model.model_json_schema()
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return out


def to_json(result: AllocationOutput) -> str:
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def to_csv(result: AllocationOutput) -> str:
    """``kind,region,part,amount``: ``paid`` rows per region and part, then ``unpaid``
    rows per part with an empty region."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["kind", "region", "part", "amount"])
    for row in result.rows:
        writer.writerow(["paid", row.region, row.part, row.amount])
    for unpaid in result.unpaid:
        writer.writerow(["unpaid", "", unpaid.part, unpaid.amount])
    return buffer.getvalue()


def to_xlsx(result: AllocationOutput, names: dict[str, str] | None = None) -> bytes:
    """A workbook in Swedish: one sheet with a row per region and a column per part
    (and the region's total), one with the unpaid kronor per part."""
    from openpyxl import Workbook

    names = names or {}
    parts = [u.part for u in result.unpaid]
    book = Workbook()
    sheet = book.active
    sheet.title = "Fördelning"
    sheet.append([f"Fördelning {result.year} (kronor)"])
    sheet.append(["Länskod", "Region", *parts, "Totalt"])
    by_region: dict[str, dict[str, int]] = {}
    for row in result.rows:
        by_region.setdefault(row.region, {})[row.part] = row.amount
    for code, amounts in by_region.items():
        values = [amounts.get(p, 0) for p in parts]
        sheet.append([code, names.get(code, ""), *values, sum(values)])
    paid = [sum(a.get(p, 0) for a in by_region.values()) for p in parts]
    sheet.append(["", "Summa utbetalt", *paid, sum(paid)])
    unpaid_sheet = book.create_sheet("Ej utbetalt")
    unpaid_sheet.append(["Del", "Kronor"])
    for unpaid in result.unpaid:
        unpaid_sheet.append([unpaid.part, unpaid.amount])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
