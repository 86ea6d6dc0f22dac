"""The agreement as data: one year's överenskommelse in a JSON file, validated by
these Pydantic models (the single definition; ``rehabkoll agreement schema
agreement`` publishes the JSON Schema, ``rehabkoll agreement import`` reads the
file). Amounts that are not known are left out (null), never guessed.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rehabkoll.agreement.allocation import Unearned
from rehabkoll.agreement.indicators import INDICATOR_KEYS
from rehabkoll.agreement.variable import VariableParameters


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartKind(StrEnum):
    """villkorad (tied to one condition), fast (every region), rörlig (by the
    change in sick leave), ej till regionerna (research, the association's own
    support)."""

    CONDITIONAL = "conditional"
    FIXED = "fixed"
    VARIABLE = "variable"
    UNPAID = "unpaid"

    @property
    def label(self) -> str:
        return {
            PartKind.CONDITIONAL: "Villkorad",
            PartKind.FIXED: "Fast",
            PartKind.VARIABLE: "Rörlig",
            PartKind.UNPAID: "Ej till regionerna",
        }[self]


class Instalment(_Strict):
    """One payment of a part: when, and how much (null when not known)."""

    date: dt.date | None = None
    amount: int | None = Field(default=None, ge=0)
    note: str = ""


class IndicatorRule(_Strict):
    """An indicator attached to a condition: met when the region's figure
    compares to the threshold as given (e.g. coordination_function.primary_care
    >= 80, a percentage)."""

    indicator: str = Field(description=f"One of: {', '.join(INDICATOR_KEYS)}.")
    comparison: Literal[">=", "<="] = ">="
    threshold: float | None = Field(
        default=None, description="Null: the figure is followed, with no threshold."
    )

    @model_validator(mode="after")
    def _known(self) -> IndicatorRule:
        if self.indicator not in INDICATOR_KEYS:
            raise ValueError(f"indicator: unknown {self.indicator!r}")
        return self


class Condition(_Strict):
    """Villkor: number, title, what it asks, evidence required, deadline."""

    number: str = Field(min_length=1, max_length=20)
    title: str = Field(min_length=1)
    asks: str = ""
    evidence: str = ""
    deadline: date | None = None
    indicators: list[IndicatorRule] = Field(default_factory=list)


class Part(_Strict):
    id: str = Field(min_length=1, max_length=64)
    kind: PartKind
    title: str = Field(min_length=1)
    amount: int | None = Field(default=None, ge=0, description="Whole kronor; null if unknown.")
    condition: str | None = None
    recipient: str = ""
    note: str = ""
    instalments: list[Instalment] = Field(default_factory=list)
    variable: VariableParameters | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Part:
        if self.kind is PartKind.CONDITIONAL and not self.condition:
            raise ValueError("condition: a conditional part names its condition")
        if self.kind is not PartKind.CONDITIONAL and self.condition:
            raise ValueError("condition: only a conditional part has a condition")
        known = [i.amount for i in self.instalments if i.amount is not None]
        if self.amount is not None and sum(known) > self.amount:
            raise ValueError("instalments: they add up to more than the part's amount")
        return self


class AgreementDocument(_Strict):
    """One year's agreement."""

    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1)
    signed: date | None = None
    total: int | None = Field(default=None, ge=0)
    key_date: date | None = Field(
        default=None, description="Population date; default 31 December of the year before."
    )
    unearned: Unearned = Unearned.KEPT
    note: str = ""
    sources: list[str] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    parts: list[Part] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> AgreementDocument:
        numbers = [c.number for c in self.conditions]
        for index, number in enumerate(numbers):
            if numbers.index(number) != index:
                raise ValueError(f"conditions[{index}].number: {number!r} appears twice")
        ids = [p.id for p in self.parts]
        for index, part in enumerate(self.parts):
            if ids.index(part.id) != index:
                raise ValueError(f"parts[{index}].id: {part.id!r} appears twice")
            if part.condition and part.condition not in numbers:
                raise ValueError(f"parts[{index}].condition: no condition {part.condition!r}")
        amounts = [p.amount for p in self.parts]
        known_total = self.total is not None and None not in amounts
        if known_total and sum(a or 0 for a in amounts) > (self.total or 0):
            raise ValueError("parts: their amounts add up to more than total")
        return self

    @property
    def population_date(self) -> date:
        return self.key_date or date(self.year - 1, 12, 31)
