"""National statistics per region (län): ongoing cases per month, net days per
1,000 insured (like Försäkringskassan's sjukpenningtal, but per month and from
the certificates) and its change from the same month a year before, per region
(care provider) and for the country, women and men.

Always published, so always with small-number suppression: the case counts of
the regions of a month are protected as one table (the country is its total
row), and a rate is withheld where its case count is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
from sqlalchemy.orm import Session

from rehabkoll.statistics import duck, reports
from rehabkoll.statistics.query import Query, Scope, ScopeKind, months
from rehabkoll.statistics.suppression import Mark, protect

COUNTRY = ""  # the provider id of the country's row
Insured = dict[tuple[str, int, str], int]  # (provider id, year, sex) → insured


@dataclass(frozen=True, slots=True)
class RegionRow:
    """One region (or the country) in one month: women, men, total."""

    month: date
    provider_id: str  # COUNTRY for the whole country
    name: str
    cases: tuple[int, int, int]
    marks: tuple[Mark, Mark, Mark]
    net_days_per_1000: tuple[float | None, float | None, float | None]
    change: tuple[float | None, float | None, float | None]

    @property
    def country(self) -> bool:
        return self.provider_id == COUNTRY


def year_before(month: date) -> date:
    return date(month.year - 1, month.month, 1)


def by_region(
    con: duckdb.DuckDBPyConnection, query: Query, insured: Insured, names: dict[str, str]
) -> list[RegionRow]:
    """Rows for every month of ``query`` and every region of ``names`` (after
    ``duck.load`` of every provider's periods), each month ending with the country."""
    wide = Query(
        Scope(ScopeKind.NATIONAL),
        year_before(query.first),
        query.last,
        gap=query.gap,
        filters=query.filters,
        cutoff=query.cutoff,
    )
    where, need = reports.filter_sql(query.filters)
    duck.prepare(con, wide, need=need | {duck.NET_DAYS})
    sums: dict[tuple[date, str, bool], tuple[int, float]] = {
        (month, provider, bool(woman)): (int(n), float(net))
        for month, provider, woman, n, net in con.execute(
            f"""
            WITH cp AS (
                SELECT DISTINCT k.case_id, p.care_provider_id
                FROM st_cert_case k JOIN st_periods p USING (certificate_id)
            )
            SELECT m.month, cp.care_provider_id, m.woman, count(*), sum(m.net_days)
            FROM st_case_months m JOIN cp USING (case_id) WHERE {where}
            GROUP BY ALL
            """
        ).fetchall()
    }
    providers = sorted(names, key=lambda p: names[p])
    table: dict[tuple[date, str], RegionRow] = {}
    for month in months(wide.first, wide.last):
        pairs = [
            (sums.get((month, p, True), (0, 0.0))[0], sums.get((month, p, False), (0, 0.0))[0])
            for p in providers
        ]
        grid = protect(pairs, cutoff=query.cutoff, total_row=True)  # the last: the country
        pairs.append((sum(w for w, _ in pairs), sum(m for _, m in pairs)))
        for provider, (w, m), mark in zip([*providers, COUNTRY], pairs, grid, strict=True):
            marks = (mark[0], mark[1], mark[2])
            table[(month, provider)] = RegionRow(
                month,
                provider,
                names.get(provider, "Riket"),
                (w, m, w + m),
                marks,
                _rates(sums, insured, month, provider, providers, marks),
                (None, None, None),
            )
    out: list[RegionRow] = []
    for month in months(query.first, query.last):
        for provider in [*providers, COUNTRY]:
            row = table[(month, provider)]
            before = table[(year_before(month), provider)].net_days_per_1000
            change = tuple(
                None if now is None or then is None else round(now - then, 1)
                for now, then in zip(row.net_days_per_1000, before, strict=True)
            )
            out.append(
                RegionRow(
                    row.month,
                    row.provider_id,
                    row.name,
                    row.cases,
                    row.marks,
                    row.net_days_per_1000,
                    (change[0], change[1], change[2]),
                )
            )
    return out


def _rates(
    sums: dict[tuple[date, str, bool], tuple[int, float]],
    insured: Insured,
    month: date,
    provider: str,
    providers: list[str],
    marks: tuple[Mark, Mark, Mark],
) -> tuple[float | None, float | None, float | None]:
    """Net days per 1,000 insured, withheld where the case count is."""
    chosen = providers if provider == COUNTRY else [provider]

    def net(woman: bool) -> float:
        return sum(sums.get((month, p, woman), (0, 0.0))[1] for p in chosen)

    def people(sex: str) -> int:
        return sum(insured.get((p, month.year, sex), 0) for p in chosen)

    values = (
        (net(True), people("F")),
        (net(False), people("M")),
        (net(True) + net(False), people("F") + people("M")),
    )
    return tuple(  # type: ignore[return-value]
        round(days * 1000 / n, 1) if n and mark is Mark.SHOWN else None
        for (days, n), mark in zip(values, marks, strict=True)
    )


def run(session: Session, query: Query) -> list[RegionRow]:
    """``by_region`` on the database: every care provider of the register, its
    insured from the population table (provider rows)."""
    from sqlalchemy import select

    from rehabkoll.certificates.models import CareProvider
    from rehabkoll.statistics.models import Population
    from rehabkoll.statistics.service import open_periods

    names = {str(i): str(n) for i, n in session.execute(select(CareProvider.id, CareProvider.name))}
    years = sorted({m.year for m in months(year_before(query.first), query.last)})
    insured: Insured = {}
    for provider, year, sex, count in session.execute(
        select(Population.provider_id, Population.year, Population.sex, Population.insured).where(
            Population.provider_id.in_(list(names)), Population.year.in_(years)
        )
    ):
        key = (str(provider), int(year), str(sex))
        insured[key] = insured.get(key, 0) + int(count)
    national = Query(Scope(ScopeKind.NATIONAL), year_before(query.first), query.last, gap=query.gap)
    con = open_periods(national, session=session)
    try:
        return by_region(con, query, insured, names)
    finally:
        con.close()
