"""Personnummer and samordningsnummer rules (hand-worked examples)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehabkoll.lib.personnummer import (
    InvalidPersonalNumberError,
    Sex,
    normalize,
    parse,
    with_check_digit,
)


def test_it_accepts_the_well_known_example_with_and_without_hyphen() -> None:
    # 19121212-1212: Luhn over 121212121 gives check digit 2; 2nd-last digit 1 is odd → man.
    for text in ("19121212-1212", "191212121212"):
        number = parse(text)
        assert number.canonical == "19121212-1212"
        assert number.birth_date == date(1912, 12, 12)
        assert number.sex is Sex.MAN
        assert not number.coordination


def test_it_rejects_a_wrong_check_digit() -> None:
    with pytest.raises(InvalidPersonalNumberError, match="check digit"):
        parse("19121212-1213")


def test_it_reads_a_coordination_number_as_day_plus_sixty() -> None:
    # Day 72 = 12 + 60: born on the 12th; the check digit is computed on 1212721219's first nine.
    number = parse("19121272-1219")
    assert number.coordination
    assert number.birth_date == date(1912, 12, 12)


def test_it_rejects_an_impossible_date() -> None:
    # 1999-02-29 does not exist (1999 is no leap year), whatever the check digit.
    with pytest.raises(InvalidPersonalNumberError, match="date"):
        parse(with_check_digit("19990229123"))


def test_it_accepts_a_leap_day_birth() -> None:
    assert parse(with_check_digit("20000229123")).birth_date == date(2000, 2, 29)


@pytest.mark.parametrize("text", ["121212-1212", "19121212+1212", "abc", "", "1912121212123"])
def test_it_rejects_other_shapes_than_twelve_digits(text: str) -> None:
    with pytest.raises(InvalidPersonalNumberError, match="12 digits"):
        parse(text)


def test_error_messages_never_repeat_the_number() -> None:
    with pytest.raises(InvalidPersonalNumberError) as info:
        parse("19121212-1213")
    assert "1212" not in str(info.value)


def test_the_sex_follows_the_parity_of_the_second_last_digit() -> None:
    assert parse(with_check_digit("19800101002")).sex is Sex.WOMAN
    assert parse(with_check_digit("19800101003")).sex is Sex.MAN


def test_age_counts_whole_years() -> None:
    number = parse(with_check_digit("19800301123"))
    assert number.age_on(date(2020, 2, 29)) == 39
    assert number.age_on(date(2020, 3, 1)) == 40


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)), st.integers(0, 999))
def test_every_completed_number_validates_and_keeps_its_date(day: date, serial: int) -> None:
    number = with_check_digit(f"{day:%Y%m%d}{serial:03d}")
    assert normalize(number.replace("-", "")) == number
    assert parse(number).birth_date == day
