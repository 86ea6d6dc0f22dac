# ruff: noqa: F811  (pytest fixtures imported from test_fmb_browser and taken as arguments)
"""The national exchange (issue 15) in Debian's Chromium: the work list's
column "Ärenden" and filter "Ärendestatus", the page Läkarutlåtanden with its
filters, a doctor's own statements, and the patient's tab, at 1440 and 390 px.

The seed of tests/web/conftest.py plus, through the RIVTA service, the patient
pnr(70) of tests/web/test_matters.py (a certificate m-1, a request for
completion whose deadline passed yesterday, an administrative question) and
the four statements of tests/web/test_statements.py (s-1 LUSE by doctor 1 for
pnr(80), s-2 LUAE_NA by doctor 2 for pnr(81), one four years old, one at the
other unit). RIVTA messages carry no names: these patients have none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from rehabkoll.exchange import writing
from rehabkoll.exchange.safexml import schemas_dir
from tests.factories import pnr
from tests.web import test_matters as matters_data
from tests.web import test_statements as statements_data
from tests.web.conftest import DOCTOR_2, TODAY
from tests.web.test_browser import (
    SWEDISH,
    Site,
    case_rows,
    log_in,
    serve_site,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not schemas_dir().is_dir(), reason="the shared RIVTA schemas are not here"),
]

from playwright.sync_api import Browser, Page, expect  # noqa: E402

from tests.web.test_fmb_browser import chromium, page  # noqa: E402, F401


@pytest.fixture(scope="module")
def exchange_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    def prepare(engine: Engine) -> None:
        assert matters_data.send(
            engine, writing.register_certificate(matters_data.cert("m-1"))
        ) == ["stored"]
        assert matters_data.send(
            engine,
            matters_data.fk("fk-1", "KOMPLT", deadline_days=-1),
            matters_data.fk("fk-2", "OVRIGT"),
        ) == ["stored", "stored"]
        statements_data.seed(engine)

    with serve_site(tmp_path_factory, "exchange-browser", prepare) as served:
        yield served


@pytest.fixture
def phone(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, **SWEDISH)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_the_matters_column_and_the_matter_filter(page: Page, exchange_site: Site) -> None:
    log_in(page, exchange_site, "koord")
    page.goto(f"{exchange_site.base}/cases")
    # The column is not shown until chosen under "Kolumner".
    expect(page.locator('th[data-key="matters"]')).to_have_count(0)
    columns = page.locator("details#columns")
    columns.locator("summary").click()
    columns.get_by_role("checkbox", name="Ärenden", exact=True).check()
    columns.get_by_role("button", name="Spara kolumner").click()
    expect(page.locator('th[data-key="matters"]')).to_contain_text("Ärenden")
    # pnr(70): one request for completion, its deadline yesterday, and one question.
    overdue = TODAY.toordinal() - 1
    yesterday = type(TODAY).fromordinal(overdue).isoformat()
    row = page.locator("#cases tbody tr", has_text=pnr(70))
    expect(row.locator("td.col-matters")).to_have_text(
        f"Komplettering (1) · Administrativ fråga (1) (försenad sedan {yesterday})"
    )
    expect(row.locator("td.need")).to_contain_text(f"Komplettering försenad sedan {yesterday}")
    # Everyone else has none.
    anna = page.locator("#cases tbody tr", has_text=exchange_site.data.anna)
    expect(anna.locator("td.col-matters")).to_have_text("–")
    every = len(case_rows(page))
    assert every > 1

    # Ärendestatus: only the patient with an open completion is left, and kept.
    page.locator("details.panel", has_text="Filter").locator("summary").first.click()
    page.get_by_label("Ärendestatus").select_option("completion")
    page.get_by_role("button", name="Filtrera").click()
    rows = case_rows(page)
    assert len(rows) == 1
    assert pnr(70) in rows[0]
    page.reload()
    assert len(case_rows(page)) == 1
    # "Utan obesvarade ärenden" is the complement.
    page.get_by_label("Ärendestatus").select_option("none")
    page.get_by_role("button", name="Filtrera").click()
    rows = case_rows(page)
    assert len(rows) == every - 1
    assert not any(pnr(70) in r for r in rows)
    page.get_by_role("button", name="Rensa filter").click()
    assert len(case_rows(page)) == every


def statement_rows(page: Page) -> list[str]:
    return page.locator("#statements tbody tr").all_inner_texts()


def test_the_statements_page_filters_by_type_and_doctor(page: Page, exchange_site: Site) -> None:
    log_in(page, exchange_site, "koord")
    page.goto(f"{exchange_site.base}/statements")
    expect(page.get_by_role("heading", name="Läkarutlåtanden")).to_be_visible()
    # s-1 and s-2 (the four-year-old one and the other unit's are not shown).
    rows = statement_rows(page)
    assert len(rows) == 2
    assert sorted(pnr(80) in r for r in rows) == [False, True]
    assert any(pnr(81) in r for r in rows)
    expect(page.locator("#statements caption")).to_contain_text("2 av 2 läkarutlåtanden")
    # No names in RIVTA messages: the link reads "Namn saknas".
    expect(page.locator("#statements tbody tr", has_text=pnr(80)).locator("a")).to_have_text(
        "Namn saknas"
    )

    page.locator("details.panel", has_text="Filter").locator("summary").click()
    page.get_by_label("Typ").select_option("LUAE_NA")
    page.get_by_role("button", name="Filtrera").click()
    rows = statement_rows(page)
    assert len(rows) == 1
    assert pnr(81) in rows[0]
    assert "FK 7801" in rows[0]
    expect(page.locator("#statements caption")).to_contain_text("1 av 2 läkarutlåtanden")

    # The form stays open and keeps its choice; type "Alla", doctor 2: s-2 again.
    page.get_by_label("Typ").select_option("")
    page.get_by_label("Läkare").select_option(DOCTOR_2)
    page.get_by_role("button", name="Filtrera").click()
    rows = statement_rows(page)
    assert len(rows) == 1
    assert pnr(81) in rows[0]
    # LUSE by doctor 2: none, and the list says so.
    page.get_by_label("Typ").select_option("LUSE")
    page.get_by_role("button", name="Filtrera").click()
    expect(page.locator("#statements tbody")).to_contain_text(
        "Inga läkarutlåtanden matchar filtret."
    )
    page.get_by_role("link", name="Rensa filter").click()
    assert len(statement_rows(page)) == 2


def test_a_doctor_sees_only_their_own_statements(page: Page, exchange_site: Site) -> None:
    log_in(page, exchange_site, "lakare")
    page.goto(f"{exchange_site.base}/statements")
    rows = statement_rows(page)
    assert len(rows) == 1
    assert pnr(80) in rows[0]
    expect(page.locator(".lead")).to_contain_text("av dig")
    # The doctor filter offers only themselves.
    expect(page.locator("#s-doctor option")).to_have_count(2)  # "Alla" and the doctor
    # A colleague's patient's tab is out of reach.
    answer = page.goto(f"{exchange_site.base}/patients/{exchange_site.refs[pnr(81)]}/statements")
    assert answer is not None
    assert answer.status == 403


def test_the_patients_statement_tab_and_a_heading_without_a_name(
    page: Page, exchange_site: Site
) -> None:
    log_in(page, exchange_site, "koord")
    page.goto(f"{exchange_site.base}/statements")
    page.locator("#statements tbody tr", has_text=pnr(80)).get_by_role(
        "link", name="Namn saknas"
    ).click()
    # The heading is the personnummer, never empty; the lead says the name is missing.
    expect(page.locator(".patient-head h1")).to_have_text(pnr(80))
    expect(page.locator(".patient-head .lead")).to_contain_text("Namn saknas")
    tab = page.get_by_role("navigation", name="Patientens sidor").get_by_role(
        "link", name="Läkarutlåtanden"
    )
    expect(tab).to_have_attribute("aria-current", "page")
    table = page.locator("#patient-statements")
    expect(table).to_contain_text("FK 7800 Sjukersättning")
    expect(table).to_contain_text("s-1")
    # A patient with a name keeps it as the heading, the personnummer below.
    anna = exchange_site.data.anna
    page.goto(f"{exchange_site.base}/patients/{exchange_site.refs[anna]}/statements")
    expect(page.locator(".patient-head h1")).to_have_text("Test Testsson")
    expect(page.locator(".patient-head .lead")).to_contain_text(anna)
    expect(page.get_by_text("Patienten har inga läkarutlåtanden på enheten.")).to_be_visible()


def right_edge(page: Page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["x"] + box["width"]


def test_at_390_px_the_statements_scroll_in_their_box_and_the_heading_shows(
    phone: Page, exchange_site: Site
) -> None:
    log_in(phone, exchange_site, "koord")
    phone.goto(f"{exchange_site.base}/statements")
    # The page itself does not overflow; the table scrolls inside its own box,
    # which ends inside the viewport, and the last column can be scrolled to.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    box = "div.table-wrap:has(#statements)"
    assert right_edge(phone, box) <= 390
    assert phone.locator(box).evaluate("e => e.scrollWidth > e.clientWidth")
    last = phone.locator("#statements tbody tr").first.locator("td").last
    last.scroll_into_view_if_needed()
    assert right_edge(phone, "#statements tbody tr:first-child td:last-child") <= 390
    # The patient's heading is the personnummer, not empty.
    phone.goto(f"{exchange_site.base}/patients/{exchange_site.refs[pnr(80)]}/statements")
    expect(phone.locator(".patient-head h1")).to_have_text(pnr(80))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_patients_matters_are_grouped_per_certificate_and_fit_at_390_px(
    phone: Page, exchange_site: Site
) -> None:
    log_in(phone, exchange_site, "koord")
    phone.goto(f"{exchange_site.base}/patients/{exchange_site.refs[pnr(70)]}")
    group = phone.locator("#care-messages tbody.matter-group")
    expect(group).to_have_count(1)  # both messages concern m-1
    expect(group.locator("tr.group-head")).to_contain_text("Intyg m-1 · 2 meddelanden")
    expect(group.locator("tr")).to_have_count(3)
    assert right_edge(phone, "div.table-wrap:has(#care-messages)") <= 390
