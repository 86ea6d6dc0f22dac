"""The statistics page of the risk model's calibration: counted by hand on
the web tests' data, rights as every statistics page, and without a model."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.risk_helpers import store_model
from tests.web.conftest import Login

# Looked from today over the last twelve months, at unit 1 (the coordinator's
# and doctors' unit): Anna's case (day -100 to +20, 121 days) is long and
# known; Bertil's (21 days so far) and Erik's (ended 3 days ago, could still
# be renewed within the 5-day gap) are still open with 90 days or fewer:
# censored, left out; Cecilia's has not reached day 15. So one woman, one
# long case, observed 100 %, and 2 left out.
RANGE = "?from={first}&to={last}&period=month"


def _range() -> str:
    from datetime import date

    today = date.today()
    first = date(today.year - 1, today.month, 1)
    return RANGE.format(first=f"{first:%Y-%m}", last=f"{today:%Y-%m}")


def test_the_page_counts_known_outcomes_of_the_unit(engine: Engine, as_user: Login) -> None:
    store_model(engine)
    page = as_user("koord").get("/statistics/risk-calibration" + _range())
    assert page.status_code == 200, page.text
    text = page.text
    assert "Modellversion 1" in text
    assert "1 sjukfall med känt utfall; 2 pågående utan känt utfall är inte med" in text
    assert 'id="chart-calibration"' in text
    # The month of Anna's start: a woman, 1 case, observed 100,0 %; no men.
    assert "100,0\u00a0%" in text
    assert "Exakta tal" in text


def test_a_quarter_is_the_default_period_and_a_bad_one_is_named(
    engine: Engine, as_user: Login
) -> None:
    store_model(engine)
    client = as_user("chef")
    assert "Kvartal" in client.get("/statistics/risk-calibration").text
    bad = client.get("/statistics/risk-calibration?period=vecka")
    assert bad.status_code == 400
    assert "Period" in bad.text


def test_a_unit_outside_the_scope_is_refused(engine: Engine, as_user: Login) -> None:
    store_model(engine)
    answer = as_user("chef").get("/statistics/risk-calibration?unit=SE2321000032-U009")
    assert answer.status_code == 400
    assert "Enhet" in answer.text


def test_the_admin_sees_no_calibration(engine: Engine, as_user: Login) -> None:
    store_model(engine)
    assert as_user("admin").get("/statistics/risk-calibration").status_code == 403


def test_without_a_model_the_page_says_so(as_user: Login) -> None:
    page = as_user("koord").get("/statistics/risk-calibration")
    assert page.status_code == 200
    assert "Ingen riskmodell är tränad" in page.text


def test_the_analyst_sees_the_country_suppressed(engine: Engine, as_user: Login) -> None:
    store_model(engine)
    page = as_user("analytiker").get("/statistics/risk-calibration" + _range() + "&scope=national")
    assert page.status_code == 200, page.text
    assert "Med röjandeskydd" in page.text
    # One case in all: withheld as <5, and no share shown for it.
    assert "&lt;5" in page.text
    assert "100,0\u00a0%" not in page.text
