"""The allocation rule: worked examples by hand, and its properties (hypothesis)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehabkoll.agreement import population
from rehabkoll.agreement.allocation import AllocationError, Unearned, allocate_part, share

# SCB, "Folkmängd i landskapen den 31 december 2015": Riket 9 851 017,
# hela Södermanlands län 283 712.
SWEDEN_2015 = 9_851_017
SORMLAND_2015 = 283_712


def test_sormland_gets_14_400_138_of_500_million_in_april_2016() -> None:
    # 500 000 000 × 283 712 / 9 851 017 = 14 400 137,57 → 14 400 137 rounded down.
    # The rest of Sweden: 500 000 000 × 9 567 305 / 9 851 017 = 485 599 862,43
    # → 485 599 862. Together 499 999 999: one krona is left, and it goes to the
    # larger remainder, Sörmland's 0,57 against 0,43: 14 400 138, the 14,4 MSEK
    # that Landstinget Sörmland says it was paid in April 2016.
    result = share(500_000_000, {"04": SORMLAND_2015, "xx": SWEDEN_2015 - SORMLAND_2015})
    assert result == {"04": 14_400_138, "xx": 485_599_862}


# The four counties whose population on 2015-12-31 this project could not find in
# a named source (docs/agreement.md): Uppsala, Gävleborg, Västernorrland,
# Västerbotten. Their sum is known: Riket minus the 17 shipped counties.
UNSOURCED = ("03", "21", "22", "24")
UNSOURCED_SUM = 1_143_724


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, UNSOURCED_SUM), min_size=3, max_size=3))
def test_sormland_gets_14_400_138_with_all_21_counties(cuts: list[int]) -> None:
    # All 21 counties: the 17 shipped figures, and the unsourced four's known sum
    # 1 143 724 split in any way (hypothesis), since no single split is sourced.
    # By hand: the 17 shipped counties' whole kronor are 441 948 928 and the
    # four's exact total 500 000 000 × 1 143 724 / 9 851 017 = 58 051 062,14, so
    # their whole kronor are 58 051 059..58 051 062 and k, the kronor left over,
    # is 10..13, with the four's remainders summing to k − 9,86. Sörmland's
    # remainder is 0,5696 and 8 shipped counties have larger ones (06, 09, 12,
    # 13, 14, 18, 20, 25). If j of the four also have larger ones, their sum is
    # above 0,5696 j, so k > 9,86 + 0,5696 j, which gives k ≥ 9 + j for j = 0..4:
    # Sörmland is always among the k largest and gets its krona: 14 400 138.
    figures = population.read_csv(population.SHIPPED / "scb-folkmangd-lan-2015.csv")
    weights = {f.region: f.population for f in figures}
    assert sum(weights.values()) + UNSOURCED_SUM == SWEDEN_2015
    bounds = sorted(cuts)
    split = [bounds[0], bounds[1] - bounds[0], bounds[2] - bounds[1], UNSOURCED_SUM - bounds[2]]
    weights.update(zip(UNSOURCED, split, strict=True))
    assert len(weights) == 21
    result = share(500_000_000, weights)
    assert result["04"] == 14_400_138
    assert sum(result.values()) == 500_000_000


def test_leftover_kronor_go_to_the_largest_remainders_ties_to_the_lower_code() -> None:
    # 10 kr among three equal regions: 3 each (9), one krona left; the remainders
    # are equal (1/3 each), so the lowest code, 01, gets it.
    assert share(10, {"05": 1, "01": 1, "03": 1}) == {"01": 4, "03": 3, "05": 3}
    # 100 kr by 1:2:3 (total 6): 16,67 / 33,33 / 50 → 16, 33, 50 = 99; the largest
    # remainder is 01's 0,67 → 17, 33, 50.
    assert share(100, {"01": 1, "03": 2, "04": 3}) == {"01": 17, "03": 33, "04": 50}


# Six regions for the condition examples, populations chosen to make the
# arithmetic checkable by hand (total 1 000 000).
SIX = {"01": 400_000, "03": 250_000, "04": 150_000, "05": 100_000, "06": 60_000, "07": 40_000}
MET = ["01", "04", "06"]  # three regions (03, 05, 07) missed the condition


def test_three_regions_missing_a_condition_when_unearned_money_is_kept() -> None:
    # 1 000 001 kr over all six: 400 000,4 / 250 000,25 / 150 000,15 / 100 000,1 /
    # 60 000,06 / 40 000,04 → floors sum to 1 000 000; the one krona left goes to
    # 01 (remainder 0,4 is the largest). 03, 05 and 07 are not paid: 250 000 +
    # 100 000 + 40 000 = 390 000 unpaid; paid 400 001 + 150 000 + 60 000 = 610 001.
    result = allocate_part(1_000_001, SIX, eligible=MET, unearned=Unearned.KEPT)
    assert result.paid == {
        "01": 400_001, "03": 0, "04": 150_000, "05": 0, "06": 60_000, "07": 0,
    }  # fmt: skip
    assert result.unpaid == 390_000
    assert sum(result.paid.values()) + result.unpaid == 1_000_001


def test_three_regions_missing_a_condition_when_unearned_money_is_redistributed() -> None:
    # 1 000 001 kr among 01, 04, 06 only (610 000 people):
    # 01: 1 000 001 × 400 000 / 610 000 = 655 738,36 → 655 738 (rem ,36)
    # 04: 1 000 001 × 150 000 / 610 000 = 245 901,89 → 245 901 (rem ,89)
    # 06: 1 000 001 × 60 000 / 610 000 =  98 360,75 →  98 360 (rem ,75)
    # floors sum to 999 999: two kronor left, to 04 (,89) and 06 (,75).
    result = allocate_part(1_000_001, SIX, eligible=MET, unearned=Unearned.REDISTRIBUTED)
    assert result.paid == {
        "01": 655_738, "03": 0, "04": 245_902, "05": 0, "06": 98_361, "07": 0,
    }  # fmt: skip
    assert result.unpaid == 0


def test_a_part_that_no_region_met_is_unpaid_under_both_settings() -> None:
    for unearned in Unearned:
        result = allocate_part(1000, SIX, eligible=[], unearned=unearned)
        assert result.unpaid == 1000
        assert set(result.paid.values()) == {0}


def test_fractional_weights_are_shared_exactly() -> None:
    # Weights 1/3 and 2/3 are 1:2 → 100 kr gives 33,33 / 66,67 → 33 and 67.
    assert share(100, {"01": Fraction(1, 3), "03": Fraction(2, 3)}) == {"01": 33, "03": 67}


def test_bad_input_is_refused_with_the_field_named() -> None:
    with pytest.raises(AllocationError, match="amount"):
        share(-1, {"01": 1})
    with pytest.raises(AllocationError, match="weight of 03"):
        share(1, {"01": 1, "03": -2})
    with pytest.raises(AllocationError, match="weights: all zero"):
        share(1, {"01": 0})
    with pytest.raises(AllocationError, match="met: region 09 has no population"):
        allocate_part(1, {"01": 1}, eligible=["09"])


codes = st.sampled_from(["01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13"])
populations = st.dictionaries(codes, st.integers(0, 3_000_000), min_size=1).filter(
    lambda d: sum(d.values()) > 0
)
amounts = st.integers(0, 5_000_000_000)


@settings(max_examples=300, deadline=None)
@given(amount=amounts, weights=populations)
def test_shares_always_sum_to_the_amount(amount: int, weights: dict[str, int]) -> None:
    result = share(amount, weights)
    assert sum(result.values()) == amount
    assert set(result) == set(weights)
    assert all(v >= 0 for v in result.values())


@settings(max_examples=300, deadline=None)
@given(amount=amounts, weights=populations)
def test_a_larger_population_never_gets_less(amount: int, weights: dict[str, int]) -> None:
    result = share(amount, weights)
    for a in weights:
        for b in weights:
            if weights[a] > weights[b]:
                assert result[a] >= result[b]


@settings(max_examples=300, deadline=None)
@given(amount=amounts, weights=populations, data=st.data())
def test_both_settings_account_for_every_krona(
    amount: int, weights: dict[str, int], data: st.DataObject
) -> None:
    met = data.draw(st.lists(st.sampled_from(sorted(weights)), unique=True))
    kept = allocate_part(amount, weights, eligible=met, unearned=Unearned.KEPT)
    assert sum(kept.paid.values()) + kept.unpaid == amount
    # kept pays each region that met it exactly its share over everyone
    over_all = share(amount, weights)
    assert all(kept.paid[c] == over_all[c] for c in met)
    redistributed = allocate_part(amount, weights, eligible=met, unearned=Unearned.REDISTRIBUTED)
    if sum(weights[c] for c in met) > 0:
        # redistribution pays out the whole part, and only to regions that met it
        assert sum(redistributed.paid.values()) == amount
        assert redistributed.unpaid == 0
    else:
        assert redistributed.unpaid == amount
    assert all(redistributed.paid[c] == 0 for c in weights if c not in met)
    # a region that met the condition loses at most the rounding krona when the
    # others' money is redistributed (its exact share only grows; 5,2 may round
    # up to 6 over everyone and 5,3 down to 5 among fewer)
    assert all(redistributed.paid[c] >= kept.paid[c] - 1 for c in met)


@settings(max_examples=200, deadline=None)
@given(
    amount=amounts,
    weights=st.dictionaries(codes, st.fractions(0, 10_000, max_denominator=97), min_size=1),
)
def test_fractional_weights_sum_exactly(amount: int, weights: dict[str, Fraction]) -> None:
    if sum(weights.values()) == 0:
        return
    assert sum(share(amount, weights).values()) == amount
