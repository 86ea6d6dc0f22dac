"""The risk model's admin page (/admin/risk): train and evaluate from the web
as ``risk train`` and ``risk evaluate`` do, in a background job with a status
page; on SQLite and PostgreSQL, on the small region of tests/test_risk_cli.py
(400 cases from 2022-01-01, one every other day)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from typer.testing import CliRunner

from rehabkoll.audit.models import AccessLog
from rehabkoll.cli import app
from rehabkoll.db.session import session_scope
from rehabkoll.risk import runs, service
from rehabkoll.risk.models import StoredRiskModel
from rehabkoll.web import risk_admin
from rehabkoll.web.risk_jobs import Job, JobFailedError, Kind, Registry
from tests.audit_helpers import reads
from tests.risk_helpers import store_model
from tests.test_risk_cli import _region
from tests.web.conftest import Data, Login, csrf_of

pytestmark = pytest.mark.postgres
runner = CliRunner()

TRAIN = {"as_of": "2023-01-01", "since": "", "scope": "all", "seed": "3"}
# The CLI test's period: cases of i = 183..214, 32 of them with a known outcome.
EVALUATE = {"from": "2023-01-02", "to": "2023-03-06", "as_of": "2024-06-01", "version": ""}


@pytest.fixture
def region(tmp_path: Path, db_url: str, data: Data) -> str:
    imported = runner.invoke(app, ["import", str(_region(tmp_path / "r.jsonl")), "--db", db_url])
    assert imported.exit_code == 0, imported.output
    return db_url


def _post(client: TestClient, path: str, form: dict[str, str]) -> Any:
    token = csrf_of(client.get("/admin/risk").text)
    return client.post(path, data={**form, "csrf_token": token})


def _finish(client: TestClient, answer: Any) -> str:
    """Follow a started job to its end; the status page's URL."""
    assert answer.status_code == 303, answer.text
    url = answer.headers["location"]
    jobs: Registry = client.app.state.risk_jobs  # type: ignore[attr-defined]
    job = jobs.wait(url.rsplit("/", 1)[1], timeout=120)
    assert job is not None
    assert not job.running
    return str(url)


def _versions(engine: Engine) -> list[int]:
    with session_scope(engine) as session:
        return list(session.scalars(select(StoredRiskModel.version)))


@pytest.mark.parametrize("username", ["koord", "lakare", "chef", "analytiker"])
def test_only_the_admin_manages_the_model(as_user: Login, username: str, engine: Engine) -> None:
    client = as_user(username)
    assert client.get("/admin/risk").status_code == 403
    token = csrf_of(client.get("/account/password").text)
    for path, form in (("/admin/risk/train", TRAIN), ("/admin/risk/evaluate", EVALUATE)):
        assert client.post(path, data={**form, "csrf_token": token}).status_code == 403
    assert _versions(engine) == []


def test_a_form_without_the_csrf_token_is_refused(as_user: Login, engine: Engine) -> None:
    client = as_user("admin")
    assert client.post("/admin/risk/train", data=TRAIN).status_code == 403
    assert _versions(engine) == []


def test_train_then_the_new_version_is_in_force_and_logged(
    as_user: Login, region: str, engine: Engine
) -> None:
    client = as_user("admin")
    page = client.get("/admin/risk")
    assert page.status_code == 200
    assert "Ingen riskmodell är tränad än" in page.text
    assert 'href="/admin/risk"' in page.text  # in the admin's navigation
    url = _finish(client, _post(client, "/admin/risk/train", TRAIN))
    status = client.get(url)
    assert "Modellversion 1 är sparad och gäller" in status.text
    assert 'http-equiv="refresh"' not in status.text  # finished: no more refreshing
    assert _versions(engine) == [1]
    listed = client.get("/admin/risk").text
    assert "Gäller" in listed
    assert "scikit-learn" in listed
    # A second model: version 2 is the one in force, listed first.
    _finish(client, _post(client, "/admin/risk/train", {**TRAIN, "seed": "4"}))
    with session_scope(engine) as session:
        assert service.in_force(session).version == 2
        rows = runs.stored(session)
        entries = [e for e, _ in reads(session, AccessLog.action == "risk_train")]
    assert [r.version for r in rows] == [2, 1]
    assert rows[0].seed == 4
    # Each training is one entry naming the patients it read (the region's,
    # not the web seed's patients, whose cases start long after 2023-01-01).
    assert len({e.id for e in entries}) == 2
    assert entries[0].username == "admin"
    assert "version 1" in entries[0].detail


def test_evaluate_shows_the_figures_the_plot_and_offers_the_pdf(
    as_user: Login, region: str, engine: Engine
) -> None:
    client = as_user("admin")
    _finish(client, _post(client, "/admin/risk/train", TRAIN))
    url = _finish(client, _post(client, "/admin/risk/evaluate", EVALUATE))
    page = client.get(url).text
    assert "Måtten, med antalet sjukfall bakom varje" in page
    assert '<td class="num">32</td>' in page  # the same 32 cases as the CLI's report
    assert "Kvinnor" in page
    assert "Män" in page
    # The region's F32 and M54 cases, by the groups' Swedish names.
    assert "Psykiatriska diagnoser (F)" in page
    assert "Muskuloskeletala diagnoser (M)" in page
    assert "psychiatric" not in page
    assert 'src="data:image/png;base64,' in page
    # AUC with a decimal comma (three decimals), e.g. "0,875".
    assert "0," in page.split("<td", 4)[-1]
    pdf = client.get(f"{url}/report.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    report = client.get(f"{url}/report.json").json()
    assert report["n"] == 32
    assert report["model_version"] == 1
    assert report["temporal"] is True
    html = client.get(f"{url}/report.html").text
    assert "data:image/png;base64," in html
    with session_scope(engine) as session:
        evaluated = reads(session, AccessLog.action == "risk_evaluate")
        exports = session.scalar(select(func.count()).where(AccessLog.action == "export"))
    assert evaluated
    assert exports == 3


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({**TRAIN, "as_of": "2023-02-30"}, "as_of", "2023-02-30 är inget datum"),
        ({**TRAIN, "as_of": "2999-01-01"}, "as_of", "Datumet ligger i framtiden"),
        ({**TRAIN, "since": "2023-06-01"}, "since", "Måste vara före datumet"),
        ({**TRAIN, "scope": "provider:nope"}, "scope", "Välj ett av alternativen"),
        ({**TRAIN, "seed": "tre"}, "seed", "Skriv ett heltal"),
    ],
)
def test_bad_training_input_is_kept_with_a_swedish_message(
    as_user: Login, engine: Engine, form: dict[str, str], field: str, message: str
) -> None:
    client = as_user("admin")
    answer = _post(client, "/admin/risk/train", form)
    assert answer.status_code == 422
    assert message in answer.text
    assert f'id="train-{field}" aria-invalid="true"' in answer.text
    for name, value in form.items():
        if value and name != "scope":
            assert f'id="train-{name}"' in answer.text
            assert f'value="{value}"' in answer.text
    assert _versions(engine) == []


def test_bad_evaluation_input_is_kept_in_place(as_user: Login, region: str, engine: Engine) -> None:
    client = as_user("admin")
    # No model yet: said beside the version.
    first = _post(client, "/admin/risk/evaluate", EVALUATE)
    assert first.status_code == 422
    assert "Ingen riskmodell är tränad än: träna en först." in first.text
    _finish(client, _post(client, "/admin/risk/train", TRAIN))
    backwards = _post(client, "/admin/risk/evaluate", {**EVALUATE, "to": "2022-12-01"})
    assert backwards.status_code == 422
    assert "Måste vara samma dag som eller efter från-datumet." in backwards.text
    assert 'value="2022-12-01"' in backwards.text
    assert 'value="2023-01-02"' in backwards.text
    unknown = _post(client, "/admin/risk/evaluate", {**EVALUATE, "version": "9"})
    assert unknown.status_code == 422
    assert "Välj en av de sparade modellversionerna." in unknown.text


def test_too_few_cases_store_nothing_and_say_why(as_user: Login, engine: Engine) -> None:
    # Only the web seed's eight certificates, all started long after 2023: no case known.
    client = as_user("admin")
    url = _finish(client, _post(client, "/admin/risk/train", TRAIN))
    page = client.get(url).text
    assert "Ingen modell sparades: för få sjukfall med känt utfall" in page
    assert _versions(engine) == []


def test_a_crash_after_storing_leaves_no_model_and_no_log_entry(
    as_user: Login, region: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model row is flushed, then the job dies before its commit: the
    transaction is rolled back, so neither the model nor its entry remains."""
    stored = service.store

    def store_then_die(*args: Any, **kwargs: Any) -> Any:
        stored(*args, **kwargs)
        raise RuntimeError("killed")

    monkeypatch.setattr(service, "store", store_then_die)
    client = as_user("admin")
    url = _finish(client, _post(client, "/admin/risk/train", TRAIN))
    assert "Ett oväntat fel inträffade. Ingenting sparades." in client.get(url).text
    assert _versions(engine) == []
    with session_scope(engine) as session:
        assert not reads(session, AccessLog.action == "risk_train")


def test_one_job_at_a_time(as_user: Login, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A training that waits on an event runs while a second is asked for:
    the second is refused in Swedish, its input kept; the status page of the
    first refreshes itself until it ends."""
    release = threading.Event()

    def slow(session: Any, **kwargs: Any) -> runs.Trained:
        kwargs["progress"]("learn")
        release.wait(30)
        raise RuntimeError("stopped by the test")

    monkeypatch.setattr(runs, "train", slow)
    store_model(engine)  # so that an evaluation passes its checks and meets the busy job
    client = as_user("admin")
    started = _post(client, "/admin/risk/train", TRAIN)
    assert started.status_code == 303
    url = started.headers["location"]
    try:
        status = client.get(url).text
        assert '<meta http-equiv="refresh" content="2">' in status
        second = _post(client, "/admin/risk/train", {**TRAIN, "seed": "77"})
        assert second.status_code == 409
        assert "En träning pågår redan (startad av admin)" in second.text
        assert 'value="77"' in second.text
        evaluation = _post(client, "/admin/risk/evaluate", EVALUATE)
        assert evaluation.status_code == 409
        assert "En träning pågår redan" in evaluation.text
        assert "Träning pågår: tränar modellen." in client.get("/admin/risk").text
    finally:
        release.set()
    _finish(client, started)


def test_an_unknown_job_is_not_found(as_user: Login) -> None:
    client = as_user("admin")
    # A job this process does not know (a restart, another worker): 404, in Swedish.
    missing = client.get("/admin/risk/jobs/nope")
    assert missing.status_code == 404
    assert "Den här träningen eller utvärderingen finns inte i den här serverprocessen" in (
        missing.text
    )
    assert client.get("/admin/risk/jobs/nope/report.pdf").status_code == 404


def test_the_registry_keeps_the_failure_message_of_a_job() -> None:
    jobs = Registry()

    def fails(job: Job) -> None:
        raise JobFailedError("Modellversionen finns inte (längre).")

    job = jobs.start(Kind.EVALUATE, "admin", {}, fails)
    done = jobs.wait(job.id, timeout=10)
    assert done is not None
    assert (done.stage, done.error) == ("failed", "Modellversionen finns inte (längre).")
    assert done.finished_at is not None
    assert jobs.running() is None


def test_a_training_in_another_process_is_refused_on_postgresql(
    as_user: Login, region: str, engine: Engine
) -> None:
    """Another worker's training holds the advisory lock: this one stops at
    once, in Swedish, and stores nothing (SQLite: the registry alone)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("an advisory lock of PostgreSQL")
    client = as_user("admin")
    with engine.connect() as other, other.begin():
        other.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": risk_admin.TRAINING_LOCK})
        url = _finish(client, _post(client, "/admin/risk/train", TRAIN))
    assert "En träning pågår redan i en annan serverprocess" in client.get(url).text
    assert _versions(engine) == []
    _finish(client, _post(client, "/admin/risk/train", TRAIN))  # free again
    assert _versions(engine) == [1]
