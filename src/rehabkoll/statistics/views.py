"""Statistics pages (statistik): every report as a chart with its table, filters,
women beside men with their ratio, the lengths of women's and men's cases per
diagnosis group, CSV and Excel downloads, and a unit's monthly PDF.

Who sees what (docs/statistics.md, rules in ``accounts.access``):
- coordinators, doctors and managers: their current unit (its own
  certificates), exact counts, and its monthly PDF;
- analysts: the care providers of their units (exact: they are the
  providers' own users) and national (always with small-number suppression);
- admins: nothing here (they manage users and read the access log).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from rehabkoll.accounts import access
from rehabkoll.accounts.errors import AccessDeniedError
from rehabkoll.certificates.models import CareProvider, Unit
from rehabkoll.statistics import charts, formats, groups, pdf, reports, service
from rehabkoll.statistics import query as q
from rehabkoll.web.deps import AsOf, CurrentUser, SessionDep, Viewer, check_csrf, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

PAGE_REPORTS = (*reports.REPORTS, "rates", "coordination")
TITLES = {name: spec.title for name, spec in reports.REPORTS.items()} | {
    "rates": reports.OTHER_REPORTS["rates"],
    "coordination": "Patienter med koordineringsinsatser",
}


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


def _query(
    session: SessionDep,
    viewer: Viewer,
    as_of: date,
    scope: str | None,
    first: str | None,
    last: str | None,
    filters: q.Filters,
) -> tuple[q.Query, list[tuple[q.Scope, str]]]:
    allowed = scopes(session, viewer)
    chosen = next((s for s, _ in allowed if str(s) == scope), allowed[0][0])
    default_to = as_of.replace(day=1)
    default_from = date(default_to.year - 1, default_to.month, 1)
    try:
        to_month = q.parse_month(last) if last else default_to
        from_month = q.parse_month(first) if first else date(to_month.year - 1, to_month.month, 1)
        return q.Query(
            chosen, q.next_month(from_month) if not first else from_month, to_month, filters=filters
        ), allowed
    except q.InvalidQueryError:
        return q.Query(chosen, q.next_month(default_from), default_to, filters=filters), allowed


def filters_of(
    diagnosis_group: str | None = None,
    chapter: str | None = None,
    age_group: str | None = None,
    length_group: str | None = None,
) -> q.Filters:
    return q.Filters(
        diagnosis_group or None, chapter or None, age_group or None, length_group or None
    )


FiltersDep = Annotated[q.Filters, Depends(filters_of)]
Text = Annotated[str | None, Query()]


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


def _run(session: SessionDep, name: str, query: q.Query) -> reports.Report:
    if name not in PAGE_REPORTS:
        raise q.InvalidQueryError(f"no report {name!r}")
    return service.run(name, query, session=session)


@router.get("/statistics/report/{name}", response_class=HTMLResponse)
def report_page(
    request: Request,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    name: str,
    filters: FiltersDep,
    scope: Text = None,
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
) -> Response:
    query, allowed = _query(session, viewer, as_of, scope, first, last, filters)
    error = None
    try:
        report = _run(session, name, query)
    except q.InvalidQueryError as err:
        report, error = None, str(err)
    chart = None
    if report is not None:
        if report.grouped:
            chart = charts.bars(
                "chart-report", f"{report.title}, {query.last:%Y-%m}", charts.group_points(report)
            )
        else:
            chart = charts.lines("chart-report", report.title, charts.points(report))
    return render(
        request,
        "statistics/report.html",
        viewer,
        title=TITLES.get(name, "Statistik"),
        nav="statistics",
        report_name=name,
        report=report,
        error=error,
        chart=chart,
        query=query,
        scopes=allowed,
        display=formats.display_cell,
        ratio=formats.ratio,
        filter_options=FILTER_OPTIONS,
        # the scope shown, not one asked for and refused
        query_string=urlencode(
            [(k, v) for k, v in request.query_params.multi_items() if k != "scope"]
            + [("scope", str(query.scope))]
        ),
    )


FILTER_OPTIONS = {
    "diagnosis_group": ("Diagnosgrupp", groups.groups_of(groups.DIAGNOSIS_GROUPS)),
    "age_group": ("Åldersgrupp", groups.groups_of(groups.AGE_BANDS)),
    "length_group": ("Längd", groups.groups_of(groups.LENGTH_BANDS)),
}


@router.get("/statistics/report/{name}/download")
def download(
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    name: str,
    filters: FiltersDep,
    format: Text = "csv",
    scope: Text = None,
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
) -> Response:
    query, _ = _query(session, viewer, as_of, scope, first, last, filters)
    report = _run(session, name, query)
    stem = f"{name}-{query.first:%Y-%m}-{query.last:%Y-%m}"
    if format == "xlsx":
        return Response(
            formats.to_xlsx(report),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
        )
    return Response(
        formats.to_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
    )


@router.get("/statistics/lengths-by-sex", response_class=HTMLResponse)
def lengths_page(
    request: Request,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    filters: FiltersDep,
    scope: Text = None,
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
) -> Response:
    query, allowed = _query(session, viewer, as_of, scope, first, last, filters)
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
            "–" if r.women_mean is None else f"{r.women_mean:.0f} d",
            "–" if r.men_mean is None else f"{r.men_mean:.0f} d",
        )
        for r in rows
    ]
    return render(
        request,
        "statistics/lengths.html",
        viewer,
        title="Sjukfallens längd, kvinnor och män",
        nav="statistics",
        rows=rows,
        label=groups.label,
        chart=charts.bars("chart-lengths", "Medellängd per diagnosgrupp (dagar)", pts),
        query=query,
        scopes=allowed,
        filter_options=FILTER_OPTIONS,
    )


@router.get("/statistics/unit-report.pdf")
def unit_report(
    session: SessionDep, viewer: CurrentUser, as_of: AsOf, month: Text = None
) -> Response:
    if not access.can_view_unit_statistics(viewer.role):
        raise AccessDeniedError("the monthly report is for a unit's own users")
    unit_id = viewer.require_unit()
    first = q.parse_month(month) if month else as_of.replace(day=1)
    body = pdf.unit_month(session, unit_id=unit_id, unit_name=viewer.unit_name, month=first)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="sjukfall-{first:%Y-%m}.pdf"'},
    )
