"""The statistics pages as a manager and an analyst meet them: bad parameters
answer 400 in Swedish, a reversed month range is said, not reset, the doctors
report works for a unit's manager, rates explain the missing population, and
the downloads are made for Swedish Excel."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from tests.test_statistics_web import MONTH, client, quick_hashes  # noqa: F401
from tests.web.conftest import DOCTOR_2, login

# Route → a set of bad parameters, each with a word the Swedish message must contain.
BAD = [
    ("/statistics/unit-report.pdf?month=2030-13", "finns inte"),
    ("/statistics/unit-report.pdf?month=maj", "ÅÅÅÅ-MM"),
    ("/statistics/unit-report.pdf?month=2026-00", "finns inte"),
    ("/statistics/report/cases-per-month/download?format=pdf", "Format"),
    ("/statistics/report/cases-per-month/download?from=2026-13", "finns inte"),
    ("/statistics/report/cases-per-month/download?from=2026-05&to=2026-01", "efter"),
    ("/statistics/report/cases-per-month/download?from=1990-01&to=2026-01", "högst 240"),
    ("/statistics/report/cases-per-month?from=2026-13", "finns inte"),
    ("/statistics/report/cases-per-month?to=x", "ÅÅÅÅ-MM"),
    ("/statistics/report/diagnosis-groups?diagnosis_group=nonsense", "Diagnosgrupp"),
    ("/statistics/report/diagnosis-groups?age_group=' OR 1=1", "Åldersgrupp"),
    ("/statistics/report/diagnosis-groups?length_group=9999", "Längd"),
    ("/statistics/report/diagnosis-chapters?chapter=Q9", "Diagnoskapitel"),
    ("/statistics/lengths-by-sex?from=2026-02&to=2025-01", "efter"),
    ("/statistics/lengths-by-sex?chapter=%C3%85", "Diagnoskapitel"),
]


@pytest.mark.parametrize(("url", "word"), BAD)
def test_a_bad_parameter_answers_400_in_swedish_never_500(
    client: TestClient,  # noqa: F811
    url: str,
    word: str,
) -> None:
    login(client, "chef")
    answer = client.get(url)
    assert answer.status_code == 400, answer.text[:300]
    assert word in answer.text
    assert "Traceback" not in answer.text
    assert "expected YYYY-MM" not in answer.text  # not the English of the command line


def test_an_unknown_report_is_404_in_swedish(client: TestClient) -> None:  # noqa: F811
    login(client, "chef")
    answer = client.get("/statistics/report/nonsense")
    assert answer.status_code == 404
    assert "Hittades inte" in answer.text


def test_a_reversed_month_range_is_said_with_the_form_and_the_typed_months_kept(
    client: TestClient,  # noqa: F811
) -> None:
    login(client, "chef")
    page = client.get("/statistics/report/cases-per-month?from=2026-05&to=2026-01")
    assert page.status_code == 400
    assert "från-månaden 2026-05 ligger efter till-månaden 2026-01" in page.text
    # The form is there, with what the user typed, not a silent reset to a year.
    assert 'name="from" value="2026-05"' in page.text
    assert 'name="to" value="2026-01"' in page.text
    assert 'aria-invalid="true"' in page.text


def test_a_unit_manager_sees_cases_per_doctor_of_the_unit(client: TestClient) -> None:  # noqa: F811
    # Unit 1 this month: doctor 1 signed Anna's and Cecilia's, doctor 2 Bertil's
    # (and Erik's, ended three days ago). David's doctor-1 certificate is at unit 2.
    login(client, "chef")
    page = client.get(f"/statistics/report/doctors?from={MONTH}&to={MONTH}")
    assert page.status_code == 200, page.text[:500]
    assert DOCTOR_2 in page.text or "Doktor" in page.text
    assert "<svg" in page.text


def test_rates_without_a_population_say_how_to_load_it(client: TestClient) -> None:  # noqa: F811
    login(client, "chef")
    page = client.get(f"/statistics/report/rates?from={MONTH}&to={MONTH}")
    assert page.status_code == 400
    assert "antalet försäkrade saknas" in page.text
    assert "rehabkoll population import" in page.text


def test_the_default_download_opens_as_columns_in_swedish_excel(
    client: TestClient,  # noqa: F811
) -> None:
    login(client, "chef")
    answer = client.get(
        f"/statistics/report/diagnosis-groups/download?format=csv&from={MONTH}&to={MONTH}"
    )
    assert answer.status_code == 200
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Månad", "Grupp", "Kvinnor", "Män", "Totalt"]
    assert {r[-1] for r in rows[1:]} == {"nej"}  # a unit's own figures: nothing withheld
    raw = client.get(
        f"/statistics/report/diagnosis-groups/download?format=csv-raw&from={MONTH}&to={MONTH}"
    )
    assert raw.text.startswith("month,group,women,men,total,suppressed")


def test_the_report_page_folds_long_reports_by_group_and_marks_the_current_month(
    client: TestClient,  # noqa: F811
) -> None:
    login(client, "chef")
    page = client.get("/statistics/report/diagnosis-chapters")  # twelve months up to today
    assert page.status_code == 200
    assert page.text.count("<details>") >= 20  # one per chapter, folded
    assert "pågående månad" in page.text
    assert '<th scope="col" class="num">Kvinnor</th>' in page.text  # headers right-aligned


def test_the_monthly_pdf_has_its_charts(client: TestClient) -> None:  # noqa: F811
    login(client, "chef")
    answer = client.get(f"/statistics/unit-report.pdf?month={MONTH}")
    assert answer.status_code == 200
    assert answer.content.count(b"/Subtype /Image") >= 2


def test_rates_per_1000_insured_once_the_population_is_loaded(
    client: TestClient,  # noqa: F811
    sqlite_url: str,
) -> None:
    from rehabkoll.db.session import make_engine, session_scope
    from rehabkoll.statistics.population import PopulationRow, store
    from tests.factories import UNIT

    year = int(MONTH[:4])
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        store(
            session,
            [
                PopulationRow(UNIT, year, "F", 16, 64, 1000),
                PopulationRow(UNIT, year, "M", 16, 64, 500),
            ],
        )
    engine.dispose()
    login(client, "chef")
    page = client.get(f"/statistics/report/rates?from={MONTH}&to={MONTH}")
    assert page.status_code == 200, page.text[:300]
    # Unit 1 this month: two women (Anna, Cecilia) of 1,000 insured women: 2,0 per 1,000.
    row = page.text.split("Pågående sjukfall per 1 000 försäkrade</th>")[1].split("</tr>")[0]
    assert '<td class="num">2,0</td>' in row


def test_the_regions_page_is_the_analysts_and_suppressed(client: TestClient) -> None:  # noqa: F811
    login(client, "chef")
    assert client.get("/statistics/regions").status_code == 403
    login(client, "analytiker")
    page = client.get(f"/statistics/regions?from={MONTH}&to={MONTH}")
    assert page.status_code == 200, page.text[:300]
    assert "Riket" in page.text
    assert "Nettodagar per 1 000 försäkrade" in page.text
    assert "&lt;5" in page.text  # the seeded providers have a handful of cases each
    assert client.get("/statistics/regions?from=2026-13").status_code == 400
