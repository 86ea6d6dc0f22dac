"""The statistics page of the risk model's calibration (kalibrering av
riskmodellen): per quarter or month of the cases' start, and per unit, the
mean predicted probability of more than 90 days against the observed share
of long cases, women and men, among the cases whose outcome is known.

The same scopes, rights and small-number suppression as the other statistics
pages (``web.statistics``): a unit's users see their unit, exactly; analysts
their care providers (exact) and the country (suppressed)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from rehabkoll.certificates.models import Unit
from rehabkoll.lib.formats import percent
from rehabkoll.risk import calibration, service
from rehabkoll.risk.calibration import Cell, Line, Period
from rehabkoll.statistics import charts
from rehabkoll.statistics import query as q
from rehabkoll.statistics.suppression import Mark, display
from rehabkoll.web.deps import AsOf, CurrentUser, SessionDep, check_csrf, render
from rehabkoll.web.errors import BadParameterError
from rehabkoll.web.statistics import From, Text, To, asked, month_param

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

TITLE = "Riskmodellens kalibrering"
DEFAULT_MONTHS = 24
RECENT_MONTHS = 4
"""By default the range ends this many months back: newer cases mostly lack an outcome."""
PREDICTED, OBSERVED = "Förutsagd", "Observerad"


def _defaults(as_of: date, first: str | None, last: str | None) -> tuple[str, str]:
    month = as_of.replace(day=1)
    for _ in range(RECENT_MONTHS):
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    end = month_param("Till", last) if last else month
    start = date(end.year - DEFAULT_MONTHS // 12, end.month, 1)
    return first or f"{q.next_month(start):%Y-%m}", last or f"{end:%Y-%m}"


def _units(session: SessionDep, scope: q.Scope) -> dict[str, str]:
    query = select(Unit.id, Unit.name).order_by(Unit.name)
    if scope.kind is q.ScopeKind.UNIT:
        query = query.where(Unit.id == scope.id)
    elif scope.kind is q.ScopeKind.PROVIDER:
        query = query.where(Unit.care_provider_id == scope.id)
    return {str(i): str(n) for i, n in session.execute(query)}


def _share(value: float | None) -> str:
    return "–" if value is None else percent(100 * value, 1)


def cell_texts(cell: Cell, cutoff: int) -> tuple[str, str, str]:
    """Antal, förutsagd, observerad, as the table shows them."""
    count = display(cell.n, cell.n_mark, cutoff=cutoff)
    if cell.n_mark is not Mark.SHOWN or cell.shown:
        return count, _share(cell.predicted), _share(cell.observed)
    return count, "x", "x"


def _chart(lines: list[Line], caption: str, cutoff: int) -> str:
    import altair as alt

    values: list[dict[str, Any]] = []
    for line in lines:
        for sex, cell in ((charts.WOMEN, line.women), (charts.MEN, line.men)):
            for kind, value in ((PREDICTED, cell.predicted), (OBSERVED, cell.observed)):
                if value is None:
                    continue
                text = (
                    f"{line.key}, {sex.lower()}, {kind.lower()} andel: {_share(value)} "
                    f"({cell.n} sjukfall)"
                )
                values.append(
                    {"x": line.key, "value": 100 * value, "sex": sex, "kind": kind, "tip": text}
                )
    sexes = alt.Scale(domain=[charts.WOMEN, charts.MEN], range=list(charts.COLOURS))
    kinds = [OBSERVED, PREDICTED]
    order = [line.key for line in lines]
    x = alt.X(
        "x:O",
        title="Start",
        sort=order,
        scale=alt.Scale(domain=order),
        axis=alt.Axis(labelAngle=-45, aria=False),
    )
    y = alt.Y(
        "value:Q",
        title="Andel längre än 90 dagar (%)",
        scale=alt.Scale(domain=[0, 100]),
        axis=alt.Axis(aria=False),
    )
    base = alt.Chart({"values": values})
    detail = alt.Detail("series:N")
    line = (
        base.transform_calculate(series="datum.sex + datum.kind")
        .mark_line(strokeWidth=2.5, aria=False)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "sex:N", title="Kön", scale=sexes, legend=alt.Legend(orient="top", aria=False)
            ),
            strokeDash=alt.StrokeDash(
                "kind:N",
                title="Andel",
                scale=alt.Scale(domain=kinds, range=[[1, 0], [6, 4]]),
                legend=alt.Legend(orient="top", aria=False),
            ),
            detail=detail,
        )
    )
    dots = base.mark_point(filled=True, size=60, opacity=1).encode(
        x=x,
        y=y,
        color=alt.Color("sex:N", scale=sexes, legend=None),
        shape=alt.Shape(
            "kind:N", scale=alt.Scale(domain=kinds, range=["circle", "triangle-up"]), legend=None
        ),
        description=alt.Description("tip:N"),
    )
    chart = alt.LayerChart(layer=[line, dots]).properties(width=charts.WIDTH - 200, height=300)
    description = "; ".join(v["tip"] for v in values) or "Inga sjukfall med känt utfall."
    return charts.to_svg(
        chart, chart_id="chart-calibration", title=caption, description=description
    )


@router.get("/statistics/risk-calibration", response_class=HTMLResponse)
def calibration_page(
    request: Request,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    scope: Text = None,
    first: From = None,
    last: To = None,
    period: Text = None,
    unit: Text = None,
) -> Response:
    try:
        chosen = Period(period or Period.QUARTER)
    except ValueError:
        raise BadParameterError("Period", "välj månad eller kvartal") from None
    start, end = _defaults(as_of, first, last)
    page = asked(session, viewer, as_of, scope, start, end, q.Filters())
    query = page.query
    units = _units(session, query.scope)
    if unit and unit not in units:
        raise BadParameterError("Enhet", "välj en av enheterna i listan")
    context: dict[str, Any] = {
        "title": TITLE,
        "nav": "statistics",
        "query": query,
        "typed": {},
        "scopes": page.scopes,
        "scope_name": page.scope_name,
        "filter_options": {},
        "periods": [(p.value, p.label) for p in Period],
        "period": chosen,
        "units": units,
        "unit": unit or "",
        "cells": lambda cell: cell_texts(cell, query.cutoff),
        "error": None,
    }
    provider = query.scope.id if query.scope.kind is q.ScopeKind.PROVIDER else None
    try:
        found = calibration.cases(
            session,
            as_of=as_of,
            first=query.first,
            last=q.month_end(query.last),
            provider=provider,
            unit_ids=[unit]
            if unit
            else (None if query.scope.kind is q.ScopeKind.NATIONAL else units),
        )
    except service.NoModelError:
        return render(request, "statistics/risk_calibration.html", viewer, found=None, **context)
    order = list(dict.fromkeys(chosen.of(m) for m in q.months(query.first, query.last)))
    over_time = calibration.table(
        found.cases,
        lambda c: chosen.of(c.start),
        order=order,
        published=query.published,
        cutoff=query.cutoff,
    )
    by_unit = calibration.table(
        found.cases, lambda c: c.unit_id, published=query.published, cutoff=query.cutoff
    )
    where = units.get(unit, "") if unit else page.scope_name
    caption = (
        f"Förutsagd och observerad andel sjukfall längre än 90 dagar, {where}, "
        f"{order[0]} – {order[-1]}"
    )
    trained = chosen.of(found.trained_as_of)
    return render(
        request,
        "statistics/risk_calibration.html",
        viewer,
        found=found,
        over_time=over_time,
        by_unit=by_unit if len(units) > 1 and not unit else [],
        chart=_chart(over_time, caption, query.cutoff),
        caption=caption,
        where=where,
        trained_period=trained,
        **context,
    )
