"""The work list's Risk column in Debian's Chromium: three dots by category,
the percent on hover and on keyboard focus, sorting, the 390 px card, the
1440 px fit and axe. The seed of tests/web/conftest.py with the test risk
model (tests/risk_helpers.py) stored as version 1."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.risk_helpers import store_model
from tests.web.test_accessibility import serious
from tests.web.test_browser import Site, case_rows, log_in, serve_site
from tests.web.test_browser_ux import new_page
from tests.web.test_fmb_browser import chromium  # noqa: F401

pytestmark = pytest.mark.browser

from playwright.sync_api import Browser, expect  # noqa: E402


@pytest.fixture(scope="module")
def risk_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with serve_site(tmp_path_factory, "risk-browser", store_model) as served:
        yield served


def test_the_risk_column_its_percent_on_hover_and_focus(
    chromium: Browser,  # noqa: F811
    risk_site: Site,
) -> None:
    data = risk_site.data
    page = new_page(chromium, 1440)
    log_in(page, risk_site, "koord")
    page.goto(f"{risk_site.base}/cases")
    expect(page.locator('th[data-key="risk"]')).to_have_text("Risk")
    bertil = page.locator("#cases tbody tr", has_text=data.bertil)
    cell = bertil.locator("td.risk")
    expect(cell.locator(".dot")).to_have_count(3)
    filled = cell.locator(".dot.filled").count()
    assert 1 <= filled <= 3
    category = ["Måttlig risk", "Hög risk", "Mycket hög risk"][filled - 1]
    expect(cell.locator(".sr-only")).to_have_text(category)  # what a screen reader hears
    tip = cell.locator(".tip")
    expect(tip).to_be_hidden()
    cell.locator(".risk-dots").focus()  # by keyboard
    expect(tip).to_be_visible()
    expect(tip).to_contain_text(re.compile(rf"{category}: \d+ % risk för sjukfall >90 dagar"))
    expect(tip).to_contain_text("(omräknad efter 15 dagar)")  # 21 days covered
    expect(tip).to_contain_text("Modellversion 1")
    page.mouse.move(0, 0)
    page.locator("#caption-cases").click()
    expect(tip).to_be_hidden()
    cell.locator(".risk-dots").hover()  # and by pointer
    expect(tip).to_be_visible()

    # Sorting on the column: by category, then the percent; both ways.
    def percents() -> list[int]:
        texts = page.locator("#cases tbody td.risk .tip").all_inner_texts()
        return [int(re.search(r"(\d+) %", t).group(1)) for t in texts]  # type: ignore[union-attr]

    page.locator('th[data-key="risk"] a').click()
    expect(page.locator('th[data-key="risk"]')).to_have_attribute("aria-sort", "ascending")
    levels = [r.locator(".dot.filled").count() for r in page.locator("#cases tbody tr").all()]
    assert levels == sorted(levels)
    page.locator('th[data-key="risk"] a').click()
    expect(page.locator('th[data-key="risk"]')).to_have_attribute("aria-sort", "descending")
    levels_down = [r.locator(".dot.filled").count() for r in page.locator("#cases tbody tr").all()]
    assert levels_down == sorted(levels_down, reverse=True)
    assert len(percents()) == len(case_rows(page))

    # Still fits 1440 px with the column shown by default.
    widths = page.locator(".cases-wrap").evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1], widths
    for box in [h.bounding_box() for h in page.locator("#cases thead th").all()]:
        assert box is not None
        assert box["x"] + box["width"] <= 1440
    assert serious(page) == []
    page.goto(f"{risk_site.base}/cases?view=attention")
    assert serious(page) == []
    page.context.close()


def test_the_risk_shows_on_the_390_px_cards(
    chromium: Browser,  # noqa: F811
    risk_site: Site,
) -> None:
    page = new_page(chromium, 390)
    log_in(page, risk_site, "koord")
    page.goto(f"{risk_site.base}/cases")
    card = page.locator("#cases tbody tr", has_text=risk_site.data.bertil)
    expect(card.locator("td.risk")).to_be_visible()
    card.locator(".risk-dots").focus()
    expect(card.locator(".tip")).to_be_visible()
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    page.context.close()


def test_without_a_model_the_column_says_not_computed(
    chromium: Browser,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with serve_site(tmp_path_factory, "risk-none") as site:
        page = new_page(chromium, 1440)
        log_in(page, site, "koord")
        page.goto(f"{site.base}/cases")
        cell = page.locator("#cases tbody tr", has_text=site.data.bertil).locator("td.risk")
        expect(cell).to_have_text("ej beräknad")
        expect(cell.locator(".risk-none")).to_have_attribute("title", "Ingen riskmodell är tränad")
        page.context.close()
