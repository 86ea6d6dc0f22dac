"""The reports: what each counts by, computed on DuckDB (``count_duck``) or, for
the property test, from the reference form (``count_reference``); ``assemble``
turns the counts into a table of rows with small-number suppression.

Every report counts case-months: a case in each month one of its periods
covers (docs/statistics.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from rehabkoll.statistics import duck, groups
from rehabkoll.statistics.groups import Group
from rehabkoll.statistics.query import Filters, InvalidQueryError, Query, ScopeKind, months
from rehabkoll.statistics.reference import CaseMonth
from rehabkoll.statistics.suppression import Mark, exact, protect

if TYPE_CHECKING:
    import duckdb

TOTAL = "total"
LEAD = frozenset({duck.LEAD})
LONG_CASE_DAYS = 90

Counts = dict[tuple[date, str | None], list[int]]  # (month, group) → [women, men]
FmbLookup = Callable[[str], int | None]
"""FMB's recommended maximal days for a main diagnosis (None: none)."""


@dataclass(frozen=True, slots=True)
class ReportSpec:
    """One report: its SQL group expression over ``st_case_months`` and the same
    grouping in Python over ``CaseMonth``; None for reports without groups."""

    name: str
    title: str
    group_sql: str | None = None
    group_py: Callable[[CaseMonth], str] | None = None
    fixed: tuple[Group, ...] = ()  # every group shown, even at zero
    need: frozenset[str] = frozenset()
    where_sql: str = "TRUE"
    where_py: Callable[[CaseMonth], bool] = lambda _: True
    not_national: bool = False  # per unit or provider only (doctors are not published)
    fmb: bool = False
    """Counts only case-months whose days so far exceed FMB's recommendation
    for the lead certificate's main diagnosis (``count_duck``'s ``fmb``)."""

    @property
    def grouped(self) -> bool:
        return self.group_sql is not None


def _band_py(attr: str, bands: tuple[groups.Band, ...]) -> Callable[[CaseMonth], str]:
    def classify(row: CaseMonth) -> str:
        group = groups.classify_band(int(getattr(row, attr)), bands)
        return group.key if group else groups.OTHER.key

    return classify


def _banded(name: str, title: str, attr: str, bands: tuple[groups.Band, ...]) -> ReportSpec:
    need = {attr} & {duck.DAYS, duck.CERTIFICATES} | ({duck.LEAD} if attr == "degree" else set())
    return ReportSpec(
        name,
        title,
        groups.band_sql(attr, bands),
        _band_py(attr, bands),
        tuple(groups.groups_of(bands)),
        frozenset(need),
    )


FMB_TITLE = "Sjukfall över FMB:s rekommendation"
FMB_NEED = frozenset({duck.LEAD, duck.DAYS})

REPORTS: dict[str, ReportSpec] = {
    spec.name: spec
    for spec in (
        ReportSpec("cases-per-month", "Pågående sjukfall per månad"),
        ReportSpec(
            "diagnosis-groups",
            "Sjukfall per diagnosgrupp",
            groups.code_sql("diagnosis", groups.DIAGNOSIS_GROUPS),
            lambda r: groups.classify_code(r.diagnosis, groups.DIAGNOSIS_GROUPS).key,
            tuple(groups.groups_of(groups.DIAGNOSIS_GROUPS)),
            LEAD,
        ),
        ReportSpec(
            "diagnosis-chapters",
            "Sjukfall per diagnoskapitel",
            groups.code_sql("diagnosis", groups.CHAPTERS),
            lambda r: groups.classify_code(r.diagnosis, groups.CHAPTERS).key,
            tuple(groups.groups_of(groups.CHAPTERS)),
            LEAD,
        ),
        _banded("age-groups", "Sjukfall per åldersgrupp", "age", groups.AGE_BANDS),
        _banded("lengths", "Sjukfall per sjukskrivningslängd", "days", groups.LENGTH_BANDS),
        _banded("degrees", "Sjukfall per sjukskrivningsgrad", "degree", groups.DEGREE_BANDS),
        ReportSpec("units", "Sjukfall per vårdenhet", "unit_id", lambda r: r.unit_id, need=LEAD),
        ReportSpec(
            "doctors",
            "Sjukfall per läkare",
            "doctor_id",
            lambda r: r.doctor_id,
            need=LEAD,
            not_national=True,
        ),
        _banded(
            "certificates-per-case",
            "Antal intyg per sjukfall",
            "certificates",
            groups.CERTIFICATE_BANDS,
        ),
        ReportSpec("over-fmb", FMB_TITLE, need=FMB_NEED, fmb=True),
        ReportSpec(
            "over-fmb-chapters",
            f"{FMB_TITLE} per diagnoskapitel",
            groups.code_sql("diagnosis", groups.CHAPTERS),
            lambda r: groups.classify_code(r.diagnosis, groups.CHAPTERS).key,
            tuple(groups.groups_of(groups.CHAPTERS)),
            FMB_NEED,
            fmb=True,
        ),
        ReportSpec(
            "over-fmb-units",
            f"{FMB_TITLE} per vårdenhet",
            "unit_id",
            lambda r: r.unit_id,
            need=FMB_NEED,
            fmb=True,
        ),
        ReportSpec(
            "long-cases",
            f"Långa sjukfall (över {LONG_CASE_DAYS} dagar)",
            need=frozenset({duck.DAYS}),
            where_sql=f"days > {LONG_CASE_DAYS}",
            where_py=lambda r: r.days > LONG_CASE_DAYS,
        ),
    )
}
OTHER_REPORTS = {"rates": "Sjukfall och nettodagar per 1 000 försäkrade", "coordination": ""}
REPORT_NAMES = (*REPORTS, "rates", "coordination")


def spec_for(name: str, query: Query) -> ReportSpec:
    """The report's spec, drilled down to three-character categories when the
    chapters report is asked about one chapter."""
    try:
        spec = REPORTS[name]
    except KeyError:
        raise InvalidQueryError(f"no report {name!r}; one of {', '.join(REPORT_NAMES)}") from None
    if spec.not_national and query.scope.kind is ScopeKind.NATIONAL:
        raise InvalidQueryError(f"{name}: only for a unit or a care provider, not national")
    if name == "diagnosis-chapters" and query.filters.chapter:
        return ReportSpec(
            name,
            f"Sjukfall per diagnoskategori, {_chapter(query.filters.chapter).group.label}",
            "upper(substr(diagnosis, 1, 3))",
            lambda r: r.diagnosis[:3].upper(),
            need=LEAD,
        )
    return spec


def _chapter(text: str) -> groups.CodeRange:
    chapter = groups.chapter_of(text)
    if chapter is None:
        raise InvalidQueryError(f"chapter {text!r}: give a letter (F), V or F00-F99")
    return chapter


def filter_sql(filters: Filters) -> tuple[str, frozenset[str]]:
    """The WHERE of the web filters, and the facts they need."""
    parts, need = ["TRUE"], set()
    if filters.diagnosis_group or filters.chapter:
        need.add(duck.LEAD)
    if filters.diagnosis_group:
        parts.append(
            f"{groups.code_sql('diagnosis', groups.DIAGNOSIS_GROUPS)} = "
            f"'{_key(filters.diagnosis_group)}'"
        )
    if filters.chapter:
        chapter = _chapter(filters.chapter)
        parts.append(
            f"upper(substr(diagnosis, 1, 3)) BETWEEN '{chapter.first}' AND '{chapter.last}'"
        )
    if filters.age_group:
        parts.append(f"{groups.band_sql('age', groups.AGE_BANDS)} = '{_key(filters.age_group)}'")
    if filters.length_group:
        parts.append(
            f"{groups.band_sql('days', groups.LENGTH_BANDS)} = '{_key(filters.length_group)}'"
        )
        need.add(duck.DAYS)
    return " AND ".join(parts), frozenset(need)


def filter_py(filters: Filters) -> Callable[[CaseMonth], bool]:
    def keep(r: CaseMonth) -> bool:
        if filters.diagnosis_group and (
            groups.classify_code(r.diagnosis, groups.DIAGNOSIS_GROUPS).key
            != filters.diagnosis_group
        ):
            return False
        if filters.chapter:
            chapter = _chapter(filters.chapter)
            if not chapter.first <= r.diagnosis[:3].upper() <= chapter.last:
                return False
        if filters.age_group and _band_py("age", groups.AGE_BANDS)(r) != filters.age_group:
            return False
        return not (
            filters.length_group
            and _band_py("days", groups.LENGTH_BANDS)(r) != filters.length_group
        )

    return keep


def _key(text: str) -> str:
    """A group key safe to put in SQL (keys are letters, digits and dashes)."""
    if not all(ch.isalnum() or ch in "-_" for ch in text):
        raise InvalidQueryError(f"no such group {text!r}")
    return text


def count_duck(
    con: duckdb.DuckDBPyConnection,
    query: Query,
    spec: ReportSpec,
    *,
    fmb: FmbLookup | None = None,
) -> Counts:
    """The report's counts per month, group and sex (after ``duck.load``). An
    FMB report looks each main diagnosis up once with ``fmb`` (none: no case
    is over)."""
    where, filter_need = filter_sql(query.filters)
    duck.prepare(con, query, need=spec.need | filter_need)
    group = spec.group_sql or "NULL"
    spec_where = spec.where_sql
    if spec.fmb:
        _fmb_table(con, fmb)
        spec_where = (
            f"({spec_where}) AND days > "
            "(SELECT f.max_days FROM st_fmb f WHERE f.diagnosis = st_case_months.diagnosis)"
        )
    rows = con.execute(
        f"""
        SELECT month, {group} AS g, count(*) FILTER (WHERE woman),
               count(*) FILTER (WHERE NOT woman)
        FROM st_case_months WHERE ({spec_where}) AND ({where})
        GROUP BY ALL
        """
    ).fetchall()
    return {(month, g): [int(w), int(m)] for month, g, w, m in rows}


def _fmb_table(con: duckdb.DuckDBPyConnection, fmb: FmbLookup | None) -> None:
    """``st_fmb(diagnosis, max_days)`` for the main diagnoses of the case-months:
    the rule runs in Python (``rehabkoll.fmb.rules``), once per distinct code."""
    codes = [
        row[0] for row in con.execute("SELECT DISTINCT diagnosis FROM st_case_months").fetchall()
    ]
    found = [(c, fmb(c)) for c in codes if c is not None] if fmb else []
    con.execute("CREATE OR REPLACE TEMP TABLE st_fmb (diagnosis VARCHAR, max_days INTEGER)")
    known = [(code, days) for code, days in found if days is not None]
    if known:
        con.executemany("INSERT INTO st_fmb VALUES (?, ?)", known)


def over_fmb(row: CaseMonth, fmb: FmbLookup | None) -> bool:
    """The case-month's days so far exceed FMB's recommendation for its main diagnosis."""
    limit = fmb(row.diagnosis) if fmb else None
    return limit is not None and row.days > limit


def count_reference(
    rows: Iterable[CaseMonth],
    query: Query,
    spec: ReportSpec,
    *,
    fmb: FmbLookup | None = None,
) -> Counts:
    """The same counts from reference case-months."""
    keep = filter_py(query.filters)
    counts: Counts = {}
    for row in rows:
        if not (spec.where_py(row) and keep(row)):
            continue
        if spec.fmb and not over_fmb(row, fmb):
            continue
        key = (row.month, spec.group_py(row) if spec.group_py else None)
        cell = counts.setdefault(key, [0, 0])
        cell[0 if row.sex == "F" else 1] += 1
    return counts


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a report: a month, maybe a group, women, men and total."""

    month: date
    group: str | None
    women: float | None
    men: float | None
    total: float | None
    marks: tuple[Mark, Mark, Mark] = (Mark.SHOWN, Mark.SHOWN, Mark.SHOWN)

    @property
    def suppressed(self) -> bool:
        return any(mark is not Mark.SHOWN for mark in self.marks)

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {"month": self.month.strftime("%Y-%m")}
        if self.group is not None:
            data["group"] = self.group
        for name, value, mark in zip(
            ("women", "men", "total"), (self.women, self.men, self.total), self.marks, strict=True
        ):
            data[name] = None if mark is not Mark.SHOWN else value
        data["suppressed"] = self.suppressed
        return data


@dataclass
class Report:
    """A report's table: its rows and how to read them."""

    name: str
    title: str
    query: Query
    rows: list[Row]
    grouped: bool
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, key: str | None) -> str:
        if key is None:
            return ""
        if key == TOTAL:
            return "Totalt"
        return self.labels.get(key) or groups.label(key)


def assemble(counts: Counts, query: Query, spec: ReportSpec) -> Report:
    """Rows for every month of the query (and every group seen or fixed), with
    a total row per month for grouped reports, suppressed when published."""
    keys: list[str | None]
    if not spec.grouped:
        keys = [None]
    else:
        seen = {g for _, g in counts if g is not None}
        fixed = [g.key for g in spec.fixed]
        keys = [*fixed, *sorted(seen - set(fixed))]
    rows: list[Row] = []
    for month in months(query.first, query.last):
        cells = [tuple(counts.get((month, key), [0, 0])) for key in keys]
        pairs = [(int(c[0]), int(c[1])) for c in cells]
        if query.published:
            marks = protect(pairs, cutoff=query.cutoff, total_row=spec.grouped)
        else:
            marks = exact(len(pairs), total_row=spec.grouped)
        all_keys: list[str | None] = [*keys, TOTAL] if spec.grouped else keys
        if spec.grouped:
            pairs.append((sum(p[0] for p in pairs), sum(p[1] for p in pairs)))
        for key, (w, m), mark in zip(all_keys, pairs, marks, strict=True):
            rows.append(Row(month, key, w, m, w + m, (mark[0], mark[1], mark[2])))
    return Report(spec.name, spec.title, query, rows, spec.grouped)
