"""What a user sees, in Debian's Chromium: the work list fits 1440 px without
sideways scrolling, its rows open the patient, it becomes cards at 390 px, and
a coordination form that cannot be saved comes back with the typing kept."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.web.test_browser import SWEDISH, Site, browser, log_in, site  # noqa: F401

pytestmark = pytest.mark.browser

from playwright.sync_api import Browser, Page, expect  # noqa: E402

DEFAULT_HEADERS = ["Namn", "Personnummer", "Diagnos", "Dagar", "Slut", "Status", "Nästa milstolpe"]


def new_page(browser: Browser, width: int) -> Page:  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900}, **SWEDISH)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def test_the_work_list_fits_1440_px_without_sideways_scrolling(
    browser: Browser,  # noqa: F811
    site: Site,  # noqa: F811
) -> None:
    page = new_page(browser, 1440)
    log_in(page, site, "koord")
    page.goto(f"{site.base}/cases")
    headers = page.locator("#cases thead th").all_inner_texts()
    for header in [*DEFAULT_HEADERS, "Åtgärd behövs"]:
        assert any(h.startswith(header) for h in headers), (header, headers)
    wrap = page.locator(".cases-wrap")
    widths = wrap.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1], widths
    page_widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert page_widths[0] <= page_widths[1], page_widths
    # Every header cell is visible in the window, none cut off at the right.
    for box in [h.bounding_box() for h in page.locator("#cases thead th").all()]:
        assert box is not None
        assert box["x"] + box["width"] <= 1440
    # The header row stays in place while the rows scroll.
    position = page.locator("#cases thead th").first.evaluate("e => getComputedStyle(e).position")
    assert position == "sticky"
    page.context.close()


def test_a_click_on_a_row_opens_the_patient(browser: Browser, site: Site) -> None:  # noqa: F811
    page = new_page(browser, 1440)
    log_in(page, site, "koord")
    page.goto(f"{site.base}/cases")
    row = page.locator("#cases tbody tr", has_text=site.data.bertil)
    row.locator("td.diagnosis").click()  # not on the link
    expect(page.get_by_role("heading", level=1)).to_have_text("Test Testsson")
    assert "/patients/" in page.url
    # The name is a link too, for the keyboard.
    page.go_back()
    link = page.locator("#cases tbody tr", has_text=site.data.bertil).locator("a.row-link")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Koordinering", exact=True)).to_be_visible()
    page.context.close()


def test_at_390_px_the_work_list_is_cards(browser: Browser, site: Site) -> None:  # noqa: F811
    page = new_page(browser, 390)
    log_in(page, site, "koord")
    page.goto(f"{site.base}/cases")
    row = page.locator("#cases tbody tr").first
    assert row.evaluate("e => getComputedStyle(e).display") == "grid"
    expect(row.locator("td.name")).to_be_visible()
    expect(row.locator("td.diagnosis")).to_be_visible()
    assert not row.locator("td.col-end").is_visible()  # the rest waits on the patient page
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    page.context.close()


def test_a_refused_contact_keeps_everything_typed(browser: Browser, site: Site) -> None:  # noqa: F811
    page = new_page(browser, 1440)
    log_in(page, site, "koord")
    page.goto(f"{site.base}/patients/{site.refs[site.data.bertil]}/coordination")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    form = page.locator("#contact-form")
    # The browser itself stops a day after "max"; lift it as a user's old browser would.
    form.locator("#contact-day").evaluate("e => e.removeAttribute('max')")
    form.locator("#contact-day").fill(tomorrow)
    form.get_by_label("Kontaktsätt").select_option("letter")
    form.get_by_label("Sammanfattning").fill("Brev om återgång i arbete, med bilagor")
    form.get_by_role("button", name="Registrera kontakt").click()
    form = page.locator("#contact-form")
    expect(page.locator("#contact-day-error")).to_contain_text("kan inte registreras i förväg")
    expect(form.locator("#contact-day")).to_have_value(tomorrow)
    expect(form.get_by_label("Kontaktsätt")).to_have_value("letter")
    expect(form.get_by_label("Sammanfattning")).to_have_value(
        "Brev om återgång i arbete, med bilagor"
    )
    page.context.close()


def page_widths(page: Page) -> list[int]:
    widths: list[int] = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return widths


def test_at_390_px_the_patient_page_fits_without_sideways_scrolling(
    browser: Browser,  # noqa: F811
    site: Site,  # noqa: F811
) -> None:
    # The certificate table made the page 565 px wide: now its rows are cards,
    # the timeline is the one drawn for phones, and the page is 390 px wide.
    page = new_page(browser, 390)
    log_in(page, site, "koord")
    ref = site.refs[site.data.anna]
    page.goto(f"{site.base}/patients/{ref}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page_widths(page)[0] <= page_widths(page)[1]
    expect(page.locator("svg.timeline-narrow").first).to_be_visible()
    expect(page.locator("svg.timeline-wide").first).to_be_hidden()
    narrow = page.locator("svg.timeline-narrow").first
    expect(narrow.get_by_text("I dag", exact=True)).to_be_visible()
    expect(narrow.get_by_text("Dag 30", exact=True)).to_be_visible()
    box = narrow.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    row = page.locator("table.certs tbody tr").first
    assert row.evaluate("e => getComputedStyle(e).display") == "block"
    # and so does the coordination record
    page.goto(f"{site.base}/patients/{ref}/coordination")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()


def test_the_browser_is_swedish_and_a_date_field_reads_year_month_day(
    browser: Browser,  # noqa: F811
    site: Site,  # noqa: F811
) -> None:
    page = new_page(browser, 1440)
    log_in(page, site, "koord")
    page.goto(f"{site.base}/patients/{site.refs[site.data.bertil]}/coordination")
    assert page.evaluate("document.documentElement.lang") == "sv"
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Europe/Stockholm"
    # A date field takes its parts in the browser's own order: typed as year,
    # month, day, only a Swedish field (ÅÅÅÅ-MM-DD) reads 2026-11-05; an
    # American one (mm/dd/yyyy) reads 61105-02-02.
    field = page.locator("#task-due")
    field.evaluate("e => { e.value = ''; e.removeAttribute('min'); }")
    field.focus()  # its first part
    for part in ("2026", "11", "05"):
        page.keyboard.type(part)
        page.keyboard.press("ArrowRight")
    expect(field).to_have_value("2026-11-05")
    page.context.close()
