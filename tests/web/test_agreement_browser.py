"""The agreement follow-up end to end in Debian's Chromium: a region
coordinator hands in evidence, the national coordinator decides, publishes and
downloads the allocation."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.web.conftest import PASSWORD
from tests.web.test_agreement import _setup
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, CHROMIUM_ENV, SWEDISH, serve_site

pytestmark = pytest.mark.browser

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_site(tmp_path_factory, "agreement", _setup) as served:
        yield served.base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=CHROMIUM_ENV
        )
        yield chromium
        chromium.close()


def new_page(browser: Browser, width: int = 1366) -> Page:
    context = browser.new_context(
        accept_downloads=True, viewport={"width": width, "height": 900}, **SWEDISH
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    if page.url.endswith("/notice"):
        page.get_by_role("button", name="Jag har förstått och godkänner").click()


def test_evidence_decision_publication_and_allocation(
    browser: Browser, base: str, tmp_path: Path
) -> None:
    region = new_page(browser, width=390)  # the region coordinator, on a phone
    log_in(region, base, "sorm")
    expect(region.get_by_role("heading", level=1)).to_have_text("Överenskommelser")
    region.get_by_role("link", name="2016", exact=True).click()
    region.get_by_role("link", name="Region Sörmland").click()
    region.get_by_text("Lämna underlag").click()
    region.get_by_label("Text", exact=True).fill("Handlingsplan antagen av regionstyrelsen.")
    region.get_by_label("Länkar (en per rad)").fill("https://example.org/plan")
    region.get_by_role("button", name="Lämna in").click()
    expect(region.get_by_text("Underlaget är inlämnat.")).to_be_visible()
    expect(region.get_by_text("Version 1")).to_be_visible()

    national = new_page(browser)
    log_in(national, base, "nationell")
    national.goto(f"{base}/agreement/2016")
    row = national.locator("tr", has_text="Region Sörmland")
    expect(row).to_contain_text("Underlag inlämnat")
    national.get_by_role("link", name="Region Sörmland").click()
    national.get_by_text("Beslut", exact=True).click()
    national.get_by_label("Uppfyllt", exact=True).check()
    national.get_by_label("Motivering").fill("Handlingsplanen finns.")
    national.get_by_role("button", name="Spara förslag").click()
    expect(national.get_by_text("Beslutet är sparat som förslag")).to_be_visible()
    national.goto(f"{base}/agreement/2016")
    national.get_by_role("button", name="Publicera beslut (1 förslag)").click()
    expect(national.get_by_text("Besluten är publicerade.")).to_be_visible()
    expect(national.locator("tr", has_text="Region Sörmland")).to_contain_text("Uppfyllt")

    national.get_by_role("link", name="Fördelning").click()
    expect(national.get_by_role("heading", level=1)).to_have_text("Fördelning 2016")
    with national.expect_download() as download:
        national.get_by_role("link", name="Excel").click()
    target = tmp_path / "fordelning.xlsx"
    download.value.save_as(target)
    sheet = load_workbook(io.BytesIO(target.read_bytes()))["Fördelning"]
    sormland = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "04")
    # 500 000 000 × 300 000 / 23 100 000 = 6 493 506,49 (plus a leftover krona or not)
    assert sormland[2] in (6_493_506, 6_493_507)

    region.reload()
    expect(region.get_by_text("Beslut", exact=False).first).to_be_visible()
    expect(region.locator("h2", has_text="Villkor 1")).to_contain_text("Uppfyllt")
