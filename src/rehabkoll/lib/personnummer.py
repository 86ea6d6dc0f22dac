"""Swedish personal identity numbers (personnummer) and coordination numbers
(samordningsnummer).

Accepted input: 12 digits, with or without a hyphen before the last four
(``19121212-1212`` or ``191212121212``). The check digit is the Luhn digit of
the last ten digits; a coordination number has 60 added to the day of birth.
The canonical form is always ``YYYYMMDD-NNNN``.

A **synthetic** number has 20 added to the month of birth (months 21–32). It
is the project's own mark for invented people: Skatteverket writes the month
of birth as 01–12 in every personnummer and samordningsnummer it issues, so a
synthetic number can never be a real person's. Everything else about it
(coordination day, birth number, sex, check digit) follows the ordinary rules.
Whether an installation accepts synthetic numbers is its setting
(``REHABKOLL_ACCEPT_SYNTHETIC_IDS``); this module only recognises them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError

_PATTERN = re.compile(r"^(\d{8})-?(\d{4})$")
SYNTHETIC_MONTH_OFFSET = 20
"""Added to the month of birth in a synthetic number."""
COORDINATION_DAY_OFFSET = 60
"""Added to the day of birth in a samordningsnummer."""


class Sex(StrEnum):
    """Legal sex as coded in the personnummer: the second-last digit is odd for men."""

    WOMAN = "F"
    MAN = "M"


class InvalidPersonalNumberError(ValueError):
    """The text is not a valid personnummer or samordningsnummer."""


@dataclass(frozen=True, slots=True)
class PersonalNumber:
    """A validated personnummer or samordningsnummer, possibly synthetic."""

    canonical: str
    birth_date: date
    sex: Sex
    coordination: bool
    synthetic: bool = False

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day``."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


@lru_cache(maxsize=65536)
def parse(text: str) -> PersonalNumber:
    """Validate ``text`` and return the number with its derived facts.

    Raises InvalidPersonalNumberError with a reason fit to show a user (it
    never repeats the number itself). Valid answers are cached: an import
    meets each patient's number once per certificate, and the check digit is
    the costliest part of validating a certificate.
    """
    match = _PATTERN.match(text.strip())
    if match is None:
        raise InvalidPersonalNumberError("must be 12 digits, as YYYYMMDD-NNNN or YYYYMMDDNNNN")
    head, tail = match.groups()
    year, month, day = int(head[:4]), int(head[4:6]), int(head[6:8])
    synthetic = month > SYNTHETIC_MONTH_OFFSET
    if synthetic:
        month -= SYNTHETIC_MONTH_OFFSET
    coordination = day > COORDINATION_DAY_OFFSET
    if coordination:
        day -= COORDINATION_DAY_OFFSET
    try:
        birth = date(year, month, day)
    except ValueError:
        raise InvalidPersonalNumberError("the date of birth is not a valid date") from None
    try:
        luhn.validate(head[2:] + tail)
    except StdnumError:
        raise InvalidPersonalNumberError("the check digit is wrong") from None
    sex = Sex.MAN if int(tail[2]) % 2 == 1 else Sex.WOMAN
    return PersonalNumber(f"{head}-{tail}", birth, sex, coordination, synthetic)


def normalize(text: str) -> str:
    """The canonical ``YYYYMMDD-NNNN`` form of a valid number."""
    return parse(text).canonical


def with_check_digit(first_eleven: str) -> str:
    """Complete ``YYYYMMDDNNN`` with its check digit, in canonical form."""
    if not re.fullmatch(r"\d{11}", first_eleven):
        raise InvalidPersonalNumberError("need 11 digits to compute a check digit")
    check = luhn.calc_check_digit(first_eleven[2:])
    return f"{first_eleven[:8]}-{first_eleven[8:]}{check}"


def synthetic(born: date, birth_number: int, *, coordination: bool = False) -> str:
    """The synthetic number (month + 20) of someone born on ``born`` with the
    three-digit ``birth_number`` (odd for men, even for women), in canonical form."""
    if not 0 <= birth_number <= 999:
        raise InvalidPersonalNumberError("the birth number must be 000–999")
    month = born.month + SYNTHETIC_MONTH_OFFSET
    day = born.day + (COORDINATION_DAY_OFFSET if coordination else 0)
    return with_check_digit(f"{born.year:04d}{month:02d}{day:02d}{birth_number:03d}")
