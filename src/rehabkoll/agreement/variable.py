"""The variable part (rörlig del): shared by the decrease in sick leave.

This is the project's model of the "sjukskrivningsmiljard" mechanism, not a
copy of any year's exact formula: each region weighs
``population × max(0, (reference − current) / reference)``, where the rates are
net sick-leave days per insured person (the sjukpenningtal-like rate that
rehabkoll's statistics compute) in the reference year and the current year. A
region whose sick leave did not fall weighs nothing. The weights are exact
fractions; ``allocation.share`` turns them into whole kronor.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from rehabkoll.agreement.allocation import AllocationError, Weight

Rate = Annotated[float, Field(ge=0, description="Net sick-leave days per insured person.")]


class VariableParameters(BaseModel):
    """The rates per region (county code → net days per insured) that the part
    is shared by, and the years they were measured in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reference_year: int = Field(ge=2000, le=2100)
    year: int = Field(ge=2000, le=2100)
    reference: dict[str, Rate] = Field(
        default_factory=dict, description="Rate per region in the reference year."
    )
    current: dict[str, Rate] = Field(
        default_factory=dict, description="Rate per region in the year."
    )
    from_database: bool = Field(
        default=False,
        description="Regions without a rate written here take the rate rehabkoll "
        "computes from its own data (net sick-leave days per insured in the "
        "region's care providers, the indicator sick_leave.net_days_per_insured); "
        "a rate written here overrides it. Needs the database: `agreement "
        "allocate --input` refuses it for a region without written rates.",
    )


def relative_decrease(reference: Fraction, current: Fraction) -> Fraction:
    """max(0, (reference − current) / reference); a reference of 0 cannot fall."""
    if reference <= 0:
        return Fraction(0)
    return max(Fraction(0), (reference - current) / reference)


def _exact(value: float) -> Fraction:
    # The decimal the user wrote (12.3), not the binary float nearest to it.
    return Fraction(Decimal(str(value)))


def variable_weights(
    population: dict[str, int], parameters: VariableParameters
) -> dict[str, Weight]:
    """Population × relative decrease per region; every region needs both rates."""
    weights: dict[str, Weight] = {}
    for code in sorted(population):
        for name, rates in (("reference", parameters.reference), ("current", parameters.current)):
            if code not in rates:
                why = " (from_database needs the database)" if parameters.from_database else ""
                raise AllocationError(f"{name}.{code}: region {code} has no rate{why}")
        decrease = relative_decrease(
            _exact(parameters.reference[code]), _exact(parameters.current[code])
        )
        weights[code] = population[code] * decrease
    return weights
