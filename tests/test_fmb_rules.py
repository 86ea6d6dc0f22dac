"""The FMB rule (rehabkoll.fmb.rules): the issue's worked examples on a
hand-made catalogue with the same lengths as Socialstyrelsen's data, and
properties of the code shortening."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rehabkoll.fmb import rules
from rehabkoll.fmb.rules import TypicalCase


def case(ident: str, codes: str, value: str | None, unit: str | None) -> TypicalCase:
    return TypicalCase(
        ident, tuple(codes.split()), f"situation {ident}", "", rules.to_days(value, unit)
    )


# The lengths as FMB 2018-06-05 gives them (see test_fmb_import for the real data):
# F32 has typical cases of 2 wk, 3 mo and 6 mo; M545 (acute lumbago) 1 wk and
# 2 wk; F438 12 mo; S82 several, the largest 12 mo; J06 up to 14 d.
BY_CODE = rules.index(
    [
        case("f32-mild", "F32", "2", "wk"),
        case("f32-moderate", "F32 F33", "3", "mo"),
        case("f32-severe", "F32", "6", "mo"),
        case("m545-light", "M545", "1", "wk"),
        case("m545-heavy", "M545", "2", "wk"),
        case("f438", "F438", "12", "mo"),
        case("s82-ankle", "S82", "8", "wk"),
        case("s82-tibia", "S82", "12", "mo"),
        case("j06", "J06", "14", "d"),
        case("j06-none", "J06", None, None),
        case("k40-none", "K40", None, None),
    ]
)


def test_the_units_count_1_7_and_31_days() -> None:
    assert rules.to_days("3", "d") == 3
    assert rules.to_days("2", "wk") == 14  # 2 x 7
    assert rules.to_days("6", "mo") == 186  # 6 x 31, Webcert's month
    assert rules.to_days(0, "d") == 0


def test_no_valid_number_or_unit_gives_no_length() -> None:
    assert rules.to_days(None, "wk") is None
    assert rules.to_days("", "wk") is None
    assert rules.to_days("2,5", "wk") is None
    assert rules.to_days("-1", "d") is None
    assert rules.to_days("3", "yr") is None
    assert rules.to_days("3", None) is None
    assert rules.to_days(True, "d") is None


def test_f32_gives_186_days_its_longest_typical_case() -> None:
    # three typical cases, 14, 93 and 186 days: the largest is the bound
    rec = rules.recommend_code("F32", BY_CODE)
    assert (rec.matched_code, rec.max_days, rec.typical_case_id) == ("F32", 186, "f32-severe")


def test_m54_5_matches_m545_and_gives_14_days() -> None:
    rec = rules.recommend_code("M54.5", BY_CODE)
    assert (rec.matched_code, rec.max_days) == ("M545", 14)


def test_f43_8a_is_shortened_to_f438_and_gives_372_days() -> None:
    # F438A is not a key, F438 is: 12 months x 31 = 372
    assert rules.candidates("F43.8A") == ["F438A", "F438", "F43"]
    rec = rules.recommend_code("f43.8a", BY_CODE)
    assert (rec.matched_code, rec.max_days) == ("F438", 372)


def test_s82_gives_372_and_j06_14() -> None:
    assert rules.recommend_code("S82", BY_CODE).max_days == 372
    # J06's case without a number is passed over, the 14-day one counts
    assert rules.recommend_code("J06", BY_CODE).max_days == 14


def test_a_code_without_a_typical_case_gives_no_recommendation() -> None:
    rec = rules.recommend_code("Z00.0", BY_CODE)
    assert (rec.matched_code, rec.max_days) == (None, None)
    # matched, but no typical case gives a number
    rec = rules.recommend_code("K40", BY_CODE)
    assert (rec.matched_code, rec.max_days) == ("K40", None)
    assert rules.recommend([], BY_CODE) is None


def test_shortening_stops_at_three_characters() -> None:
    assert rules.candidates("F3") == ["F3"]
    assert rules.match("F3", {"F": 1}) is None
    assert rules.match("J069", BY_CODE) == "J06"


def test_the_largest_length_of_all_the_certificates_codes_counts() -> None:
    # F32.1 main (via F32: 186) and M54.5 secondary (14): 186 from F32
    rec = rules.recommend(["F32.1", "M54.5"], BY_CODE)
    assert rec is not None
    assert (rec.code, rec.matched_code, rec.max_days) == ("F32.1", "F32", 186)
    # the secondary code wins when it gives more: J06 14 < S82 372
    rec = rules.recommend(["J06", "S82.0"], BY_CODE)
    assert rec is not None
    assert (rec.code, rec.matched_code, rec.max_days) == ("S82.0", "S82", 372)


def test_a_code_without_length_reports_the_matched_code() -> None:
    rec = rules.recommend(["K40", "Z00"], BY_CODE)
    assert rec is not None
    assert (rec.code, rec.matched_code, rec.max_days) == ("K40", "K40", None)


def test_186_days_is_not_over_and_187_is() -> None:
    assert not rules.is_over(186, 186)
    assert rules.is_over(187, 186)
    assert not rules.is_over(10_000, None)
    assert rules.share(93, 186) == 0.5


codes = st.text(alphabet="ABFJKMSZ0123456789.", min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(codes)
def test_the_match_is_the_longest_key_that_begins_the_code(code: str) -> None:
    # The shortening, stated a second way: of the keys that are a prefix of
    # the normalised code and at least three characters long (or the whole
    # code), the longest.
    key = rules.normalise(code)
    prefixes = [k for k in BY_CODE if key.startswith(k) and (len(k) >= 3 or k == key)]
    expected = max(prefixes, key=len) if prefixes else None
    assert rules.match(code, BY_CODE) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(codes, min_size=1, max_size=3))
def test_the_recommendation_is_the_maximum_over_the_codes(given_codes: list[str]) -> None:
    rec = rules.recommend(given_codes, BY_CODE)
    lengths = [rules.recommend_code(c, BY_CODE).max_days for c in given_codes]
    known = [n for n in lengths if n is not None]
    assert rec is not None
    assert rec.max_days == (max(known) if known else None)
