"""FMB in the database: storing a version, the version in force on a day, and
the catalogue (typical cases and diagnosis entries by code) of a version.

Never commits: the command or route that calls it does, so a version's rows
are stored together with it or not at all. A stored version never changes, so
its catalogue is kept in memory once read.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from rehabkoll.fmb import rules
from rehabkoll.fmb.models import FmbDiagnosis, FmbTypicalCase, FmbVersion
from rehabkoll.fmb.reading import FmbData

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SOURCE_NAME = "Socialstyrelsen, FMB"


class SameBuildDifferentDataError(ValueError):
    """A build timestamp already stored with other content."""


class Outcome(StrEnum):
    stored = "stored"
    """A new version, now in force."""
    unchanged = "unchanged"
    """The same build was stored already."""
    stored_older = "stored_older"
    """Stored, but an existing version was built later and stays in force."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    outcome: Outcome
    version_id: int
    built_at: datetime
    typical_cases: int
    diagnoses: int
    with_length: int
    units: dict[str, int]
    """Typical cases per unit of length (d, wk, mo; "" for none)."""


def import_data(session: Session, data: FmbData, *, now: datetime | None = None) -> ImportResult:
    """Store one build of FMB (its version row and all its rows, or nothing)."""
    units: dict[str, int] = {}
    for case in data.typical_cases:
        key = case.max_unit if case.max_days is not None and case.max_unit else ""
        units[key] = units.get(key, 0) + 1
    with_length = sum(1 for c in data.typical_cases if c.max_days is not None)
    digest = data.content_hash
    built_utc = data.built_at.astimezone(UTC)
    existing = session.scalars(select(FmbVersion).where(FmbVersion.built_at == built_utc)).first()

    def result(outcome: Outcome, version_id: int) -> ImportResult:
        return ImportResult(
            outcome=outcome,
            version_id=version_id,
            built_at=data.built_at,
            typical_cases=len(data.typical_cases),
            diagnoses=len(data.diagnoses),
            with_length=with_length,
            units=units,
        )

    if existing is not None:
        if existing.content_hash != digest:
            raise SameBuildDifferentDataError(
                f"a version built {data.built_at.isoformat()} is stored with other content; "
                "the data in force is kept"
            )
        return result(Outcome.unchanged, existing.id)
    newest = session.scalar(select(FmbVersion.built_at).order_by(FmbVersion.built_at.desc()))
    version = FmbVersion(
        built_at=built_utc,
        in_force_from=data.built_at.astimezone(STOCKHOLM).date(),
        version=data.version[:100],
        content_hash=digest,
        source=data.source[:500],
        imported_at=now or datetime.now(),
        typical_cases=len(data.typical_cases),
        diagnoses=len(data.diagnoses),
    )
    session.add(version)
    session.flush()
    session.execute(
        insert(FmbTypicalCase),
        [
            {
                "version_id": version.id,
                "id": c.id,
                "codes": " ".join(c.codes),
                "heading": c.heading,
                "situation": c.situation,
                "recommendation": c.recommendation,
                "max_value": c.max_value,
                "max_unit": c.max_unit,
                "max_days": c.max_days,
            }
            for c in data.typical_cases
        ],
    )
    session.execute(
        insert(FmbDiagnosis),
        [
            {
                "version_id": version.id,
                "id": d.id,
                "codes": " ".join(d.codes),
                "heading": d.heading,
                "guidance": d.guidance,
                "symptoms": d.symptoms,
                "rehabilitation": d.rehabilitation,
                "functional_impairment": d.functional_impairment,
                "activity_limitation": d.activity_limitation,
            }
            for d in data.diagnoses
        ],
    )
    session.flush()
    older = newest is not None and _aware(newest) > built_utc
    return result(Outcome.stored_older if older else Outcome.stored, version.id)


def _aware(moment: datetime) -> datetime:
    """Build times are stored in UTC; SQLite gives them back without a zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class VersionInfo:
    id: int
    built_at: datetime
    in_force_from: date
    version: str
    source: str

    @property
    def label(self) -> str:
        """The version date as the pages show it: 2018-06-05."""
        return self.in_force_from.isoformat()


@dataclass(frozen=True, slots=True)
class DiagnosisInfo:
    id: str
    codes: tuple[str, ...]
    heading: str
    guidance: str
    symptoms: str
    rehabilitation: str
    functional_impairment: str
    activity_limitation: str


@dataclass
class Catalogue:
    """One version's typical cases and diagnosis entries by code."""

    version: VersionInfo
    by_code: dict[str, tuple[rules.TypicalCase, ...]]
    diagnoses_by_code: dict[str, tuple[DiagnosisInfo, ...]]
    _memo: dict[tuple[str, ...], rules.Recommendation | None] = field(default_factory=dict)

    def recommend(self, codes: Iterable[str]) -> rules.Recommendation | None:
        """``rules.recommend`` for these codes, remembered: a work list asks
        for the same few diagnoses many times."""
        key = tuple(codes)
        try:
            return self._memo[key]
        except KeyError:
            found = self._memo[key] = rules.recommend(key, self.by_code)
            return found

    def assess(self, codes: Iterable[str], days: int) -> rules.Assessment | None:
        """A case of ``days`` days whose leading certificate has these codes."""
        return rules.assess(self.recommend(codes), days)

    def typical_cases(self, code: str) -> tuple[str | None, tuple[rules.TypicalCase, ...]]:
        matched = rules.match(code, self.by_code)
        return matched, (self.by_code[matched] if matched else ())

    def diagnoses(self, code: str) -> tuple[str | None, tuple[DiagnosisInfo, ...]]:
        matched = rules.match(code, self.diagnoses_by_code)
        return matched, (self.diagnoses_by_code[matched] if matched else ())


def case_json(found: Catalogue | None, codes: Iterable[str], days: int) -> dict[str, object]:
    """The keys fmb_max_days, fmb_code and over_fmb of a case object."""
    assessment = found.assess(codes, days) if found is not None else None
    return assessment.as_json() if assessment is not None else dict(rules.NO_ASSESSMENT)


def versions(session: Session) -> list[VersionInfo]:
    """Every stored version, newest build first."""
    rows = session.scalars(select(FmbVersion).order_by(FmbVersion.built_at.desc()))
    return [_info(v) for v in rows]


def _info(v: FmbVersion) -> VersionInfo:
    return VersionInfo(v.id, _aware(v.built_at), v.in_force_from, v.version, v.source)


def in_force(session: Session, day: date) -> VersionInfo | None:
    """The version in force on ``day``: the latest build in force from that day or before."""
    version = session.scalars(
        select(FmbVersion)
        .where(FmbVersion.in_force_from <= day)
        .order_by(FmbVersion.built_at.desc())
        .limit(1)
    ).first()
    return _info(version) if version else None


_CACHE: dict[tuple[str, int], Catalogue] = {}
_LOCK = threading.Lock()


def catalogue(session: Session, day: date) -> Catalogue | None:
    """The catalogue of the version in force on ``day`` (None: no FMB imported)."""
    info = in_force(session, day)
    if info is None:
        return None
    bind = session.get_bind()
    database = (bind if isinstance(bind, Engine) else bind.engine).url.render_as_string()
    key = (database, info.id)
    with _LOCK:
        found = _CACHE.get(key)
    if found is not None:
        return found
    cases = [
        rules.TypicalCase(
            id=row.id,
            codes=tuple(row.codes.split()),
            situation=row.situation,
            recommendation=row.recommendation,
            max_days=row.max_days,
            heading=row.heading,
        )
        for row in session.scalars(
            select(FmbTypicalCase)
            .where(FmbTypicalCase.version_id == info.id)
            .order_by(FmbTypicalCase.id)
        )
    ]
    diagnoses: dict[str, list[DiagnosisInfo]] = {}
    for row in session.scalars(
        select(FmbDiagnosis).where(FmbDiagnosis.version_id == info.id).order_by(FmbDiagnosis.id)
    ):
        item = DiagnosisInfo(
            row.id,
            tuple(row.codes.split()),
            row.heading,
            row.guidance,
            row.symptoms,
            row.rehabilitation,
            row.functional_impairment,
            row.activity_limitation,
        )
        for code in item.codes:
            diagnoses.setdefault(code, []).append(item)
    built = Catalogue(
        version=info,
        by_code=rules.index(cases),
        diagnoses_by_code={code: tuple(items) for code, items in diagnoses.items()},
    )
    with _LOCK:
        _CACHE[key] = built
    return built
