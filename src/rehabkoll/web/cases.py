"""The overview (start page), the work list (pågående sjukfall), its settings
and its Excel export."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from rehabkoll.accounts import service as accounts
from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_access
from rehabkoll.cases.engine import MAX_GAP, MAX_RECENT
from rehabkoll.coordination.enums import Status
from rehabkoll.lib import icd10
from rehabkoll.statistics import charts
from rehabkoll.web import export, queries, today, worklist, worklist_forms
from rehabkoll.web.deps import AsOf, CurrentUser, SessionDep, Viewer, check_csrf, render
from rehabkoll.web.forms import Fields, FormState

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

SETTINGS_KEY = "worklist"
CHART_TITLES = {
    "diagnosis": "Diagnosgrupp",
    "degree": "Sjukskrivningsgrad i dag",
    "length": "Längd hittills",
}


def list_settings(viewer: Viewer) -> worklist.ListSettings:
    return worklist.ListSettings.from_dict(viewer.user.settings.get(SETTINGS_KEY))


def save_list_settings(session: SessionDep, viewer: Viewer, value: worklist.ListSettings) -> None:
    settings = {**viewer.user.settings, SETTINGS_KEY: value.as_dict()}
    accounts.save_settings(session, user=viewer.user, settings=settings)
    session.commit()


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep, viewer: CurrentUser, as_of: AsOf) -> Response:
    if not viewer.sees_overview:
        # Analysts start at the statistics, admins at the users.
        return RedirectResponse(viewer.start_page, status_code=303)
    unit_id = viewer.require_unit()
    counts = queries.overview(session, unit_id=unit_id, as_of=as_of)
    chart_svgs = {dim: _overview_chart(dim, values) for dim, values in counts.groups.items()}
    day_counts = (
        today.counts(session, viewer, unit_id=unit_id, as_of=as_of, settings=list_settings(viewer))
        if viewer.sees_patients
        else []
    )
    return render(
        request,
        "overview.html",
        viewer,
        day_counts=day_counts,
        title="Översikt",
        nav="overview",
        counts=counts,
        charts=chart_svgs,
        chart_titles=CHART_TITLES,
        as_of=as_of,
    )


def _overview_chart(dim: str, values: dict[str, tuple[int, int]]) -> Markup:
    """A small bar chart of the overview, women beside men per group."""
    pts = [charts.Point(label, w, m, str(w), str(m)) for label, (w, m) in values.items()]
    chart = charts.bars(pts, x_title="Antal", plot_width=200)
    # SVG that vl-convert drew (it escapes text) from our own numbers and labels
    return Markup(
        charts.to_svg(
            chart,
            chart_id=f"chart-{dim}",
            title=f"{CHART_TITLES[dim]}, kvinnor och män",
            description=charts.describe(pts),
            css_class="chart",
        )
    )


def _rows(
    session: SessionDep, viewer: Viewer, as_of: date, settings: worklist.ListSettings
) -> list[worklist.WorkRow]:
    unit_id = viewer.require_patients()
    return queries.work_rows(
        session,
        unit_id=unit_id,
        as_of=as_of,
        gap=settings.gap,
        recent=settings.recent,
        role=viewer.role,
        hsa_id=viewer.hsa_id,
        ending_days=settings.ending_days,
    )


def _chosen(
    rows: list[worklist.WorkRow],
    settings: worklist.ListSettings,
    *,
    sort: str,
    descending: bool,
    attention: bool,
) -> list[worklist.WorkRow]:
    filters = settings.filters
    if attention:
        filters = worklist.Filters.from_dict({**filters.as_dict(), "attention": True})
    return worklist.apply(
        rows, filters, sort=sort, descending=descending, hide_names=settings.hide_names
    )


@router.get("/cases", response_class=HTMLResponse)
def work_list(
    request: Request,
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    sort: str = "",
    dir: str = "asc",
    view: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    return _work_list_page(
        request, session, viewer, as_of, sort=sort, dir=dir, view=view, page=page
    )


def _work_list_page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    as_of: date,
    *,
    sort: str = "",
    dir: str = "asc",
    view: str = "",
    page: int = 1,
    state: FormState | None = None,
) -> Response:
    """The work list; ``state`` is a posted form shown again with its problems (422)."""
    settings = list_settings(viewer)
    rows = _rows(session, viewer, as_of, settings)
    chosen = _chosen(
        rows, settings, sort=sort, descending=dir == "desc", attention=view == "attention"
    )
    pages = max(1, -(-len(chosen) // settings.per_page))
    page = min(page, pages)
    shown = chosen[(page - 1) * settings.per_page : page * settings.per_page]
    log_access(
        session,
        user=viewer.user,
        role=viewer.role,
        unit_id=viewer.unit_id,
        patient_ids=[r.patient_id for r in shown],
        action=Action.WORKLIST_VIEW,
        purpose=viewer.purpose,
    )
    session.commit()
    attention_count = sum(1 for r in rows if r.attention)
    return render(
        request,
        "worklist.html",
        viewer,
        status_code=422 if state and state.failed(state.form) else 200,
        state=state or FormState(),
        title="Pågående sjukfall",
        nav="cases",
        rows=shown,
        total=len(rows),
        matching=len(chosen),
        page=page,
        pages=pages,
        first_index=(page - 1) * settings.per_page,
        page_sizes=worklist.PAGE_SIZES,
        attention_count=attention_count,
        settings=settings,
        columns=settings.visible_columns(),
        all_columns=[worklist.COLUMN_BY_KEY[k] for k in settings.columns],
        sort=sort,
        dir=dir,
        view=view,
        as_of=as_of,
        doctors=sorted({(r.doctor_id, r.doctor_name) for r in rows}, key=lambda d: d[1]),
        chapters=sorted({icd10.chapter_letter(r.diagnosis) for r in rows}),
        statuses=[label for _, label in Status.choices()],
        max_gap=MAX_GAP,
        max_ending=worklist.MAX_ENDING_DAYS,
        max_recent=MAX_RECENT,
    )


@router.post("/cases/filters")
async def save_filters(
    request: Request, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    """Filters are posted (a personnummer typed as free text must not end up in
    a URL) and kept with the user's settings; bad values → the work list again
    with the form as typed and a message beside each field."""
    viewer.require_patients()
    data = await request.form()
    settings = list_settings(viewer)
    if data.get("clear"):
        settings.filters = worklist.Filters()
    else:
        fields = Fields(data)
        filters = worklist_forms.read_filters(fields)
        if fields.problems:
            state = FormState.of("filters", data, fields.problems)
            return _work_list_page(request, session, viewer, as_of, state=state)
        settings.filters = filters
    save_list_settings(session, viewer, settings)
    return RedirectResponse("/cases", status_code=303)


@router.post("/cases/settings")
async def save_settings(
    request: Request, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    viewer.require_patients()
    data = await request.form()
    settings = list_settings(viewer)
    fields = Fields(data)
    chosen = worklist_forms.read_settings(fields, settings)
    if fields.problems:
        state = FormState.of("settings", data, fields.problems)
        return _work_list_page(request, session, viewer, as_of, state=state)
    settings.gap, settings.recent, settings.hide_names = (
        chosen.gap,
        chosen.recent,
        chosen.hide_names,
    )
    settings.per_page = chosen.per_page
    settings.ending_days = chosen.ending_days
    save_list_settings(session, viewer, settings)
    return RedirectResponse("/cases", status_code=303)


@router.post("/cases/columns")
async def save_columns(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    """Shown columns (checkboxes ``show``) and one move (``move`` = ``key:-1|1``)."""
    viewer.require_patients()
    form = await request.form()
    settings = list_settings(viewer)
    shown = {str(v) for v in form.getlist("show")}
    settings.hidden = [k for k in settings.columns if k not in shown]
    move = str(form.get("move") or "")
    if ":" in move:
        key, _, step = move.partition(":")
        settings.columns = worklist.move_column(
            settings.columns, key, 1 if step == "1" else -1, settings.hidden
        )
    if form.get("reset"):
        settings.columns = list(worklist.DEFAULT_ORDER)
        settings.hidden = list(worklist.DEFAULT_HIDDEN)
    save_list_settings(session, viewer, settings)
    return RedirectResponse("/cases#columns", status_code=303)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/cases/export.xlsx")
def export_excel(
    session: SessionDep,
    viewer: CurrentUser,
    as_of: AsOf,
    sort: str = "",
    dir: str = "asc",
    view: str = "",
) -> Response:
    settings = list_settings(viewer)
    rows = _rows(session, viewer, as_of, settings)
    shown = _chosen(
        rows, settings, sort=sort, descending=dir == "desc", attention=view == "attention"
    )
    columns = settings.visible_columns()
    log_access(
        session,
        user=viewer.user,
        role=viewer.role,
        unit_id=viewer.unit_id,
        patient_ids=[r.patient_id for r in shown],
        action=Action.EXPORT,
        purpose=viewer.purpose,
        detail="Excel: " + ", ".join(c.label for c in columns),
    )
    session.commit()
    content = export.workbook(shown, columns, unit_name=viewer.unit_name, as_of=as_of)
    return Response(
        content,
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="sjukfall-{as_of.isoformat()}.xlsx"'
        },
    )
