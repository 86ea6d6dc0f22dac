"""In Debian's Chromium: a coordinator corrects a contact, sees it marked
"Rättad" and opens its history to find the text first written."""

from __future__ import annotations

import pytest

from tests.web.test_browser import SWEDISH, Site, browser, log_in, site  # noqa: F401

pytestmark = pytest.mark.browser

from playwright.sync_api import Browser, expect  # noqa: E402


def test_a_corrected_contact_shows_its_history(browser: Browser, site: Site) -> None:  # noqa: F811
    page = browser.new_context(viewport={"width": 1440, "height": 900}, **SWEDISH).new_page()
    page.set_default_timeout(10_000)
    log_in(page, site, "koord")
    page.goto(f"{site.base}/patients/{site.refs[site.data.anna]}/coordination")
    form = page.locator("#contact-form")
    form.get_by_label("Sammanfattning").fill("Samtal om återgång på heltid")
    form.get_by_role("button", name="Registrera kontakt").click()
    entry = page.locator("#contact li", has_text="Samtal om återgång på heltid")
    expect(entry).to_have_count(1)
    entry.get_by_text("Rätta", exact=True).click()
    entry.get_by_label("Sammanfattning").fill("Samtal om återgång på halvtid")
    entry.get_by_label("Anledning till rättelsen").fill("Fel omfattning")
    entry.get_by_role("button", name="Spara rättelse").click()
    expect(page.get_by_text("Posten har rättats")).to_be_visible()
    entry = page.locator("#contact li", has_text="Samtal om återgång på halvtid")
    expect(entry.get_by_text("Rättad", exact=True)).to_be_visible()
    history = entry.locator("details.history")
    expect(history.get_by_text("Samtal om återgång på heltid")).to_be_hidden()
    history.get_by_text("Visa historik").click()
    expect(history.get_by_text("Samtal om återgång på heltid")).to_be_visible()
    expect(history).to_contain_text("Fel omfattning")
    page.context.close()
