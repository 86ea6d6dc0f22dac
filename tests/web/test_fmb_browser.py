"""FMB in Debian's Chromium: the work list's column (its tip on focus), the
filter "Över rekommenderad längd", and the patient page's collapsed texts and
advice. The seed of tests/web/conftest.py with FMB 2018-06-05 imported: Bertil
(M54.5, 31 days) is over 14 days; Anna (F43.8A, 121 days) is under 372."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from rehabkoll.db.session import session_scope
from rehabkoll.fmb import reading, service
from tests.fmb_data import fmb_dir
from tests.web.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CHROMIUM_ENV,
    SWEDISH,
    Site,
    case_rows,
    log_in,
    serve_site,
)

pytestmark = pytest.mark.browser

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def fmb_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    def prepare(engine: Engine) -> None:
        with session_scope(engine) as session:
            service.import_data(session, reading.read([str(fmb_dir())]))

    with serve_site(tmp_path_factory, "fmb-browser", prepare) as served:
        yield served


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=CHROMIUM_ENV
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, **SWEDISH)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_the_fmb_column_its_tip_and_the_filter(page: Page, fmb_site: Site) -> None:
    data = fmb_site.data
    log_in(page, fmb_site, "koord")
    page.goto(f"{fmb_site.base}/cases")
    expect(page.locator('th[data-key="fmb"]')).to_have_text("FMB")
    bertil = page.locator("#cases tbody tr", has_text=data.bertil)
    cell = bertil.locator("td.fmb")
    expect(cell).to_contain_text("14 d (221 %)")
    tip = bertil.locator(".fmb-mark .tip")
    expect(tip).to_be_hidden()
    bertil.locator(".fmb-mark").focus()  # by keyboard as well as by hover
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("matchad kod M545")
    expect(tip).to_contain_text("Källa: Socialstyrelsen, FMB (2018-06-05)")
    # away (focus and pointer elsewhere) it hides; hovering shows it again
    page.mouse.move(0, 0)
    page.locator("#caption-cases").click()
    expect(tip).to_be_hidden()
    bertil.locator(".fmb-mark").hover()
    expect(tip).to_be_visible()
    anna = page.locator("#cases tbody tr", has_text=data.anna)
    expect(anna.locator("td.fmb")).to_contain_text("372 d (33 %)")
    expect(anna.locator(".fmb-mark")).to_have_count(0)

    # the filter keeps the case over its recommendation, and is kept
    page.locator("details.panel", has_text="Filter").locator("summary").click()
    page.get_by_label("Över rekommenderad längd").check()
    page.get_by_role("button", name="Filtrera").click()
    rows = case_rows(page)
    assert len(rows) == 1
    assert data.bertil in rows[0]
    page.reload()
    assert len(case_rows(page)) == 1
    page.get_by_role("button", name="Rensa filter").click()
    assert len(case_rows(page)) == 2

    # sorting on the column: over first when descending
    page.locator('th[data-key="fmb"] a').click()
    assert data.anna in case_rows(page)[0]
    page.locator('th[data-key="fmb"] a').click()
    assert data.bertil in case_rows(page)[0]


def test_the_patient_page_shows_the_recommendation_collapsed_texts_and_advice(
    page: Page, fmb_site: Site
) -> None:
    data = fmb_site.data
    log_in(page, fmb_site, "koord")
    page.goto(f"{fmb_site.base}/patients/{fmb_site.refs[data.anna]}")
    panel = page.locator(".fmb-panel").first
    expect(panel.locator(".recommendation")).to_contain_text(
        "FMB rekommenderar högst 372 dagar för F43.8A (kod F438)"
    )
    expect(panel).to_contain_text("Källa: Socialstyrelsen, FMB (2018-06-05)")
    expect(page.locator("svg.timeline .fmb_rule_marks").first).to_be_attached()
    # typical cases and diagnosis texts are collapsed until opened
    typical = panel.locator("details.typical-cases").first
    situation = typical.locator("li").first
    expect(situation).to_be_hidden()
    typical.locator("summary").click()
    expect(situation).to_be_visible()
    expect(situation).to_contain_text("dagar")
    info = panel.locator("details.diagnosis-info").first
    guidance = info.get_by_text("Försäkringsmedicinsk information")
    expect(guidance).to_be_hidden()
    info.locator("summary").click()
    expect(guidance).to_be_visible()
    expect(info).to_contain_text("Aktivitetsbegränsning")
    # the advice of F43 for the doctor and the coordinator, each with a source
    advice = panel.locator("details.advice")
    expect(advice).to_contain_text("Som läkare, tänk på att")
    expect(advice).to_contain_text("Vid koordinering, tänk på att")
    expect(advice.locator(".source").first).to_contain_text("Källa:")
