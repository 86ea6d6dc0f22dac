"""The allocation rule (fördelning): a part of an agreement's money shared among
the regions, exactly to the krona. Pure functions on plain data, no I/O.

``share`` is the one definition of "in proportion, in whole kronor": each
region's exact share is ``amount × weight / total``; every region first gets
that share rounded down, and the kronor left over go one each to the regions
with the largest remainders (ties: the lower county code first), so the shares
add up to the amount exactly. ``allocate_part`` applies it to a part of an
agreement, with the agreement's setting for money that regions did not earn.
docs/agreement.md works examples through by hand.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

Weight = int | Fraction


class Unearned(StrEnum):
    """What happens to the share of a region that did not meet a part's condition:
    ``kept`` (not paid, reported as unpaid) or ``redistributed`` (the part is
    shared among the regions that met it)."""

    KEPT = "kept"
    REDISTRIBUTED = "redistributed"


class AllocationError(ValueError):
    """Input the rule cannot share; the message names the field."""


def share(amount: int, weights: Mapping[str, Weight]) -> dict[str, int]:
    """``amount`` kronor shared in proportion to ``weights`` (region code → weight).

    Largest remainders: shares rounded down, then one krona each to the largest
    remainders, ties to the lower code. The result sums to ``amount`` exactly
    and has every key of ``weights``. Weights may be whole numbers or fractions
    (the variable part's population × decrease); they must not be negative, and
    a positive amount needs a positive total weight.
    """
    if amount < 0:
        raise AllocationError(f"amount: {amount} is negative")
    for code, weight in weights.items():
        if weight < 0:
            raise AllocationError(f"weight of {code}: {weight} is negative")
    scaled = _whole(weights)
    total = sum(scaled.values())
    if total == 0:
        if amount == 0:
            return dict.fromkeys(weights, 0)
        raise AllocationError("weights: all zero, so there is nothing to share by")
    floors = {code: amount * w // total for code, w in scaled.items()}
    remainders = {code: amount * w % total for code, w in scaled.items()}
    left = amount - sum(floors.values())
    for code in sorted(scaled, key=lambda c: (-remainders[c], c))[:left]:
        floors[code] += 1
    return floors


def _whole(weights: Mapping[str, Weight]) -> dict[str, int]:
    """The same proportions as whole numbers (fractions over a common denominator)."""
    denominators = [w.denominator for w in weights.values() if isinstance(w, Fraction)]
    common = math.lcm(*denominators) if denominators else 1
    return {code: int(Fraction(w) * common) for code, w in weights.items()}


@dataclass(frozen=True, slots=True)
class PartResult:
    """What one part pays: kronor per region (every region, 0 for none) and unpaid."""

    paid: dict[str, int]
    unpaid: int


def allocate_part(
    amount: int,
    weights: Mapping[str, Weight],
    *,
    eligible: Collection[str] | None = None,
    unearned: Unearned = Unearned.KEPT,
) -> PartResult:
    """One part shared by ``weights``; only ``eligible`` regions are paid.

    ``eligible`` None: the part has no condition and every region is paid. With
    a condition, ``kept`` computes each share over all regions and leaves the
    shares of the others unpaid; ``redistributed`` shares the whole part among
    the eligible regions (nothing is unpaid unless no region is eligible, or all
    eligible regions weigh nothing).
    """
    unknown = sorted(set(eligible or ()) - set(weights))
    if unknown:
        raise AllocationError(f"met: region {unknown[0]} has no population")
    if eligible is None:
        return PartResult(share(amount, weights), 0)
    chosen = set(eligible)
    if unearned is Unearned.KEPT:
        over_all = share(amount, weights)
        paid = {code: (v if code in chosen else 0) for code, v in over_all.items()}
        return PartResult(paid, amount - sum(paid.values()))
    among = {code: w for code, w in weights.items() if code in chosen}
    if sum(_whole(among).values()) == 0:
        return PartResult(dict.fromkeys(weights, 0), amount)
    shared = share(amount, among)
    return PartResult({code: shared.get(code, 0) for code in weights}, 0)
