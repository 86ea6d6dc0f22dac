"""Swedish personal identity numbers (personnummer) and coordination numbers
(samordningsnummer).

Accepted input: 12 digits, with or without a hyphen before the last four
(``19121212-1212`` or ``191212121212``). The check digit is the Luhn digit of
the last ten digits; a coordination number has 60 added to the day of birth.
The canonical form is always ``YYYYMMDD-NNNN``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError

_PATTERN = re.compile(r"^(\d{8})-?(\d{4})$")


class Sex(StrEnum):
    """Legal sex as coded in the personnummer: the second-last digit is odd for men."""

    WOMAN = "F"
    MAN = "M"


class InvalidPersonalNumberError(ValueError):
    """The text is not a valid personnummer or samordningsnummer."""


@dataclass(frozen=True, slots=True)
class PersonalNumber:
    """A validated personnummer or samordningsnummer."""

    canonical: str
    birth_date: date
    sex: Sex
    coordination: bool

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day``."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


def parse(text: str) -> PersonalNumber:
    """Validate ``text`` and return the number with its derived facts.

    Raises InvalidPersonalNumberError with a reason fit to show a user (it
    never repeats the number itself).
    """
    match = _PATTERN.match(text.strip())
    if match is None:
        raise InvalidPersonalNumberError("must be 12 digits, as YYYYMMDD-NNNN or YYYYMMDDNNNN")
    head, tail = match.groups()
    year, month, day = int(head[:4]), int(head[4:6]), int(head[6:8])
    coordination = day > 60
    if coordination:
        day -= 60
    try:
        birth = date(year, month, day)
    except ValueError:
        raise InvalidPersonalNumberError("the date of birth is not a valid date") from None
    try:
        luhn.validate(head[2:] + tail)
    except StdnumError:
        raise InvalidPersonalNumberError("the check digit is wrong") from None
    sex = Sex.MAN if int(tail[2]) % 2 == 1 else Sex.WOMAN
    return PersonalNumber(f"{head}-{tail}", birth, sex, coordination)


def normalize(text: str) -> str:
    """The canonical ``YYYYMMDD-NNNN`` form of a valid number."""
    return parse(text).canonical


def with_check_digit(first_eleven: str) -> str:
    """Complete ``YYYYMMDDNNN`` with its check digit, in canonical form."""
    if not re.fullmatch(r"\d{11}", first_eleven):
        raise InvalidPersonalNumberError("need 11 digits to compute a check digit")
    check = luhn.calc_check_digit(first_eleven[2:])
    return f"{first_eleven[:8]}-{first_eleven[8:]}{check}"
