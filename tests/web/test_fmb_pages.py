"""FMB where users look: the work list's column, filter, sort and reason, the
patient page's recommendation and texts, the API's case objects and intake
notices. The seed (tests/web/conftest.py) with FMB 2018-06-05 imported:

- Anna, F43.8A, 121 days at unit 1 (day -100 to day 20): via F438, 372 days:
  33 %, not over.
- Bertil, M54.5, 31 days (day -20 to day 10): via M545, 14 days: 221 %, over.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from rehabkoll.db.session import session_scope
from rehabkoll.fmb import reading, service
from tests.factories import UNIT, certificate, pnr
from tests.fmb_data import fmb_dir
from tests.web.conftest import Data, Login, day, form_token, signed, token_for
from tests.web.test_patient import ref_of

SOURCE = "Socialstyrelsen, FMB (2018-06-05)"
REASON = "Över FMB:s rekommenderade längd (14 dagar)"


@pytest.fixture
def fmb(engine: Engine, data: Data) -> None:
    with session_scope(engine) as session:
        service.import_data(session, reading.read([str(fmb_dir())]))


def row_of(page: str, patient_id: str) -> str:
    start = page.index(patient_id)
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


@pytest.mark.usefixtures("fmb")
def test_the_fmb_column_shows_days_share_and_a_mark_when_over(as_user: Login, data: Data) -> None:
    page = as_user("koord").get("/cases").text
    assert 'data-key="fmb"' in page
    bertil = row_of(page, data.bertil)
    # 31 days of 14: 221 %, over; the tip names the matched code and the source
    assert "14 d" in bertil
    assert "(221 %)" in bertil
    assert "fmb-mark" in bertil
    assert "matchad kod M545" in bertil
    assert SOURCE in bertil
    assert REASON in bertil
    anna = row_of(page, data.anna)
    # 121 of 372 days: 33 %, not over
    assert "372 d" in anna
    assert "(33 %)" in anna
    assert "fmb-mark" not in anna
    assert "FMB:s rekommenderade" not in anna


@pytest.mark.usefixtures("fmb")
def test_the_filter_keeps_only_cases_over_the_recommendation(as_user: Login, data: Data) -> None:
    client = as_user("koord")
    token = form_token(client)
    client.post("/cases/filters", data={"over_fmb": "1", "csrf_token": token})
    page = client.get("/cases").text
    assert "Över rekommenderad längd" in page
    assert data.bertil in page
    assert data.anna not in page
    client.post("/cases/filters", data={"clear": "1", "csrf_token": token})
    assert data.anna in client.get("/cases").text


@pytest.mark.usefixtures("fmb")
def test_sorting_on_fmb_puts_cases_over_first_when_descending(as_user: Login, data: Data) -> None:
    client = as_user("koord")
    descending = client.get("/cases?sort=fmb&dir=desc").text
    assert descending.index(data.bertil) < descending.index(data.anna)
    ascending = client.get("/cases?sort=fmb&dir=asc").text
    assert ascending.index(data.anna) < ascending.index(data.bertil)


@pytest.mark.usefixtures("fmb")
def test_needs_attention_lists_a_case_over_its_recommendation(as_user: Login, data: Data) -> None:
    page = as_user("koord").get("/cases?view=attention").text
    assert REASON in row_of(page, data.bertil)
    # Anna is listed for other reasons (day 90 passed), not for FMB
    assert "FMB" not in row_of(page, data.anna).split('class="need"')[1]


def test_without_fmb_the_column_is_empty_and_nothing_is_over(as_user: Login, data: Data) -> None:
    page = as_user("koord").get("/cases").text
    assert "fmb-mark" not in page
    assert REASON not in page
    assert '<td class="num fmb muted" data-label="FMB">–</td>' in row_of(page, data.bertil)


@pytest.mark.usefixtures("fmb")
def test_the_patient_page_shows_the_recommendation_typical_cases_and_texts(
    as_user: Login, data: Data, engine: Engine
) -> None:
    page = as_user("koord").get(f"/patients/{ref_of(engine, data.anna)}").text
    assert "FMB rekommenderar högst <strong>372 dagar</strong> för F43.8A (kod F438)" in page
    assert "Sjukfallet har 121 dagar, 33 % av rekommendationen" in page
    assert "Typfall för F438" in page
    assert "Vid utmattningssyndrom" in page  # a typical case's situation text
    # the diagnosis texts, collapsed
    assert re.search(
        r"<details class=\"diagnosis-info\"><summary>Diagnosinformation: Utmattn", page
    )
    assert "Aktivitetsbegränsning" in page
    assert "Försäkringsmedicinsk information" in page
    assert f"Källa: {SOURCE}" in page
    # the marker at the recommended end on the timeline
    assert "FMB 372 d" in page
    # tänk på (F43) for the doctor and the coordinator, with sources
    assert "Tänk på – Reaktion på svår stress" in page
    assert "Som läkare, tänk på att" in page
    assert "Vid koordinering, tänk på att" in page
    assert "Källa: Socialstyrelsen, FMB: Utmattningssyndrom" in page


@pytest.mark.usefixtures("fmb")
def test_the_patient_page_says_when_the_case_is_over(
    as_user: Login, data: Data, engine: Engine
) -> None:
    page = as_user("koord").get(f"/patients/{ref_of(engine, data.bertil)}").text
    assert "FMB rekommenderar högst <strong>14 dagar</strong> för M54.5 (kod M545)" in page
    assert "över rekommendationen" in page


@pytest.mark.usefixtures("fmb")
def test_the_api_case_objects_carry_fmb(app_client: TestClient, data: Data, engine: Engine) -> None:
    headers = {"Authorization": f"Bearer {token_for(engine, 'koord')}"}
    rows = {
        r["patient_id"]: r
        for r in app_client.get(f"/api/units/{UNIT}/cases", headers=headers).json()
    }
    assert (rows[data.bertil]["fmb_max_days"], rows[data.bertil]["fmb_code"]) == (14, "M54.5")
    assert rows[data.bertil]["over_fmb"] is True
    assert (rows[data.anna]["fmb_max_days"], rows[data.anna]["over_fmb"]) == (372, False)
    ref = ref_of(engine, data.bertil)
    one = app_client.get(f"/api/patients/{ref}?unit={UNIT}", headers=headers).json()
    assert one["cases"][0]["over_fmb"] is True


@pytest.mark.usefixtures("fmb")
def test_intake_answers_with_a_notice_when_the_case_goes_over(
    app_client: TestClient, data: Data, engine: Engine
) -> None:
    headers = {"Authorization": f"Bearer {token_for(engine, 'admin')}"}
    # Bertil's case continues: day 11 to day 20 makes 41 days, over M54.5's 14.
    longer = certificate(
        "b-2",
        patient=data.bertil,
        periods=[(day(11), day(20), 50)],
        signed_at=signed(0),
        diagnosis="M54.5",
    )
    answer = app_client.post("/api/certificates", json=longer, headers=headers)
    assert answer.status_code == 201
    notices = answer.json()["notices"]
    assert [n["certificate_id"] for n in notices] == ["b-2"]
    assert notices[0]["text"] == (
        "Den totala sjukskrivningsperioden är 41 dagar och därmed längre än FMB:s "
        "rekommendation på 14 dagar för diagnosen M54.5."
    )
    # a short case under the recommendation gets none: F32 gives 186
    short = certificate(
        "g-1",
        patient=pnr(7),
        periods=[(day(0), day(9), 100)],
        signed_at=signed(0),
        diagnosis="F32.1",
    )
    answer = app_client.post("/api/certificates", json=short, headers=headers)
    assert answer.json()["notices"] == []
