"""Editing an agreement in Debian's Chromium, at 1440 and 390 px: a bad
amount is named beside its field with the typing kept, a threshold is saved;
no serious axe violation; no sideways scrolling on a phone. Takes
docs/screenshots/agreement-edit*.png when REHABKOLL_SCREENSHOTS is set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.test_accessibility import serious
from tests.web.test_agreement import _setup
from tests.web.test_agreement_browser import browser, log_in, new_page
from tests.web.test_browser import serve_site

pytestmark = pytest.mark.browser

from playwright.sync_api import Browser, expect  # noqa: E402

__all__ = ["browser"]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_site(tmp_path_factory, "agreement-edit", _setup) as served:
        yield served.base


@pytest.mark.parametrize("width", [1440, 390])
def test_editing_an_agreement_field_by_field(browser: Browser, base: str, width: int) -> None:
    page = new_page(browser, width=width)
    log_in(page, base, "nationell")
    page.goto(f"{base}/agreement/2016")
    page.get_by_role("link", name="Redigera överenskommelsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Redigera överenskommelsen 2016")
    assert serious(page) == []
    # A negative total: refused, named beside the field, the typing kept.
    page.get_by_label("Rubrik", exact=True).first.fill(f"Överenskommelsen 2016 ({width})")
    page.get_by_label("Totalbelopp").fill("-5")
    page.get_by_role("button", name="Spara uppgifterna").click()
    expect(page.get_by_text("Totalbelopp: får inte vara negativt")).to_be_visible()
    expect(page.get_by_label("Totalbelopp")).to_have_value("-5")
    expect(page.get_by_label("Rubrik", exact=True).first).to_have_value(
        f"Överenskommelsen 2016 ({width})"
    )
    assert serious(page) == []
    if width == 1440 and os.environ.get("REHABKOLL_SCREENSHOTS"):
        page.screenshot(path=str(SHOTS / "agreement-edit-error.png"), full_page=True)
    page.get_by_label("Totalbelopp").fill("1 500 000 000")
    page.get_by_role("button", name="Spara uppgifterna").click()
    expect(page.get_by_text("Ändringen är sparad.")).to_be_visible()
    # A threshold on condition 1's first indicator, with a decimal comma.
    page.get_by_text("Villkor 1:").click()
    page.get_by_label("Tröskel").first.fill("80,5")
    page.get_by_role("button", name="Spara villkoret").click()
    expect(page.get_by_text("Ändringen är sparad.")).to_be_visible()
    page.get_by_text("Villkor 1:").click()
    expect(page.get_by_label("Tröskel").first).to_have_value("80,5")
    sideways = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not sideways
    if os.environ.get("REHABKOLL_SCREENSHOTS"):
        name = "agreement-edit.png" if width == 1440 else "agreement-edit-390.png"
        page.screenshot(path=str(SHOTS / name), full_page=True)
    page.context.close()
