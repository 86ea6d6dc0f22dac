"""axe-core (shipped inside axe-playwright-python, no CDN) on every page, for
every role that sees it; any serious or critical violation fails. The focus
ring keeps 3:1 contrast against what is around it, and /api/docs shows Swagger
UI from the package's own files."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.factories import PROVIDER
from tests.web.test_browser import Site, browser, log_in, page, site  # noqa: F401

pytestmark = pytest.mark.browser

AXE = Axe()
MONTHS = "from=2025-12&to=2026-02"
PAGES = {
    "koord": ["/", "/cases", "/tasks", "PATIENT", "PATIENT/coordination"],
    "chef": [
        "/statistics",
        "/statistics/report/cases-per-month",
        f"/statistics/report/diagnosis-chapters?{MONTHS}",
        "/statistics/lengths-by-sex",
        "/statistics/report/cases-per-month?from=2026-05&to=2026-01",  # the error state
    ],
    "analytiker": [
        f"/statistics/report/age-groups?scope=provider:{PROVIDER}",
        "/statistics/regions",
    ],
    "admin": ["/admin/users", "/admin/users/koord", "/admin/audit"],
}


def serious(tab: Page) -> list[str]:
    results = AXE.run(tab)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("user", list(PAGES))
def test_no_serious_or_critical_axe_violation_on_any_page(
    page: Page,  # noqa: F811
    site: Site,  # noqa: F811
    user: str,
) -> None:
    page.goto(f"{site.base}/login")
    assert serious(page) == [], "/login"
    log_in(page, site, user)
    found = {}
    for path in PAGES[user]:
        path = path.replace("PATIENT", f"/patients/{site.refs[site.data.anna]}")
        page.goto(f"{site.base}{path}")
        problems = serious(page)
        if problems:
            found[path] = problems
    assert found == {}


def contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        parts = [int(x) / 255 for x in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_focus_ring_has_3_to_1_contrast(page: Page, site: Site) -> None:  # noqa: F811
    log_in(page, site, "chef")
    page.goto(f"{site.base}/statistics")
    for selector, background in (("main a", "body"), (".top a", ".top")):
        element = page.locator(selector).first
        element.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
        ring = element.evaluate("e => getComputedStyle(e).outlineColor")
        behind = page.locator(background).first.evaluate("e => getComputedStyle(e).backgroundColor")
        assert element.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
        assert contrast(ring, behind) >= 3, (selector, ring, behind)


def test_a_chart_value_shows_its_figure_on_keyboard_focus(page: Page, site: Site) -> None:  # noqa: F811
    log_in(page, site, "chef")
    page.goto(f"{site.base}/statistics/report/diagnosis-groups")
    mark = page.locator("svg.chart [tabindex='0']").first
    mark.focus()
    tip = page.locator(".chart-tip")
    expect(tip).to_be_visible()
    assert tip.inner_text() == mark.get_attribute("aria-label")


def test_the_api_docs_come_from_the_package_without_a_cdn(page: Page, site: Site) -> None:  # noqa: F811
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{site.base}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("rehabkoll")
    assert all(url.startswith(site.base) or url.startswith("data:") for url in requested)
