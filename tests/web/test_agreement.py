"""The agreement follow-up pages, downloads and API, for the national
coordinator and two region coordinators (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from rehabkoll.accounts import service as accounts
from rehabkoll.agreement import population, service
from rehabkoll.agreement.document import AgreementDocument
from rehabkoll.agreement.regions import REGIONS
from rehabkoll.audit.models import AccessLog
from rehabkoll.db.session import session_scope
from rehabkoll.web.app import create_app
from tests.factories import PROVIDER
from tests.web.conftest import PASSWORD, Data, csrf_of, login, token_for

pytestmark = pytest.mark.postgres

DATA = Path(__file__).resolve().parents[2] / "src" / "rehabkoll" / "agreement" / "data"
# 100 000 × the region's position: 01 100 000 … 25 2 100 000, in all 23 100 000
POPULATION = {code: 100_000 * (i + 1) for i, code in enumerate(REGIONS)}


@dataclass
class Clients:
    national: TestClient
    sormland: TestClient  # samordnare of 04
    ostergotland: TestClient  # samordnare of 05
    engine: Engine


def _setup(engine: Engine) -> None:
    document = AgreementDocument.model_validate_json((DATA / "agreement-2016.json").read_bytes())
    with session_scope(engine) as session:
        accounts.create_user(
            session, username="nationell", role="national_coordinator", unit_ids=[],
            password=PASSWORD,
        )  # fmt: skip
        for username, region in (("sorm", "04"), ("ostg", "05")):
            user = accounts.create_user(
                session, username=username, role="region_coordinator", unit_ids=[],
                password=PASSWORD,
            )  # fmt: skip
            service.set_coordinator_region(session, user=user, region=region, by=None)
        service.import_document(session, document=document, user=None)
        population.store(
            session,
            [
                population.Figure(c, document.population_date, n, "test")
                for c, n in POPULATION.items()
            ],
        )
        service.set_region_providers(session, region="04", provider_ids=[PROVIDER])


@pytest.fixture
def clients(db_url: str, data: Data, engine: Engine) -> Iterator[Clients]:
    del data
    _setup(engine)
    app = create_app(db_url)
    app.state.login_delay_scale = 0.0
    with (
        TestClient(app, follow_redirects=False) as national,
        TestClient(app, follow_redirects=False) as sormland,
        TestClient(app, follow_redirects=False) as ostergotland,
    ):
        login(national, "nationell")
        login(sormland, "sorm")
        login(ostergotland, "ostg")
        yield Clients(national, sormland, ostergotland, engine)


def token(client: TestClient, path: str = "/agreement") -> str:
    return csrf_of(client.get(path).text)


def evidence(client: TestClient, region: str, **extra: object) -> int:
    files = extra.pop("files", None)
    data = {"csrf_token": token(client), "condition": "1", "text": "", "links": "", **extra}
    answer = client.post(f"/agreement/2016/region/{region}/evidence", data=data, files=files)  # type: ignore[arg-type]
    return answer.status_code


def decide(client: TestClient, region: str, met: str = "yes", **extra: str) -> int:
    data = {
        "csrf_token": token(client),
        "condition": "1",
        "met": met,
        "reason": "Redovisat",
        **extra,
    }
    return client.post(f"/agreement/2016/region/{region}/decision", data=data).status_code


def test_the_year_page_shows_the_matrix_to_the_national_coordinator_only(
    clients: Clients,
) -> None:
    page = clients.national.get("/agreement/2016")
    assert page.status_code == 200
    assert page.text.count('href="/agreement/2016/region/') == 21
    own = clients.sormland.get("/agreement/2016")
    assert own.status_code == 200
    assert own.text.count('href="/agreement/2016/region/') == 1
    assert "Region Sörmland" in own.text
    assert "Region Östergötland" not in own.text
    assert clients.national.get("/agreement").status_code == 200
    assert clients.national.get("/agreement/1999").status_code == 404


def test_other_roles_do_not_see_the_agreement(clients: Clients) -> None:
    with TestClient(clients.national.app, follow_redirects=False) as other:
        login(other, "koord")
        assert other.get("/agreement").status_code == 403
        assert other.get("/agreement/2016/region/04").status_code == 403


def test_a_region_coordinator_hands_in_versioned_evidence_for_the_own_region_only(
    clients: Clients,
) -> None:
    assert evidence(clients.sormland, "04", text="Handlingsplan antagen") == 303
    assert (
        evidence(
            clients.sormland, "04", files={"file": ("plan.pdf", b"%PDF-1.4 x", "application/pdf")}
        )
        == 303
    )
    page = clients.sormland.get("/agreement/2016/region/04")
    assert "Version 2" in page.text
    assert "Handlingsplan antagen" in page.text
    # another region's coordinator: neither the page, nor handing in, nor the file
    assert clients.ostergotland.get("/agreement/2016/region/04").status_code == 403
    assert evidence(clients.ostergotland, "04", text="x") == 403
    assert evidence(clients.national, "04", text="x") == 403
    with session_scope(clients.engine) as session:
        from rehabkoll.agreement.models import Evidence

        file_id = session.scalars(select(Evidence.id).where(Evidence.filename == "plan.pdf")).one()
    own = clients.sormland.get(f"/agreement/evidence/{file_id}/file")
    assert own.status_code == 200
    assert own.content == b"%PDF-1.4 x"
    assert clients.national.get(f"/agreement/evidence/{file_id}/file").status_code == 200
    assert clients.ostergotland.get(f"/agreement/evidence/{file_id}/file").status_code == 403
    assert clients.sormland.get("/agreement/evidence/999999/file").status_code == 404


def test_bad_evidence_is_refused_naming_the_field(clients: Clients) -> None:
    answer = clients.sormland.post(
        "/agreement/2016/region/04/evidence",
        data={"csrf_token": token(clients.sormland), "condition": "1", "text": " ", "links": ""},
    )
    assert answer.status_code == 422
    assert "underlag" in answer.text
    answer = clients.sormland.post(
        "/agreement/2016/region/04/evidence",
        data={"csrf_token": token(clients.sormland), "condition": "1", "links": "ftp://x"},
    )
    assert answer.status_code == 422
    assert "länkar" in answer.text
    # A program declared as a PDF by the browser: refused by its content, the
    # file named, and the text typed kept in the form.
    mismatch = clients.sormland.post(
        "/agreement/2016/region/04/evidence",
        data={"csrf_token": token(clients.sormland), "condition": "1", "text": "Min plan"},
        files={"file": ("plan.pdf", b"MZ\x90\x00\x03", "application/pdf")},
    )
    assert mismatch.status_code == 422
    assert "plan.pdf" in mismatch.text
    assert "inte PDF, text, PNG" in mismatch.text
    assert "Min plan" in mismatch.text
    unknown = clients.sormland.post(
        "/agreement/2016/region/04/evidence",
        data={"csrf_token": token(clients.sormland), "condition": "9", "text": "x"},
    )
    assert unknown.status_code == 404


def test_decisions_are_drafted_published_and_corrected_by_a_new_decision(
    clients: Clients,
) -> None:
    assert decide(clients.sormland, "04") == 403  # only the national coordinator decides
    assert decide(clients.national, "04", met="maybe") == 422
    assert decide(clients.national, "04") == 303
    assert "Förslag: uppfyllt" in clients.national.get("/agreement/2016").text
    published = clients.national.post(
        "/agreement/2016/publish-decisions", data={"csrf_token": token(clients.national)}
    )
    assert published.status_code == 303
    assert "Uppfyllt" in clients.sormland.get("/agreement/2016/region/04").text
    # a new decision without naming the published one is refused
    assert decide(clients.national, "04", met="no") == 409
    with session_scope(clients.engine) as session:
        first = service.effective(session, year=2016)[("1", "04")].id
    assert decide(clients.national, "04", met="no", corrects=str(first)) == 303
    page = clients.national.get("/agreement/2016/region/04")
    assert f"rättar {first}" in page.text
    with session_scope(clients.engine) as session:
        details = session.scalars(
            select(AccessLog.detail).where(AccessLog.action == "agreement_change")
        ).all()
    assert any("rättar beslut" in d for d in details)


def test_the_allocation_table_downloads_and_publication(clients: Clients) -> None:
    decide(clients.national, "04")
    clients.national.post(
        "/agreement/2016/publish-decisions", data={"csrf_token": token(clients.national)}
    )
    page = clients.national.get("/agreement/2016/allocation")
    assert page.status_code == 200
    # 04 (300 000 of 23 100 000) of the 500 000 000 April instalment:
    # 6 493 506,49 → 6 493 506 or, with a leftover krona, 6 493 507
    assert "6 493 50" in page.text
    assert "Ej utbetalt" in page.text
    assert "Preliminär" in page.text
    xlsx = clients.national.get("/agreement/2016/allocation.xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book["Fördelning"].cell(row=2, column=1).value == "Länskod"
    pdf = clients.national.get("/agreement/2016/allocation.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert clients.sormland.get("/agreement/2016/allocation").status_code == 403
    assert clients.sormland.get("/agreement/2016/allocation.xlsx").status_code == 403
    published = clients.national.post(
        "/agreement/2016/allocation/publish", data={"csrf_token": token(clients.national)}
    )
    assert published.status_code == 303
    assert "Publicerad" in clients.national.get("/agreement/2016/allocation").text
    region = clients.sormland.get("/agreement/2016/region/04")
    assert "Publicerad fördelning" in region.text


def test_a_regions_follow_up_downloads(clients: Clients) -> None:
    xlsx = clients.sormland.get("/agreement/2016/region/04/followup.xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Villkor", "Indikatorer", "Pengar"]
    pdf = clients.sormland.get("/agreement/2016/region/04/followup.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert clients.ostergotland.get("/agreement/2016/region/04/followup.pdf").status_code == 403
    assert clients.sormland.get("/agreement/2016/region/04/followup.doc").status_code == 422


def test_a_condition_with_a_threshold_shows_whether_the_figure_meets_it(
    clients: Clients,
) -> None:
    # The demo's made-up agreement asks for at least 50 % of the primary care
    # centres with a coordination function. Region 04 is the test provider:
    # two active units, a coordinator account at both, but no coordination
    # records → 0 % → "Uppfyller inte".
    from datetime import date

    from rehabkoll.agreement.demo_data import demo_document

    year = date.today().year
    with session_scope(clients.engine) as session:
        service.import_document(session, document=demo_document(year), user=None)
    page = clients.sormland.get(f"/agreement/{year}/region/04")
    assert page.status_code == 200
    assert "minst 50 %" in page.text
    assert "Uppfyller inte" in page.text
    assert "Vårdcentraler med koordineringsfunktion" in page.text


def test_the_national_coordinator_imports_an_agreement_file(clients: Clients) -> None:
    body = (DATA / "agreement-2017.json").read_bytes()
    answer = clients.national.post(
        "/agreement/import",
        data={"csrf_token": token(clients.national)},
        files={"file": ("a.json", body, "application/json")},
    )
    assert answer.status_code == 303
    assert "Funktion för koordinering" in clients.national.get("/agreement/2017").text
    bad = clients.national.post(
        "/agreement/import",
        data={"csrf_token": token(clients.national)},
        files={"file": ("a.json", b'{"year": 2018}', "application/json")},
    )
    assert bad.status_code == 422
    assert "title" in bad.text
    refused = clients.sormland.post(
        "/agreement/import",
        data={"csrf_token": token(clients.sormland)},
        files={"file": ("a.json", body, "application/json")},
    )
    assert refused.status_code == 403


def test_the_api_reads_agreements_decisions_and_allocations(clients: Clients) -> None:
    decide(clients.national, "04")
    decide(clients.national, "05")
    clients.national.post(
        "/agreement/2016/publish-decisions", data={"csrf_token": token(clients.national)}
    )
    decide(clients.national, "06")  # a draft: only the national coordinator sees it
    api = clients.national
    national = {"Authorization": f"Bearer {token_for(clients.engine, 'nationell')}"}
    own = {"Authorization": f"Bearer {token_for(clients.engine, 'sorm')}"}
    listed = api.get("/api/agreements", headers=national).json()
    assert [a["year"] for a in listed] == [2016]
    assert api.get("/api/agreements/2016", headers=own).json()["total"] == 1_500_000_000
    all_decisions = api.get("/api/agreements/2016/decisions", headers=national).json()
    assert sorted(d["region"] for d in all_decisions) == ["04", "05", "06"]
    mine = api.get("/api/agreements/2016/decisions", headers=own).json()
    assert [d["region"] for d in mine] == ["04"]
    allocation = api.get("/api/agreements/2016/allocation", headers=national).json()
    assert len(allocation["rows"]) == 21
    assert allocation["published_at"] is None
    paid = sum(r["amount"] for r in allocation["rows"])
    assert paid + allocation["unpaid"][0]["amount"] == 500_000_000
    my_rows = api.get("/api/agreements/2016/allocation", headers=own).json()["rows"]
    assert [r["region"] for r in my_rows] == ["04"]
    assert api.get("/api/agreements").status_code == 401
    koord = {"Authorization": f"Bearer {token_for(clients.engine, 'koord')}"}
    assert api.get("/api/agreements", headers=koord).status_code == 403
    assert api.get("/api/agreements/1999", headers=national).status_code == 404
    schema = api.get("/api/openapi.json").json()
    assert "/api/agreements/{year}/allocation" in schema["paths"]
