"""The risk model's admin page (``/admin/risk``): the stored models, and
forms to train a new one and to evaluate one, as ``rehabkoll risk train``
and ``risk evaluate`` do. Both run as background jobs (``web/risk_jobs.py``)
with a status page that refreshes itself; an evaluation's page shows the
report with its plots and offers it as PDF, HTML and JSON.

For the admin only (``access.can_manage_risk_models``). A training or an
evaluation reads the cases of every patient in its scope: the patients are
written to the access log with the model version, in the transaction that
stores the model (a training) or when the report is made (an evaluation)."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from rehabkoll.accounts import access
from rehabkoll.accounts.errors import AccessDeniedError
from rehabkoll.accounts.models import User
from rehabkoll.audit.cli_reads import Reader
from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_event
from rehabkoll.certificates.models import CareProvider
from rehabkoll.risk import evaluation, model, report_pdf, runs, service
from rehabkoll.web.deps import AsOf, CurrentUser, SessionDep, Viewer, check_csrf, render
from rehabkoll.web.errors import NotFoundError
from rehabkoll.web.forms import Fields, FormState
from rehabkoll.web.risk_jobs import BusyError, Job, JobFailedError, Kind, Registry

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

PURPOSE = "Uppföljning och utveckling av beslutsstödet (riskmodellen)"
SEXES = {"F": "Kvinnor", "M": "Män"}
ALL = "all"


def _admin(viewer: Viewer) -> None:
    if not access.can_manage_risk_models(viewer.role):
        raise AccessDeniedError("admins only")


def registry(request: Request) -> Registry:
    state = request.app.state
    if not hasattr(state, "risk_jobs"):
        state.risk_jobs = Registry()
    found: Registry = state.risk_jobs
    return found


def _providers(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(select(CareProvider.id, CareProvider.name).order_by(CareProvider.name))
    return [(ALL, "Hela regionen"), *((str(i), f"{n} ({i})") for i, n in rows)]


def _page(
    request: Request,
    session: Session,
    viewer: Viewer,
    today: date,
    *,
    state: FormState | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    models = runs.stored(session)
    return render(
        request,
        "risk_admin.html",
        viewer,
        status_code=status_code,
        title="Riskmodellen",
        nav="risk_admin",
        models=models,
        providers=_providers(session),
        versions=[("", "Den som gäller"), *((str(m.version), str(m.version)) for m in models)],
        state=state or FormState(),
        today=today,
        running=registry(request).running(),
        jobs=registry(request).recent()[:5],
    )


@router.get("/admin/risk", response_class=HTMLResponse)
def page(request: Request, session: SessionDep, viewer: CurrentUser, as_of: AsOf) -> Response:
    _admin(viewer)
    return _page(request, session, viewer, as_of)


def _busy(job: Job) -> str:
    return (
        f"En {job.kind.label.lower()} pågår redan (startad av {job.username}). "
        "Vänta tills den är klar och försök sedan igen; uppgifterna nedan finns kvar."
    )


@router.post("/admin/risk/train")
async def train(
    request: Request, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    _admin(viewer)
    form = await request.form()
    fields = Fields(form)
    day = fields.day("as_of")
    since = fields.day("since", required=False)
    scope = fields.raw("scope") or ALL
    seed = fields.integer("seed", default=1)
    if day is not None and day > as_of:
        fields.problem("as_of", "Datumet ligger i framtiden: utfallen är inte kända än.")
    if day is not None and since is not None and since >= day:
        fields.problem("since", "Måste vara före datumet då utfallen är kända.")
    if scope not in dict(_providers(session)):
        fields.problem("scope", "Välj ett av alternativen i listan.")
    if not 0 <= seed <= 2**31 - 1:
        fields.problem("seed", "Skriv ett heltal från 0 och uppåt.")
    if fields.problems:
        state = FormState.of("train", form, fields.problems)
        return _page(request, session, viewer, as_of, state=state, status_code=422)
    assert day is not None
    provider = None if scope == ALL else scope
    params = {"as_of": day.isoformat(), "since": since.isoformat() if since else "", "scope": scope}
    work = _training(request.app.state.sessions, viewer.user.id, day, since, provider, seed)
    try:
        job = registry(request).start(Kind.TRAIN, viewer.username, params, work)
    except BusyError as busy:
        state = FormState.of("train", form, {}, _busy(busy.job))
        return _page(request, session, viewer, as_of, state=state, status_code=409)
    return RedirectResponse(f"/admin/risk/jobs/{job.id}", status_code=303)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise JobFailedError("Kontot finns inte längre. Ingenting sparades.")
    return user


TRAINING_LOCK = 17_017
"""PostgreSQL advisory lock held by a training's transaction: one training
at a time across the workers of ``serve --workers N`` (the registry only
sees its own process)."""


def _only_training(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    got = session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": TRAINING_LOCK})
    if not got.scalar_one():
        raise JobFailedError(
            "En träning pågår redan i en annan serverprocess. Ingenting sparades; "
            "försök igen när den är klar."
        )


def _training(
    sessions: sessionmaker[Session],
    user_id: int,
    day: date,
    since: date | None,
    provider: str | None,
    seed: int,
) -> Any:
    def work(job: Job) -> None:
        def stage(name: str) -> None:
            job.stage = name

        with sessions() as session:
            _only_training(session)
            try:
                trained = runs.train(
                    session,
                    as_of=day,
                    seed=seed,
                    provider=provider,
                    since=since,
                    who=Reader(_user(session, user_id), "admin", PURPOSE),
                    progress=stage,
                )
            except model.TooFewCasesError:
                raise JobFailedError(
                    "Ingen modell sparades: för få sjukfall med känt utfall att lära av "
                    f"(minst {model.MIN_CASES} och både korta och långa behövs). "
                    "Välj ett senare datum, ett tidigare startdatum eller hela regionen."
                ) from None
            session.commit()  # the model and its log entry, or neither
        job.version, job.meta = trained.version, trained.meta

    return work


@router.post("/admin/risk/evaluate")
async def evaluate(
    request: Request, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    _admin(viewer)
    form = await request.form()
    fields = Fields(form)
    first = fields.day("from")
    last = fields.day("to")
    known = fields.day("as_of")
    version_text = fields.raw("version").strip()
    versions = {str(m.version) for m in runs.stored(session)}
    if not versions:
        fields.problem("version", "Ingen riskmodell är tränad än: träna en först.")
    elif version_text and version_text not in versions:
        fields.problem("version", "Välj en av de sparade modellversionerna.")
    if first is not None and last is not None and last < first:
        fields.problem("to", "Måste vara samma dag som eller efter från-datumet.")
    if known is not None and known > as_of:
        fields.problem("as_of", "Datumet ligger i framtiden: utfallen är inte kända än.")
    if fields.problems:
        state = FormState.of("evaluate", form, fields.problems)
        return _page(request, session, viewer, as_of, state=state, status_code=422)
    assert first is not None
    assert last is not None
    assert known is not None
    version = int(version_text) if version_text else None
    params = {"from": first.isoformat(), "to": last.isoformat(), "as_of": known.isoformat()}
    work = _evaluation(request.app.state.sessions, viewer.user.id, first, last, known, version)
    try:
        job = registry(request).start(Kind.EVALUATE, viewer.username, params, work)
    except BusyError as busy:
        state = FormState.of("evaluate", form, {}, _busy(busy.job))
        return _page(request, session, viewer, as_of, state=state, status_code=409)
    return RedirectResponse(f"/admin/risk/jobs/{job.id}", status_code=303)


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _evaluation(
    sessions: sessionmaker[Session],
    user_id: int,
    first: date,
    last: date,
    known: date,
    version: int | None,
) -> Any:
    def work(job: Job) -> None:
        def stage(name: str) -> None:
            job.stage = name

        with sessions() as session:
            try:
                done = runs.evaluate(
                    session,
                    first=first,
                    last=last,
                    as_of=known,
                    version=version,
                    who=Reader(_user(session, user_id), "admin", PURPOSE),
                    progress=stage,
                )
            except service.NoModelError:
                raise JobFailedError("Modellversionen finns inte (längre).") from None
            except service.DamagedModelError:
                raise JobFailedError(
                    "Den sparade modellen kan inte läsas: kontrollsumman stämmer inte."
                ) from None
            result = done.result
            plots = {"reliability": _data_url(report_pdf.reliability_png(result))}
            if result["n"]:
                plots["groups"] = _data_url(report_pdf.groups_png(result))
            session.commit()
        job.version, job.result, job.meta = result["model_version"], result, {"plots": plots}

    return work


def _job(request: Request, job_id: str) -> Job:
    job = registry(request).get(job_id)
    if job is None:
        raise NotFoundError("no such job in this server process")
    return job


@router.get("/admin/risk/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, viewer: CurrentUser, job_id: str) -> Response:
    _admin(viewer)
    job = registry(request).get(job_id)
    if job is None:
        return render(
            request,
            "risk_admin_job.html",
            viewer,
            status_code=404,
            title="Körningen finns inte",
            nav="risk_admin",
            job=None,
        )
    result = job.result or {}
    return render(
        request,
        "risk_admin_job.html",
        viewer,
        title=f"{job.kind.label} av riskmodellen",
        nav="risk_admin",
        job=job,
        refresh=job.running,
        result=result,
        rows=_report_rows(result) if result else [],
        plots=job.meta.get("plots", {}),
    )


def _report_rows(result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    rows = [("Alla", result)]
    rows += [(SEXES[s], result["by_sex"][s]) for s in ("F", "M")]
    rows += [(evaluation.group_label(g), f) for g, f in result["by_diagnosis_group"].items()]
    return rows


@router.get("/admin/risk/jobs/{job_id}/report.{kind}")
def report(
    request: Request, session: SessionDep, viewer: CurrentUser, job_id: str, kind: str
) -> Response:
    _admin(viewer)
    job = _job(request, job_id)
    if job.result is None or kind not in ("pdf", "html", "json"):
        raise NotFoundError("no report")
    log_event(
        session,
        user_id=viewer.user.id,
        username=viewer.username,
        role=str(viewer.role),
        action=Action.EXPORT,
        purpose=PURPOSE,
        detail=f"Utvärderingsrapport ({kind.upper()}) för riskmodell version {job.version}, "
        "bara sammanräknade tal",
    )
    session.commit()
    name = f"riskmodell-{job.version}-utvardering-{job.params['from']}-{job.params['to']}.{kind}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if kind == "pdf":
        body = report_pdf.to_pdf(job.result)
        return Response(body, media_type="application/pdf", headers=disposition)
    if kind == "html":
        text = evaluation.to_html(job.result)
        return Response(text, media_type="text/html; charset=utf-8", headers=disposition)
    text = json.dumps(job.result, indent=2, ensure_ascii=False)
    return Response(text, media_type="application/json", headers=disposition)
