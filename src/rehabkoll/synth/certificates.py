"""Certificates for drawn cases: how a case's covered days are split into a
first certificate and extensions, their degrees, units, doctors and signing
times, and the occasional replaced, revoked or test certificate.

One ``random.Random`` per chunk drives these per-certificate draws (fast for
scalars); it is seeded from the chunk's numpy Generator, so the whole run
stays a function of ``--seed``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from rehabkoll.synth import model
from rehabkoll.synth.cases import CODES, SECONDARY_CODES, Cases
from rehabkoll.synth.population import TEST_PATIENTS, Population
from rehabkoll.synth.regions import Region

_T = TypeVar("_T")
MINUTES_PER_DAY = 1440
FIRST_LENGTHS = (7, 7, 10, 14, 14, 14, 14, 21, 21, 28, 28)
EXTENSION_LENGTHS = (14, 14, 21, 28, 28, 28, 30, 35, 42, 42, 56, 56)
FIRST_SIGNING_DELAY = (0, 0, 0, 0, 1, 1, 2, 3)
"""Days after the first certificate's start that it is signed (often the same day)."""
EXTENSION_SIGNED_AHEAD = (0, 1, 2, 3, 3, 5, 7)
"""Days before an extension's start that it is signed."""
_LOWER = {100: (75, 50, 50, 50), 75: (50,), 50: (25, 50), 25: (25,)}
_RAISE = {75: (100,), 50: (100, 75), 25: (50, 100)}
_GROUP_CODES = {g.key: tuple(code for code, _ in g.codes) for g in model.GROUPS}
_CODE_GROUP = {code: g.key for g in model.GROUPS for code, _ in g.codes}


class Draw:
    """Fast scalar draws from a ``random.Random`` (its ``random()`` is the cheap call)."""

    __slots__ = ("u",)

    def __init__(self, rr: random.Random) -> None:
        self.u = rr.random

    def pick(self, options: Sequence[_T]) -> _T:
        return options[int(self.u() * len(options))]

    def between(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``, both included."""
        return low + int(self.u() * (high - low + 1))

    def sample(self, low: int, high: int, count: int) -> list[int]:
        """``count`` distinct whole numbers from ``low`` to ``high``."""
        chosen: set[int] = set()
        while len(chosen) < count:
            chosen.add(self.between(low, high))
        return sorted(chosen)


@dataclass(slots=True)
class Cert:
    """One generated certificate (days and minutes count from 1970-01-01)."""

    id: str
    signed: int
    """Minutes since 1970-01-01, Swedish local time."""
    person: int
    """Index into the chunk's population; -1 - k for test patient k."""
    unit: int
    doctor: int
    code: str
    secondary: tuple[str, ...]
    occupation: tuple[str, ...]
    periods: list[tuple[int, int, int]]
    """(first day, last day, degree)."""
    case: int = -1
    replaces: str | None = None
    test: bool = False
    revoked_at: int | None = None
    effective: bool = True


@dataclass(slots=True)
class Layout:
    """The certificates of one chunk and, per case, how many days they cover."""

    certs: list[Cert] = field(default_factory=list)
    covered: list[int] = field(default_factory=list)


class _CaseRow(NamedTuple):
    """One case as plain Python values (in the order of Cases' fields)."""

    person: int
    start: int
    days: int
    gaps: int
    gap_days: int
    group: int
    code: int
    secondary: int
    occupation: int
    second_occupation: int
    age: int
    moves: bool
    p_over_90: float
    degree: int
    at_clinic: bool
    previous_days: int
    risk_index: float
    unobserved: float


class CertificateMaker:
    """Lays out the certificates of the cases of one chunk."""

    def __init__(
        self,
        *,
        region: Region,
        population: Population,
        end_day: int,
        id_prefix: str,
        rr: random.Random,
    ) -> None:
        self.region = region
        self.population = population
        self.end_day = end_day
        self.id_prefix = id_prefix
        self.rr = Draw(rr)
        self.serial = 0
        self.layout = Layout()
        self.home_units: list[int] = population.home_unit.tolist()
        self.doctor_counts = [len(unit.doctors) for unit in region.units]

    def next_id(self) -> str:
        self.serial += 1
        return f"{self.id_prefix}{self.serial:07d}"

    def make(self, cases: Cases) -> Layout:
        columns = {name: getattr(cases, name).tolist() for name in Cases.__dataclass_fields__}
        rows = zip(*(columns[name] for name in Cases.__dataclass_fields__), strict=True)
        for index, row in enumerate(rows):
            self.layout.covered.append(self._case(index, _CaseRow(*row)))
        self._tests()
        return self.layout

    def _case(self, index: int, case: _CaseRow) -> int:
        """Lay out one case; returns the number of days its issued certificates cover."""
        rr = self.rr
        u = rr.u
        total = case.days
        start = case.start
        group = model.GROUPS[case.group]
        code = CODES[case.code]
        secondary = (SECONDARY_CODES[case.secondary],) if case.secondary >= 0 else ()
        if secondary and secondary[0] == code:
            secondary = ()
        occupation: tuple[str, ...] = (model.OCCUPATIONS[case.occupation],)
        if case.second_occupation >= 0:
            occupation += (model.OCCUPATIONS[case.second_occupation],)
        lengths = self._lengths(total)
        gaps = self._gaps(len(lengths), case.gaps, case.gap_days)
        home = self.home_units[case.person]
        clinic = home
        move_at = len(lengths)
        if case.at_clinic:
            options = self.region.clinics[group.key]
            clinic = options[home % len(options)]
            move_at = 0
        elif case.moves and len(lengths) > 1:
            options = self.region.clinics[group.key]
            clinic = options[home % len(options)]
            move_at = rr.between(1, min(3, len(lengths) - 1))

        degree = case.degree
        day = start
        covered = 0
        signed_day = start
        unit = doctor = -1
        for k, length in enumerate(lengths):
            day += gaps.get(k, 0)
            if k == 0:
                signed_day = start + rr.pick(FIRST_SIGNING_DELAY)
            else:
                signed_day = max(signed_day, day - rr.pick(EXTENSION_SIGNED_AHEAD))
            if signed_day > self.end_day:
                break
            new_unit = clinic if k >= move_at else home
            if new_unit != unit or u() >= model.SAME_DOCTOR_SHARE:
                doctor = int(u() * self.doctor_counts[new_unit])
            unit = new_unit
            if k > 0:
                degree = self._next_degree(degree, day - start, total - covered)
                if group.key == "F" and day - start > 90 and u() < 0.05:
                    code = rr.pick(_GROUP_CODES["F"])
            periods: list[tuple[int, int, int]]
            if k > 0 and length >= 14 and degree > 25 and u() < model.SPLIT_CERTIFICATE_SHARE:
                half = length // 2
                lower = rr.pick(_LOWER[degree])
                periods = [(day, day + half - 1, degree), (day + half, day + length - 1, lower)]
                if lower == degree:
                    # _LOWER may keep 50 %: then it is one period, as FK's form
                    # gives each degree at most once (svar 32).
                    periods = [(day, day + length - 1, degree)]
                degree = lower
            else:
                periods = [(day, day + length - 1, degree)]
            self._issue(
                Cert(
                    id=self.next_id(),
                    signed=signed_day * MINUTES_PER_DAY + rr.between(8 * 60, 17 * 60 - 1),
                    person=case.person,
                    unit=unit,
                    doctor=doctor,
                    code=code,
                    secondary=secondary,
                    occupation=occupation,
                    periods=periods,
                    case=index,
                )
            )
            covered += length
            day += length
        return covered

    def _lengths(self, total: int) -> list[int]:
        pick = self.rr.pick
        lengths = [min(total, pick(FIRST_LENGTHS))]
        left = total - lengths[0]
        while left > 0:
            piece = min(left, pick(EXTENSION_LENGTHS))
            lengths.append(piece)
            left -= piece
        return lengths

    def _gaps(self, count: int, gaps: int, gap_days: int) -> dict[int, int]:
        """Spread ``gap_days`` uncovered days over ``gaps`` of the extensions (1–4 each)."""
        if gaps == 0:
            return {}
        where = self.rr.sample(1, count - 1, gaps)
        sizes = [1] * gaps
        extra = gap_days - gaps
        while extra > 0:
            k = int(self.rr.u() * gaps)
            if sizes[k] < 4:
                sizes[k] += 1
                extra -= 1
        return dict(zip(where, sizes, strict=True))

    def _next_degree(self, degree: int, elapsed: int, remaining: int) -> int:
        rr = self.rr
        if remaining <= model.RETURN_PHASE_DAYS:
            if degree > 25 and rr.u() < model.RETURN_STEP_DOWN_SHARE:
                return rr.pick(_LOWER[degree])  # gradual return to work
            return degree
        if degree < 100 and rr.u() < model.STEP_UP_SHARE:
            return rr.pick(_RAISE[degree])
        if elapsed > 28 and degree > 25 and rr.u() < model.STEP_DOWN_SHARE:
            return rr.pick(_LOWER[degree])
        return degree

    def _issue(self, cert: Cert) -> None:
        """Add a certificate, sometimes with a correction (replacement) or a
        mistaken duplicate that is revoked."""
        rr = self.rr
        certs = self.layout.certs
        end_minute = (self.end_day + 1) * MINUTES_PER_DAY - 1
        if rr.u() < model.REPLACED_SHARE:
            later = cert.signed + rr.between(1, 5) * MINUTES_PER_DAY + rr.between(-120, 120)
            if later > end_minute:
                certs.append(cert)
            elif rr.u() < model.REVOKED_REPLACEMENT_SHARE:
                # The correction was itself a mistake and is revoked: the original counts.
                certs.append(cert)
                wrong = _altered(cert, rr, self.next_id(), later)
                wrong.replaces = cert.id
                revoked = later + rr.between(30, 3 * MINUTES_PER_DAY)
                if revoked <= end_minute:
                    wrong.revoked_at = revoked
                    wrong.effective = False
                    certs.append(wrong)
            else:
                original = _altered(cert, rr, cert.id, cert.signed)
                original.effective = False
                cert.id = self.next_id()
                cert.signed = later
                cert.replaces = original.id
                certs.extend((original, cert))
            return
        certs.append(cert)
        if rr.u() < model.REVOKED_SHARE:
            duplicate = _altered(cert, rr, self.next_id(), cert.signed + rr.between(1, 30))
            revoked = duplicate.signed + rr.between(10, 3 * MINUTES_PER_DAY)
            if revoked <= end_minute:
                duplicate.revoked_at = revoked
                duplicate.effective = False
                certs.append(duplicate)

    def _tests(self) -> None:
        """Test certificates (test: true) on the region's test patients."""
        rr = self.rr
        count = round(len(self.layout.certs) * model.TEST_CERTIFICATES_PER_10000 / 10000)
        first_day = self.end_day - 3 * 365
        for _ in range(count):
            day = rr.between(first_day, self.end_day)
            unit = rr.pick(self.region.primary_care)
            self.layout.certs.append(
                Cert(
                    id=self.next_id(),
                    signed=day * MINUTES_PER_DAY + rr.between(8 * 60, 17 * 60 - 1),
                    person=-1 - rr.between(0, len(TEST_PATIENTS) - 1),
                    unit=unit,
                    doctor=int(rr.u() * self.doctor_counts[unit]),
                    code=rr.pick(("F43.8A", "M54.5", "J06.9")),
                    secondary=(),
                    occupation=("CURRENT_JOB",),
                    periods=[(day, day + rr.pick((7, 14, 28)) - 1, rr.pick((100, 50)))],
                    test=True,
                    effective=False,
                )
            )


def _altered(cert: Cert, rr: Draw, cert_id: str, signed: int) -> Cert:
    """A copy of ``cert`` with one plausible mistake: the degree, the last day or
    the diagnosis differs."""
    periods = list(cert.periods)
    code = cert.code
    choice = rr.between(0, 2)
    first, last, degree = periods[-1]
    if choice == 0:
        # Another degree, never one an earlier period of the certificate has:
        # FK's form gives each degree at most once (svar 32).
        taken = {d for _, _, d in periods}
        periods[-1] = (first, last, next(d for d in (100, 50, 75, 25) if d not in taken))
    elif choice == 1:
        periods[-1] = (first, max(first, last + rr.pick((-7, -3, 3, 7, 14))), degree)
    else:
        siblings = [c for c in _GROUP_CODES[_CODE_GROUP.get(code, "F")] if c != code]
        code = rr.pick(siblings)
    return Cert(
        id=cert_id,
        signed=signed,
        person=cert.person,
        unit=cert.unit,
        doctor=cert.doctor,
        code=code,
        secondary=cert.secondary,
        occupation=cert.occupation,
        periods=periods,
        case=cert.case,
    )
