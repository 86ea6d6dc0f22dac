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
    synthetic,
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


def test_a_synthetic_number_is_marked_by_month_plus_twenty() -> None:
    # 1980-03-14, birth number 123 (3 is odd: a man), as a synthetic number:
    # month 03 + 20 = 23 → 19802314-123C. Luhn over 802314123 with weights 2,1,2,…:
    # 8·2=16→1+6=7, 0, 2·2=4, 3, 1·2=2, 4, 1·2=2, 2, 3·2=6 → sum 7+0+4+3+2+4+2+2+6 = 30,
    # check digit (10 − 0) mod 10 = 0.
    assert synthetic(date(1980, 3, 14), 123) == "19802314-1230"
    number = parse("198023141230")
    assert number.synthetic
    assert not number.coordination
    assert number.birth_date == date(1980, 3, 14)
    assert number.sex is Sex.MAN


def test_a_synthetic_coordination_number_carries_both_marks() -> None:
    # Born 1990-12-31, a woman (birth number 002): month 12 + 20 = 32, day 31 + 60 = 91.
    text = synthetic(date(1990, 12, 31), 2, coordination=True)
    assert text.startswith("19903291-002")
    number = parse(text)
    assert number.synthetic
    assert number.coordination
    assert number.birth_date == date(1990, 12, 31)
    assert number.sex is Sex.WOMAN


@pytest.mark.parametrize("month", ["13", "20", "33", "00"])
def test_months_outside_both_forms_are_not_dates(month: str) -> None:
    # 13–20 belong to neither the real (01–12) nor the synthetic (21–32) form.
    with pytest.raises(InvalidPersonalNumberError, match="date"):
        parse(with_check_digit(f"1980{month}01123"))


def test_an_ordinary_number_is_not_synthetic() -> None:
    assert not parse("19121212-1212").synthetic


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)), st.integers(0, 999))
def test_every_synthetic_number_validates_and_no_real_number_is_synthetic(
    day: date, serial: int
) -> None:
    # The two forms of one person: the real and the synthetic number keep the
    # same birth date and sex, and only the synthetic one is marked (and they differ).
    real = parse(with_check_digit(f"{day:%Y%m%d}{serial:03d}"))
    fake = parse(synthetic(day, serial))
    assert fake.synthetic
    assert not real.synthetic
    assert (fake.birth_date, fake.sex) == (real.birth_date, real.sex)
    assert fake.canonical != real.canonical
    assert 21 <= int(fake.canonical[4:6]) <= 32
