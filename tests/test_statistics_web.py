"""The statistics pages: charts with tables, scopes per role, downloads, PDF."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from rehabkoll.accounts import service as accounts
from rehabkoll.web import statistics as views
from rehabkoll.web.app import create_app
from tests.factories import OTHER_PROVIDER, PROVIDER, UNIT
from tests.web.conftest import TODAY, Data, login, seed

MONTH = TODAY.strftime("%Y-%m")


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    from rehabkoll.db.session import make_engine

    engine: Engine = make_engine(sqlite_url)
    seeded: Data = seed(engine)
    assert seeded.anna
    engine.dispose()
    app = create_app(sqlite_url)
    app.state.login_delay_scale = 0.0
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def test_the_router_is_part_of_the_web_app(client: TestClient) -> None:
    assert client.app.state.statistics is True  # type: ignore[attr-defined]
    assert any(getattr(r, "path", "") == "/statistics" for r in views.router.routes)


def test_a_manager_sees_every_report_of_the_unit_with_a_chart_and_a_table(
    client: TestClient,
) -> None:
    login(client, "chef")
    index = client.get("/statistics")
    assert index.status_code == 200
    for name in views.PAGE_REPORTS:
        if name in ("doctors", "rates"):
            continue
        page = client.get(f"/statistics/report/{name}?from={MONTH}&to={MONTH}")
        assert page.status_code == 200, name
        assert "<svg" in page.text, name
        assert "<table" in page.text, name
    # Unit 1's own certificates this month: Anna and Cecilia (women), Bertil
    # and Erik (men; Erik's ended three days ago). David's are at unit 2.
    page = client.get(f"/statistics/report/cases-per-month?from={MONTH}&to={MONTH}")
    assert 'role="img"' in page.text
    assert "Exakta tal" in page.text
    cells = re.findall(r'<td class="num">([^<]*)</td>', page.text)
    men = 2 if TODAY.day > 3 else 1  # Erik's last day may fall in last month
    assert cells[:3] == ["2", str(men), str(2 + men)]


def test_a_manager_cannot_choose_another_scope(client: TestClient) -> None:
    login(client, "chef")
    page = client.get(f"/statistics/report/units?scope=national&from={MONTH}&to={MONTH}")
    assert page.status_code == 200
    assert f"unit:{UNIT}" in page.text
    assert "Med röjandeskydd" not in page.text


def test_an_analyst_sees_the_provider_exact_and_the_nation_suppressed(
    client: TestClient,
) -> None:
    login(client, "analytiker")
    exact = client.get(
        f"/statistics/report/cases-per-month?scope=provider:{PROVIDER}&from={MONTH}&to={MONTH}"
    )
    assert exact.status_code == 200
    assert "Exakta tal" in exact.text
    national = client.get(
        f"/statistics/report/cases-per-month?scope=national&from={MONTH}&to={MONTH}"
    )
    assert "Med röjandeskydd" in national.text
    assert "&lt;5" in national.text
    assert '&amp;scope=national">CSV' in national.text  # the download has the scope shown
    download = client.get(
        f"/statistics/report/cases-per-month/download?format=csv-raw&scope=national"
        f"&from={MONTH}&to={MONTH}"
    )
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert rows[0]["suppressed"] == "true"


def test_an_analyst_sees_only_their_units_care_providers(client: TestClient) -> None:
    login(client, "analytiker")
    page = client.get(
        f"/statistics/report/units?scope=provider:{OTHER_PROVIDER}&from={MONTH}&to={MONTH}"
    )
    assert page.status_code == 200
    assert f"provider:{PROVIDER}" in page.text
    assert f"provider:{OTHER_PROVIDER}" not in page.text


def test_an_admin_sees_no_statistics(client: TestClient) -> None:
    # The admin manages users and reads the access log; statistics are the analyst's.
    login(client, "admin")
    assert client.get("/statistics").status_code == 403
    answer = client.get(f"/statistics/report/cases-per-month?scope=national&from={MONTH}")
    assert answer.status_code == 403


def test_downloads_as_csv_and_excel(client: TestClient) -> None:
    login(client, "chef")
    answer = client.get(
        f"/statistics/report/diagnosis-groups/download?format=csv-raw&from={MONTH}&to={MONTH}"
    )
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert {r["group"] for r in rows} >= {"psychiatric", "musculoskeletal", "total"}
    book = client.get(
        f"/statistics/report/diagnosis-groups/download?format=xlsx&from={MONTH}&to={MONTH}"
    )
    assert book.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet["A1"].value == "Sjukfall per diagnosgrupp"


def test_the_lengths_of_women_and_men_side_by_side(client: TestClient) -> None:
    login(client, "chef")
    page = client.get(f"/statistics/lengths-by-sex?from={MONTH}&to={MONTH}")
    assert page.status_code == 200
    assert "Psykiatriska diagnoser (F)" in page.text
    assert "Medellängd" in page.text


def test_the_monthly_pdf_of_a_unit(client: TestClient) -> None:
    login(client, "chef")
    answer = client.get(f"/statistics/unit-report.pdf?month={MONTH}")
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")
    login_admin = client.get("/logout")
    assert login_admin.status_code in (200, 303, 405)
