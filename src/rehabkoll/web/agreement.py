"""The agreement follow-up pages (överenskommelsen), in Swedish: the years'
history, a year's agreement with its regions × conditions matrix, one region's
follow-up (conditions, evidence, decisions, indicators, money), the national
allocation, and their Excel and PDF downloads. The rules of who may do what
are in ``rehabkoll.agreement.access``; the work is the agreement services'."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from rehabkoll.agreement import access, followup, population, reports, service
from rehabkoll.agreement import evidence as evidence_service
from rehabkoll.agreement.allocation_file import describe, to_xlsx
from rehabkoll.agreement.document import AgreementDocument, PartKind
from rehabkoll.agreement.errors import InvalidInputError
from rehabkoll.agreement.indicators import BY_KEY
from rehabkoll.agreement.regions import REGIONS
from rehabkoll.web import agreement_edit
from rehabkoll.web.agreement_charts import hbars
from rehabkoll.web.deps import CurrentUser, SessionDep, Viewer, check_csrf, render
from rehabkoll.web.forms import FormState

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
Text = Annotated[str, Form(max_length=20_000)]
Short = Annotated[str, Form(max_length=200)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _own_region(session: SessionDep, viewer: Viewer) -> str | None:
    return service.region_of(session, user=viewer.user)


def _download(body: bytes, media: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/agreement", response_class=HTMLResponse)
def history(request: Request, session: SessionDep, viewer: CurrentUser) -> Response:
    """Every year's agreement, with what it paid (to the viewer's region, or in all)."""
    access.check_view(viewer.role)
    own = None if access.is_national(viewer.role) else _own_region(session, viewer)
    years = []
    for agreement in reversed(service.get_all(session)):
        result, published, why = followup.allocation_result(session, year=agreement.year)
        paid = None
        if result is not None:
            paid = sum(r.amount for r in result.rows if own is None or r.region == own)
        years.append((agreement, paid, published, why))
    chart_items = [
        (str(a.year), float(p), reports.kronor(p))
        for a, p, _, _ in reversed(years)
        if p is not None
    ]
    return render(
        request, "agreement/history.html", viewer, title="Överenskommelser", nav="agreement",
        years=years, own=own, region_name=REGIONS.get(own or "", ""),
        chart=hbars("history", "Utbetalt per år", chart_items) if chart_items else None,
        kronor=reports.kronor,
    )  # fmt: skip


@router.post("/agreement/import")
async def import_agreement(
    session: SessionDep, viewer: CurrentUser, file: Annotated[UploadFile, File()]
) -> Response:
    """The national coordinator defines a year's agreement by uploading its JSON file."""
    access.check_national(viewer.role)
    body = await file.read(2_000_001)
    if len(body) > 2_000_000:
        raise InvalidInputError("fil: överenskommelsens fil får vara högst 2 MB")
    try:
        document = AgreementDocument.model_validate_json(body)
    except ValidationError as error:
        raise InvalidInputError(describe(error)) from None
    service.import_document(session, document=document, user=viewer.user)
    session.commit()
    return RedirectResponse(f"/agreement/{document.year}?saved=imported", status_code=303)


@router.get("/agreement/{year}", response_class=HTMLResponse)
def year_page(
    request: Request, session: SessionDep, viewer: CurrentUser, year: int, saved: str = ""
) -> Response:
    access.check_view(viewer.role)
    agreement = service.get(session, year=year)
    own = _own_region(session, viewer)
    national = access.is_national(viewer.role)
    regions = list(REGIONS) if national else ([own] if own else [])
    flash = {"imported": "Överenskommelsen är inläst.", "published": "Besluten är publicerade."}
    document = service.document_of(agreement)
    return render(
        request, "agreement/year.html", viewer, title=f"Överenskommelsen {year}", nav="agreement",
        agreement=agreement, document=document, regions=regions, names=REGIONS,
        matrix=followup.matrix(session, year=year, regions=regions),
        national=access.is_national(viewer.role), kinds=PartKind, kronor=reports.kronor,
        drafts=sum(1 for d in service.decisions(session, year=year) if d.published_at is None),
        flash=flash.get(saved, ""),
    )  # fmt: skip


@router.get("/agreement/{year}/region/{region}", response_class=HTMLResponse)
def region_page(
    request: Request, session: SessionDep, viewer: CurrentUser, year: int, region: str,
    saved: str = "",
) -> Response:  # fmt: skip
    access.check_region(viewer.role, _own_region(session, viewer), region)
    return _region(request, session, viewer, year, region, saved=saved)


def _region(
    request: Request, session: SessionDep, viewer: Viewer, year: int, region: str, *,
    saved: str = "", state: FormState | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    view = followup.region_view(session, year=year, region=service.check_region(region))
    charts = {
        key: hbars(
            f"ind-{key.replace('.', '-')}",
            BY_KEY[key].label,
            [
                (v.window, v.all, f"{reports.number(v.all)} {BY_KEY[key].unit}")
                for v in values
                if v.all is not None
            ],
        )
        for key, values in view.indicators.items()
        if any(v.all is not None for v in values)
    }
    flash = {
        "evidence": "Underlaget är inlämnat.",
        "decision": "Beslutet är sparat som förslag; det gäller när det publiceras.",
    }
    return render(
        request, "agreement/region.html", viewer,
        title=f"{REGIONS[region]} – överenskommelsen {year}", nav="agreement",
        view=view, region_name=REGIONS[region], charts=charts, info=BY_KEY,
        national=access.is_national(viewer.role),
        submits=viewer.role == "region_coordinator", kronor=reports.kronor,
        number=reports.number, flash=flash.get(saved, ""), state=state or FormState(),
        status_code=status_code,
    )  # fmt: skip


EVIDENCE_FIELDS = {"text": "text", "länkar": "links", "fil": "file", "underlag": "text"}


@router.post("/agreement/{year}/region/{region}/evidence")
async def submit_evidence(
    request: Request,
    session: SessionDep,
    viewer: CurrentUser,
    year: int,
    region: str,
    condition: Short,
    text: Text = "",
    links: Text = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    access.check_submit(viewer.role, _own_region(session, viewer), region)
    upload = None
    if file is not None and file.filename:
        from rehabkoll.config import get_settings

        limit = get_settings().agreement_max_file_bytes
        content = await file.read(limit + 1)
        upload = evidence_service.Upload(
            file.filename, file.content_type or "application/octet-stream", content
        )
    try:
        evidence_service.submit(
            session, year=year, condition=condition, region=region, text=text, links=links,
            upload=upload, user=viewer.user,
        )  # fmt: skip
    except InvalidInputError as error:
        # The page again with what was typed kept and the problem beside its
        # field (a file cannot be kept by a browser; the message names it).
        session.rollback()
        field = EVIDENCE_FIELDS.get(str(error).partition(": ")[0], "text")
        message = str(error)
        state = FormState.of(f"evidence-{condition}", await request.form(), {field: message})
        return _region(request, session, viewer, year, region, state=state, status_code=422)
    session.commit()
    return RedirectResponse(
        f"/agreement/{year}/region/{region}?saved=evidence#villkor-{condition}", status_code=303
    )


@router.get("/agreement/evidence/{evidence_id}/file")
def evidence_file(session: SessionDep, viewer: CurrentUser, evidence_id: int) -> Response:
    row = evidence_service.get_evidence(session, evidence_id=evidence_id)
    access.check_region(viewer.role, _own_region(session, viewer), row.region)
    if row.content is None:
        raise InvalidInputError("underlaget har ingen fil")
    return _download(
        row.content, row.content_type or "application/octet-stream", row.filename or "fil"
    )


@router.post("/agreement/{year}/region/{region}/decision")
def decide(
    session: SessionDep,
    viewer: CurrentUser,
    year: int,
    region: str,
    condition: Short,
    met: Short,
    reason: Text,
    corrects: Short = "",
) -> Response:
    access.check_national(viewer.role)
    if met not in ("yes", "no"):
        raise InvalidInputError("met: välj uppfyllt eller ej uppfyllt")
    service.decide(
        session, year=year, condition=condition, region=region, met=met == "yes", reason=reason,
        user=viewer.user, corrects_id=int(corrects) if corrects.isdigit() else None,
    )  # fmt: skip
    session.commit()
    return RedirectResponse(
        f"/agreement/{year}/region/{region}?saved=decision#villkor-{condition}", status_code=303
    )


@router.post("/agreement/{year}/publish-decisions")
def publish_decisions(session: SessionDep, viewer: CurrentUser, year: int) -> Response:
    access.check_national(viewer.role)
    service.publish_decisions(session, year=year, user=viewer.user)
    session.commit()
    return RedirectResponse(f"/agreement/{year}?saved=published", status_code=303)


@router.get("/agreement/{year}/allocation", response_class=HTMLResponse)
def allocation_page(
    request: Request, session: SessionDep, viewer: CurrentUser, year: int, saved: str = ""
) -> Response:
    access.check_national(viewer.role)
    agreement = service.get(session, year=year)
    result, published, why = followup.allocation_result(session, year=year)
    titles = followup.payment_titles(agreement)
    totals = reports.region_totals(result) if result else {}
    table: dict[str, dict[str, int]] = {}
    for row in result.rows if result else []:
        table.setdefault(row.region, {})[row.part] = row.amount
    items = [(REGIONS[c], float(t), reports.kronor(t)) for c, t in totals.items()]
    preview = None
    if published:
        try:
            preview = service.allocate(session, year=year)
        except Exception:
            preview = None
    changed = preview is not None and result is not None and preview != result
    figures = population.on(session, agreement.key_date)
    return render(
        request, "agreement/allocation.html", viewer, title=f"Fördelning {year}",
        nav="agreement", agreement=agreement, result=result, published=published, why=why,
        titles=titles, table=table, totals=totals, names=REGIONS, kronor=reports.kronor,
        chart=hbars("allocation", f"Fördelning {year} per region", items) if items else None,
        changed=changed, figures=figures,
        flash="Fördelningen är publicerad." if saved == "published" else "",
    )  # fmt: skip


@router.post("/agreement/{year}/allocation/publish")
def publish_allocation(session: SessionDep, viewer: CurrentUser, year: int) -> Response:
    access.check_national(viewer.role)
    service.publish_allocation(session, year=year, user=viewer.user)
    session.commit()
    return RedirectResponse(f"/agreement/{year}/allocation?saved=published", status_code=303)


@router.get("/agreement/{year}/allocation.{fmt}")
def allocation_download(session: SessionDep, viewer: CurrentUser, year: int, fmt: str) -> Response:
    access.check_national(viewer.role)
    agreement = service.get(session, year=year)
    result, published, why = followup.allocation_result(session, year=year)
    if result is None:
        raise InvalidInputError(why)
    if fmt == "xlsx":
        return _download(to_xlsx(result, REGIONS), XLSX, f"fordelning-{year}.xlsx")
    if fmt == "pdf":
        body = reports.allocation_pdf(result, followup.payment_titles(agreement), published)
        return _download(body, "application/pdf", f"fordelning-{year}.pdf")
    raise InvalidInputError("format: xlsx eller pdf")


@router.get("/agreement/{year}/region/{region}/followup.{fmt}")
def followup_download(
    session: SessionDep, viewer: CurrentUser, year: int, region: str, fmt: str
) -> Response:
    access.check_region(viewer.role, _own_region(session, viewer), region)
    view = followup.region_view(session, year=year, region=service.check_region(region))
    if fmt == "xlsx":
        return _download(reports.followup_xlsx(view), XLSX, f"uppfoljning-{year}-{region}.xlsx")
    if fmt == "pdf":
        return _download(
            reports.followup_pdf(view), "application/pdf", f"uppfoljning-{year}-{region}.pdf"
        )
    raise InvalidInputError("format: xlsx eller pdf")


router.include_router(agreement_edit.router)  # editing an agreement field by field
