"""Statistics pages (statistik): every report as a chart with its table, filters,
women beside men with their ratio, the lengths of women's and men's cases per
diagnosis group, CSV and Excel downloads, and a unit's monthly PDF.

Who sees what (docs/statistics.md, rules in ``accounts.access``):
- coordinators, doctors and managers: their current unit (its own
  certificates), exact counts, and its monthly PDF;
- analysts: the care providers of their units (exact: they are the
  providers' own users) and national (always with small-number suppression);
- admins: nothing here (they manage users and read the access log).

Every parameter is checked here, before the statistics are asked: a bad one
answers 400 with a Swedish message that names it (``BadParameterError``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from rehabkoll.accounts import access
from rehabkoll.accounts.errors import AccessDeniedError
from rehabkoll.certificates.models import CareProvider, Unit
from rehabkoll.statistics import charts, formats, groups, pdf, regions, reports, service
from rehabkoll.statistics import query as q
from rehabkoll.statistics.suppression import Mark, display
from rehabkoll.web.deps import AsOf, CurrentUser, SessionDep, Viewer, check_csrf, render
from rehabkoll.web.errors import BadParameterError, NotFoundError

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

PAGE_REPORTS = (*reports.REPORTS, "rates", "coordination")
TITLES = {name: spec.title for name, spec in reports.REPORTS.items()} | {
    "rates": reports.OTHER_REPORTS["rates"],
    "coordination": "Patienter med koordineringsinsatser",
}
FORMATS = {"csv": "CSV för Excel", "csv-raw": "CSV (maskinläsbar)", "xlsx": "Excel"}
MAX_MONTHS = 240


def is_analyst(viewer: Viewer) -> bool:
    return access.can_view_provider_statistics(viewer.role)


def scopes(session: SessionDep, viewer: Viewer) -> list[tuple[q.Scope, str]]:
    """The scopes the user may choose, with their names."""
    if is_analyst(viewer):
        providers = session.execute(
            select(CareProvider.id, CareProvider.name)
            .join(Unit, Unit.care_provider_id == CareProvider.id)
            .where(Unit.id.in_(viewer.user.unit_ids))
            .distinct()
            .order_by(CareProvider.name)
        ).all()
        return [
            *(
                (q.Scope(q.ScopeKind.PROVIDER, pid), f"Vårdgivare: {name}")
                for pid, name in providers
            ),
            (q.Scope(q.ScopeKind.NATIONAL), "Riket (med röjandeskydd)"),
        ]
    if access.can_view_unit_statistics(viewer.role) and viewer.unit_id:
        return [(q.Scope(q.ScopeKind.UNIT, viewer.unit_id), f"Enhet: {viewer.unit_name}")]
    raise AccessDeniedError("no statistics for this role")


def month_param(field: str, text: str) -> date:
    """``YYYY-MM`` of the field ``field`` (Swedish name), or 400 saying why."""
    try:
        return q.parse_month(text)
    except q.InvalidQueryError:
        cleaned = text.strip()[:20]
        if len(cleaned) == 7 and cleaned[4] == "-" and cleaned.replace("-", "").isdigit():
            raise BadParameterError(
                field, f"månaden {cleaned} finns inte; ange en månad 01–12, t.ex. 2026-03"
            ) from None
        raise BadParameterError(field, "ange en månad som ÅÅÅÅ-MM, t.ex. 2026-03") from None


def _filters(
    diagnosis_group: str | None,
    chapter: str | None,
    age_group: str | None,
    length_group: str | None,
) -> q.Filters:
    for field, value, options in (
        ("Diagnosgrupp", diagnosis_group, groups.DIAGNOSIS_GROUPS),
        ("Åldersgrupp", age_group, groups.AGE_BANDS),
        ("Längd", length_group, groups.LENGTH_BANDS),
    ):
        if value and value not in {g.key for g in groups.groups_of(options)}:
            raise BadParameterError(field, "välj en av grupperna i listan")
    if chapter and groups.chapter_of(chapter) is None:
        raise BadParameterError(
            "Diagnoskapitel",
            "ange ett kapitel som en bokstav (F), romersk siffra (V) eller F00-F99",
        )
    return q.Filters(
        diagnosis_group or None, chapter or None, age_group or None, length_group or None
    )


def filters_of(
    diagnosis_group: str | None = None,
    chapter: str | None = None,
    age_group: str | None = None,
    length_group: str | None = None,
) -> q.Filters:
    return _filters(diagnosis_group, chapter, age_group, length_group)


FiltersDep = Annotated[q.Filters, Depends(filters_of)]
Text = Annotated[str | None, Query()]
From = Annotated[str | None, Query(alias="from")]
To = Annotated[str | None, Query(alias="to")]


@dataclass
class Asked:
    """The query of a page, the scopes to choose from, and what was wrong with
    the months (a reversed range is shown, not silently reset)."""

    query: q.Query
    scopes: list[tuple[q.Scope, str]]
    problem: str = ""

    @property
    def scope_name(self) -> str:
        name = next((n for s, n in self.scopes if s == self.query.scope), str(self.query.scope))
        return name.partition(": ")[2] or name


def asked(
    session: SessionDep,
    viewer: Viewer,
    as_of: date,
    scope: str | None,
    first: str | None,
    last: str | None,
    filters: q.Filters,
) -> Asked:
    """The query of a page; a reversed or too long range raises
    ``BadParameterError`` (the report page shows it above the form)."""
    allowed = scopes(session, viewer)
    # A scope the user may not choose shows their own (the form offers only theirs).
    chosen = next((s for s, _ in allowed if str(s) == scope), allowed[0][0])
    to_month = month_param("Till", last) if last else as_of.replace(day=1)
    if first:
        from_month = month_param("Från", first)
    else:
        from_month = q.next_month(date(to_month.year - 1, to_month.month, 1))
    if from_month > to_month:
        raise BadParameterError(
            "Från",
            f"från-månaden {from_month:%Y-%m} ligger efter till-månaden {to_month:%Y-%m}; "
            "byt plats på dem eller välj om",
        )
    if len(q.months(from_month, to_month)) > MAX_MONTHS:
        raise BadParameterError("Från", f"högst {MAX_MONTHS} månader (20 år) åt gången")
    return Asked(q.Query(chosen, from_month, to_month, filters=filters), allowed)


def _report(session: SessionDep, name: str, query: q.Query) -> reports.Report:
    if name not in PAGE_REPORTS:
        raise NotFoundError(f"Det finns ingen rapport som heter {name[:40]!r}.")
    if name == "doctors" and query.scope.kind is q.ScopeKind.NATIONAL:
        raise BadParameterError(
            "Urval", "sjukfall per läkare visas för en enhet eller en vårdgivare, inte för riket"
        )
    try:
        return service.run(name, query, session=session)
    except service.MissingPopulationError as err:
        raise BadParameterError(
            "Befolkning",
            f"antalet försäkrade saknas för {', '.join(map(str, err.years))}. En administratör "
            "läser in det med kommandot rehabkoll population import FIL.csv (se "
            "docs/statistics.md, avsnittet Befolkning)",
        ) from None


@router.get("/statistics", response_class=HTMLResponse)
def index(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    allowed = scopes(session, viewer)
    return render(
        request,
        "statistics/index.html",
        viewer,
        title="Statistik",
        nav="statistics",
        reports=[(name, TITLES[name]) for name in PAGE_REPORTS],
        scopes=allowed,
        analyst=is_analyst(viewer),
    )


FILTER_OPTIONS = {
    "diagnosis_group": ("Diagnosgrupp", groups.groups_of(groups.DIAGNOSIS_GROUPS)),
    "age_group": ("Åldersgrupp", groups.groups_of(groups.AGE_BANDS)),
    "length_group": ("Längd", groups.groups_of(groups.LENGTH_BANDS)),
}


def current_month(as_of: date, query: q.Query) -> date | None:
    """The month still under way, when the query reaches it."""
    month = as_of.replace(day=1)
    return month if query.first <= month <= query.last else None


def _chart(report: reports.Report, chart_id: str, caption: str, current: date | None) -> str:
    month = None if current is None else f"{current:%Y-%m}"
    if report.name == "rates":
        # Cases and net days per 1,000 differ thirtyfold: the chart shows the cases.
        pts = charts.points(report, group="cases_per_1000")
        chart = charts.lines(pts, y_title="Pågående sjukfall per 1 000 försäkrade", current=month)
    elif report.grouped:
        pts = charts.group_points(report)
        chart = charts.bars(pts, x_title="Antal")
    else:
        pts = charts.points(report)
        chart = charts.lines(pts, y_title="Antal", current=month)
    return charts.to_svg(chart, chart_id=chart_id, title=caption, description=charts.describe(pts))


@router.get("/statistics/report/{name}", response_class=HTMLResponse)
def report_page(
    request: Request,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    name: str,
    filters: FiltersDep,
    scope: Text = None,
    first: From = None,
    last: To = None,
) -> Response:
    if name not in PAGE_REPORTS:
        raise NotFoundError(f"Det finns ingen rapport som heter {name[:40]!r}.")
    page: Asked | None = None
    try:
        page = asked(session, viewer, as_of, scope, first, last, filters)
        report = _report(session, name, page.query)
    except BadParameterError as err:
        # The form stays, with what was typed, and says what is wrong.
        allowed = scopes(session, viewer)
        month = as_of.replace(day=1)
        return render(
            request,
            "statistics/report.html",
            viewer,
            status_code=400,
            title=TITLES[name],
            nav="statistics",
            report_name=name,
            report=None,
            error=err.message,
            query=page.query if page else q.Query(allowed[0][0], month, month, filters=filters),
            typed={} if page else {"from": first or "", "to": last or ""},
            scopes=allowed,
            filter_options=FILTER_OPTIONS,
        )
    query = page.query
    current = current_month(as_of, query)
    shown = query.last if report.grouped else None
    caption = f"{report.title}, {page.scope_name}, " + (
        f"{shown:%Y-%m}" if shown else f"{query.first:%Y-%m} – {query.last:%Y-%m}"
    )
    return render(
        request,
        "statistics/report.html",
        viewer,
        title=TITLES[name],
        nav="statistics",
        report_name=name,
        report=report,
        error=None,
        chart=_chart(report, "chart-report", caption, current),
        caption=caption,
        scope_name=page.scope_name,
        current=current,
        query=query,
        typed={},
        scopes=page.scopes,
        table=formats.web_table(report),
        ratio=formats.ratio,
        filter_options=FILTER_OPTIONS,
        formats=FORMATS,
        # the scope shown, not one asked for and refused
        query_string=urlencode(
            [(k, v) for k, v in request.query_params.multi_items() if k != "scope"]
            + [("scope", str(query.scope))]
        ),
    )


@router.get("/statistics/report/{name}/download")
def download(
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    name: str,
    filters: FiltersDep,
    format: Text = "csv",
    scope: Text = None,
    first: From = None,
    last: To = None,
) -> Response:
    if format not in FORMATS:
        raise BadParameterError("Format", f"välj ett av {', '.join(FORMATS)}")
    query = asked(session, viewer, as_of, scope, first, last, filters).query
    report = _report(session, name, query)
    stem = f"{name}-{query.first:%Y-%m}-{query.last:%Y-%m}"
    if format == "xlsx":
        return Response(
            formats.to_xlsx(report),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
        )
    if format == "csv-raw":
        return Response(
            formats.to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
        )
    return Response(
        formats.to_excel_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{stem}-excel.csv"'},
    )


@router.get("/statistics/lengths-by-sex", response_class=HTMLResponse)
def lengths_page(
    request: Request,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    filters: FiltersDep,
    scope: Text = None,
    first: From = None,
    last: To = None,
) -> Response:
    page = asked(session, viewer, as_of, scope, first, last, filters)
    query = page.query
    con = service.open_periods(query, session=session)
    try:
        rows = service.lengths_by_sex(con, query)
    finally:
        con.close()
    pts = [
        charts.Point(
            groups.label(r.group),
            r.women_mean,
            r.men_mean,
            "–" if r.women_mean is None else f"{formats.decimal(r.women_mean)} d",
            "–" if r.men_mean is None else f"{formats.decimal(r.men_mean)} d",
        )
        for r in rows
    ]
    caption = (
        f"Medellängd per diagnosgrupp (dagar), {page.scope_name}, "
        f"{query.first:%Y-%m} – {query.last:%Y-%m}"
    )
    chart = charts.bars(pts, x_title="Medellängd, dagar")
    return render(
        request,
        "statistics/lengths.html",
        viewer,
        title="Sjukfallens längd, kvinnor och män",
        nav="statistics",
        rows=rows,
        label=groups.label,
        chart=charts.to_svg(
            chart, chart_id="chart-lengths", title=caption, description=charts.describe(pts)
        ),
        caption=caption,
        scope_name=page.scope_name,
        decimal=formats.decimal,
        query=query,
        typed={},
        scopes=page.scopes,
        filter_options=FILTER_OPTIONS,
    )


@router.get("/statistics/unit-report.pdf")
def unit_report(
    session: SessionDep, viewer: CurrentUser, as_of: AsOf, month: Text = None
) -> Response:
    if not access.can_view_unit_statistics(viewer.role):
        raise AccessDeniedError("the monthly report is for a unit's own users")
    unit_id = viewer.require_unit()
    first = month_param("Månad", month) if month else as_of.replace(day=1)
    body = pdf.unit_month(session, unit_id=unit_id, unit_name=viewer.unit_name, month=first)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="sjukfall-{first:%Y-%m}.pdf"'},
    )


@router.get("/statistics/regions", response_class=HTMLResponse)
def regions_page(
    request: Request,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    filters: FiltersDep,
    first: From = None,
    last: To = None,
) -> Response:
    """Per region (län) and the country: cases, net days per 1,000 insured and
    their change from a year before; for analysts, always suppressed."""
    if not is_analyst(viewer):
        raise AccessDeniedError("national statistics are for analysts")
    page = asked(session, viewer, as_of, "national", first, last, filters)
    query = page.query
    rows = regions.run(session, query)
    latest = [r for r in rows if r.month == query.last]
    pts = [
        charts.Point(
            r.name,
            r.net_days_per_1000[0],
            r.net_days_per_1000[1],
            _cell(r.net_days_per_1000[0], r.marks[0], query.cutoff),
            _cell(r.net_days_per_1000[1], r.marks[1], query.cutoff),
        )
        for r in latest
    ]
    caption = f"Nettodagar per 1 000 försäkrade per län, {query.last:%Y-%m}"
    chart = charts.bars(pts, x_title="Nettodagar per 1 000 försäkrade")
    sections = [
        (name, [r for r in rows if r.name == name]) for name in dict.fromkeys(r.name for r in rows)
    ]
    return render(
        request,
        "statistics/regions.html",
        viewer,
        title="Sjukskrivning per län",
        nav="statistics",
        chart=charts.to_svg(
            chart, chart_id="chart-regions", title=caption, description=charts.describe(pts)
        ),
        caption=caption,
        latest=latest,
        sections=sections if len(q.months(query.first, query.last)) > 1 else [],
        cell=_cell,
        signed=_signed,
        current=current_month(as_of, query),
        query=query,
        typed={},
        scopes=[(q.Scope(q.ScopeKind.NATIONAL), "Riket (med röjandeskydd)")],
        filter_options=FILTER_OPTIONS,
    )


def _cell(value: float | int | None, mark: Mark, cutoff: int) -> str:
    """A cell of the regions table: withheld as ``<5`` or ``x``, else Swedish."""
    if mark is not Mark.SHOWN:
        return display(None, mark, cutoff=cutoff)
    return formats.decimal(value)


def _signed(value: float | None) -> str:
    """A change with its sign (+12,5 / −3,0); – when unknown."""
    if value is None:
        return "–"
    text = formats.decimal(abs(value))
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)
