"""The FMB rule (rekommenderad sjukskrivningslängd), plain functions on plain
data, no I/O. Worked examples in docs/decision-support.md.

- A code is looked up as written, dots removed and in upper case; when nothing
  matches it is shortened one character at a time down to three characters
  (F43.8A → F438A → F438 → F43).
- A typical case's recommended maximal length is its number times the days of
  its unit: ``d`` 1, ``wk`` 7, ``mo`` 31 (Webcert's conversion). No valid
  number (or no known unit): no length.
- A certificate's recommendation is the largest maximal length among all
  typical cases of all its codes (main first, then the secondary ones); the
  code it came from is reported. On equal lengths the earlier code wins.
- A case is over the recommendation when its days (the union of calendar days
  at the unit, degree ignored, the new certificate included) are strictly
  greater than the maximal length.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

JSON_KEYS = ("fmb_max_days", "fmb_code", "over_fmb")
"""What a case object carries of FMB: the recommendation in days, the code it
came from (as written on the certificate), and whether the case is over it."""
UNIT_DAYS = {"d": 1, "wk": 7, "mo": 31}
"""Days per unit of ``maximalsjukskrivningsenhet``, as Webcert counts them."""
UNIT_NAMES = {"d": "dagar", "wk": "veckor", "mo": "månader"}
SHORTEST = 3


@dataclass(frozen=True, slots=True)
class TypicalCase:
    """Typfall: the codes it applies to, its situation and its maximal length."""

    id: str
    codes: tuple[str, ...]
    situation: str
    recommendation: str
    max_days: int | None
    heading: str = ""


@dataclass(frozen=True, slots=True)
class Recommendation:
    """What applies to one code or a certificate's codes.

    ``code``: the code as given (for a certificate: the code the length came
    from, else its main code); ``matched_code``: the key it matched (None: no
    match); ``max_days``: the largest length (None: no typical case gives one).
    """

    code: str
    matched_code: str | None
    max_days: int | None
    typical_case_id: str | None = None


def normalise(code: str) -> str:
    """A code as FMB writes it: no dots or spaces, upper case (M54.5 → M545)."""
    return code.replace(".", "").replace(" ", "").strip().upper()


def candidates(code: str) -> list[str]:
    """The keys to try, longest first: F43.8A → F438A, F438, F43."""
    key = normalise(code)
    if len(key) <= SHORTEST:
        return [key] if key else []
    return [key[:n] for n in range(len(key), SHORTEST - 1, -1)]


def to_days(value: object, unit: object) -> int | None:
    """Days of a maximal length: ``("6", "mo")`` → 186; no valid number or
    unit → None. A number is a whole number of at least 0, given as text or int."""
    if not isinstance(unit, str) or unit not in UNIT_DAYS:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number * UNIT_DAYS[unit] if number >= 0 else None


def match(code: str, keys: Mapping[str, object] | set[str] | frozenset[str]) -> str | None:
    """The first of ``candidates(code)`` that is a key, or None."""
    for key in candidates(code):
        if key in keys:
            return key
    return None


def index(typical_cases: Iterable[TypicalCase]) -> dict[str, tuple[TypicalCase, ...]]:
    """Typical cases by each code they apply to."""
    found: dict[str, list[TypicalCase]] = {}
    for case in typical_cases:
        for code in case.codes:
            found.setdefault(normalise(code), []).append(case)
    return {code: tuple(cases) for code, cases in found.items()}


def longest(cases: Sequence[TypicalCase]) -> TypicalCase | None:
    """The typical case with the largest length (the first of equals), or None."""
    best: TypicalCase | None = None
    for case in cases:
        if case.max_days is not None and (best is None or case.max_days > (best.max_days or 0)):
            best = case
    return best


def recommend_code(code: str, by_code: Mapping[str, Sequence[TypicalCase]]) -> Recommendation:
    """What applies to one code."""
    matched = match(code, by_code)
    if matched is None:
        return Recommendation(code=code, matched_code=None, max_days=None)
    best = longest(by_code[matched])
    return Recommendation(
        code=code,
        matched_code=matched,
        max_days=best.max_days if best else None,
        typical_case_id=best.id if best else None,
    )


def recommend(
    codes: Iterable[str], by_code: Mapping[str, Sequence[TypicalCase]]
) -> Recommendation | None:
    """The recommendation for a certificate's codes (main first): the largest
    length of all their typical cases, with the code it came from. None when
    no code is given; ``max_days`` None when no typical case gives a length."""
    found = [recommend_code(code, by_code) for code in codes if code]
    if not found:
        return None
    best: Recommendation | None = None
    for rec in found:
        if rec.max_days is not None and (best is None or rec.max_days > (best.max_days or 0)):
            best = rec
    if best is not None:
        return best
    return next((rec for rec in found if rec.matched_code is not None), found[0])


def is_over(days: int, max_days: int | None) -> bool:
    """Over the recommendation: strictly more days than the maximal length."""
    return max_days is not None and days > max_days


def share(days: int, max_days: int | None) -> float | None:
    """The case's days as a share of the recommendation (None: no length, or 0 days)."""
    if not max_days:
        return None
    return days / max_days


@dataclass(frozen=True, slots=True)
class Assessment:
    """A case measured against its recommendation (fmb_max_days, fmb_code, over_fmb)."""

    max_days: int
    code: str
    matched_code: str
    days: int
    over: bool

    @property
    def share(self) -> float | None:
        return share(self.days, self.max_days)

    def as_json(self) -> dict[str, object]:
        return {"fmb_max_days": self.max_days, "fmb_code": self.code, "over_fmb": self.over}


NO_ASSESSMENT: dict[str, object] = {"fmb_max_days": None, "fmb_code": None, "over_fmb": False}
"""The JSON of a case without a recommendation."""


def assess(recommendation: Recommendation | None, days: int) -> Assessment | None:
    """The case's days against the recommendation; None when there is no length."""
    if recommendation is None or recommendation.max_days is None:
        return None
    return Assessment(
        max_days=recommendation.max_days,
        code=recommendation.code,
        matched_code=recommendation.matched_code or "",
        days=days,
        over=is_over(days, recommendation.max_days),
    )
