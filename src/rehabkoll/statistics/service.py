"""Running a report: its input (the operational database or a Parquet file of
periods), the DuckDB engine, and the reports that need more than case-months
(rates, coordination)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabkoll.certificates.models import Doctor, Unit
from rehabkoll.lib import personnummer
from rehabkoll.statistics import duck, groups, reports
from rehabkoll.statistics.population import Insured, insured
from rehabkoll.statistics.query import InvalidQueryError, Query, ScopeKind, months
from rehabkoll.statistics.reports import Report, ReportSpec, Row
from rehabkoll.statistics.source import periods_table
from rehabkoll.statistics.suppression import exact, protect

RATE_GROUPS = {
    "cases_per_1000": "Pågående sjukfall per 1 000 försäkrade",
    "net_days_per_1000": "Nettodagar per 1 000 försäkrade",
}


class MissingPopulationError(InvalidQueryError):
    """Rates asked for years without an insured population (``population import``)."""

    def __init__(self, scope: str, years: list[int]) -> None:
        super().__init__(
            f"rates: no insured population for {scope} in {', '.join(map(str, years))}; "
            "run `rehabkoll population import FILE.csv`"
        )
        self.years = years


def open_periods(
    query: Query, *, session: Session | None = None, periods: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the query's periods loaded as ``st_periods``."""
    con = duck.connect()
    if periods is not None:
        if not periods.is_file():
            raise InvalidQueryError(f"{periods}: no such file")
        duck.load(con, periods)
    elif session is not None:
        duck.load(con, periods_table(session, query.scope, until=query.window_end))
    else:
        raise InvalidQueryError("give a database or a periods file")
    return con


def run(
    name: str,
    query: Query,
    *,
    session: Session | None = None,
    periods: Path | None = None,
    population: Insured | None = None,
) -> Report:
    """The report ``name`` for ``query``. Rates need ``population`` or a session
    with the population table; coordination needs the session."""
    if name == "coordination":
        if session is None:
            raise InvalidQueryError("coordination: needs the database (--db)")
        return coordination(session, query)
    if name not in reports.REPORT_NAMES:
        raise InvalidQueryError(f"no report {name!r}; one of {', '.join(reports.REPORT_NAMES)}")
    spec = reports.spec_for(name, query) if name != "rates" else None
    con = open_periods(query, session=session, periods=periods)
    try:
        if spec is None:
            years = {m.year for m in months(query.first, query.last)}
            if population is None:
                if session is None:
                    raise InvalidQueryError("rates: needs --population FILE or the database")
                population = insured(session, query.scope, years)
            return rates(con, query, population)
        fmb, source = _fmb_lookup(session, query) if spec.fmb else (None, "")
        report = reports.assemble(reports.count_duck(con, query, spec, fmb=fmb), query, spec)
        if spec.fmb:
            report.title = f"{report.title} ({source})"
    finally:
        con.close()
    if session is not None:
        report.labels = _labels(session, spec)
    return report


def _fmb_lookup(session: Session | None, query: Query) -> tuple[reports.FmbLookup, str]:
    """FMB's recommendation per main diagnosis, by the version in force on the
    query's last day (``rehabkoll.fmb``), and the source to name."""
    from rehabkoll.fmb import service as fmb_service
    from rehabkoll.statistics.query import month_end

    if session is None:
        raise InvalidQueryError("FMB reports need the database (--db), where FMB is imported")
    found = fmb_service.catalogue(session, month_end(query.last))
    if found is None:
        return (lambda _code: None), "ingen FMB-version är importerad"

    def lookup(code: str) -> int | None:
        recommendation = found.recommend([code])
        return recommendation.max_days if recommendation else None

    return lookup, f"källa: {fmb_service.SOURCE_NAME} ({found.version.label})"


def _labels(session: Session, spec: ReportSpec) -> dict[str, str]:
    if spec.name in ("units", "over-fmb-units"):
        return {row[0]: row[1] for row in session.execute(select(Unit.id, Unit.name))}
    if spec.name == "doctors":
        return {row[0]: row[1] for row in session.execute(select(Doctor.id, Doctor.name))}
    return {}


def rates(con: duckdb.DuckDBPyConnection, query: Query, population: Insured) -> Report:
    """Ongoing cases and net days per 1,000 insured, per month, women and men."""
    where, need = reports.filter_sql(query.filters)
    duck.prepare(con, query, need=need | {duck.NET_DAYS})
    sums = {
        (month, "F" if woman else "M"): (int(n), float(net))
        for month, woman, n, net in con.execute(
            f"SELECT month, woman, count(*), sum(net_days) FROM st_case_months WHERE {where} "
            "GROUP BY ALL"
        ).fetchall()
    }
    missing = sorted(
        {m.year for m in months(query.first, query.last)}
        - {y for (y, s), n in population.items() if n > 0}
    )
    if missing:
        raise MissingPopulationError(str(query.scope), missing)
    rows: list[Row] = []
    for month in months(query.first, query.last):
        women, men = sums.get((month, "F"), (0, 0.0)), sums.get((month, "M"), (0, 0.0))
        pop_w, pop_m = population.get((month.year, "F"), 0), population.get((month.year, "M"), 0)
        counts = [(women[0], men[0])]
        grid = (
            protect(counts, cutoff=query.cutoff, total_row=False)
            if query.published
            else exact(1, total_row=False)
        )
        marks = (grid[0][0], grid[0][1], grid[0][2])
        for key, index in (("cases_per_1000", 0), ("net_days_per_1000", 1)):
            w, m = float(women[index]), float(men[index])
            rows.append(
                Row(month, key, _per(w, pop_w), _per(m, pop_m), _per(w + m, pop_w + pop_m), marks)
            )
    return Report("rates", reports.OTHER_REPORTS["rates"], query, rows, True, dict(RATE_GROUPS))


def _per(value: float, insured_count: int) -> float | None:
    return round(value * 1000 / insured_count, 2) if insured_count else None


def coordination(session: Session, query: Query) -> Report:
    """Patients who received coordination measures, per unit and month, women and men."""
    from rehabkoll.coordination.queries import measures_by_month

    unit_ids: list[str] | None
    if query.scope.kind is ScopeKind.UNIT:
        unit_ids = [query.scope.id]
    elif query.scope.kind is ScopeKind.PROVIDER:
        unit_ids = list(
            session.scalars(select(Unit.id).where(Unit.care_provider_id == query.scope.id))
        )
    else:
        unit_ids = None
    counts: reports.Counts = {}
    for unit_id, patient_id, month in measures_by_month(
        session, unit_ids=unit_ids, start=query.first, end=query.window_end
    ):
        cell = counts.setdefault((month, unit_id), [0, 0])
        cell[0 if _sex(patient_id) == "F" else 1] += 1
    spec = ReportSpec("coordination", "Patienter med koordineringsinsatser", "unit_id")
    report = reports.assemble(counts, query, spec)
    report.labels = _labels(session, ReportSpec("units", ""))
    return report


def _sex(patient_id: str) -> str:
    try:
        return personnummer.parse(patient_id).sex.value
    except personnummer.InvalidPersonalNumberError:
        return "M" if patient_id[-2:-1].isdigit() and int(patient_id[-2]) % 2 else "F"


@dataclass(frozen=True, slots=True)
class LengthRow:
    """Case lengths of one diagnosis group, women beside men."""

    group: str
    women: int
    men: int
    women_mean: float | None  # None: too few to show
    men_mean: float | None
    women_median: float | None
    men_median: float | None

    @property
    def ratio(self) -> float | None:
        """Women's mean length over men's."""
        if self.women_mean is None or not self.men_mean:
            return None
        return round(self.women_mean / self.men_mean, 2)


def lengths_by_sex(con: duckdb.DuckDBPyConnection, query: Query) -> list[LengthRow]:
    """Per diagnosis group: the cases of the period, each at its last month in
    it (length so far then, diagnosis of that month), women's and men's mean and
    median length. Under the cutoff a mean is withheld when published."""
    where, need = reports.filter_sql(query.filters)
    duck.prepare(con, query, need=need | {duck.DAYS, duck.LEAD})
    group = groups.code_sql("diagnosis", groups.DIAGNOSIS_GROUPS)
    found = {
        (g, bool(w)): (int(n), float(mean), float(median))
        for g, w, n, mean, median in con.execute(
            f"""
            WITH last AS (
                SELECT arg_max({group}, month) AS g, arg_max(days, month) AS days,
                       any_value(woman) AS woman
                FROM st_case_months WHERE {where} GROUP BY case_id
            )
            SELECT g, woman, count(*), avg(days), median(days) FROM last GROUP BY ALL
            """
        ).fetchall()
    }
    out = []
    for item in groups.groups_of(groups.DIAGNOSIS_GROUPS):
        w = found.get((item.key, True), (0, 0.0, 0.0))
        m = found.get((item.key, False), (0, 0.0, 0.0))

        def shown(stats: tuple[int, float, float], index: int) -> float | None:
            if stats[0] == 0 or (query.published and stats[0] < query.cutoff):
                return None
            return round(stats[index], 1)

        out.append(
            LengthRow(item.key, w[0], m[0], shown(w, 1), shown(m, 1), shown(w, 2), shown(m, 2))
        )
    return out
