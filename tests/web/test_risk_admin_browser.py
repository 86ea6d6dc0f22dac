"""The risk model's admin page in Debian's Chromium at 1440 and 390 px: train
a model from the form, follow the status page that refreshes itself (no
JavaScript), evaluate, see the figures and the plots; axe on each page.

docs/screenshots/risk-admin.png and risk-admin-evaluation.png are this
test's 1440 px screenshots (run with ``--basetemp``, then copy
``risk-admin-models-1440.png`` and ``risk-admin-1440.png``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from rehabkoll.cli import app
from tests.test_risk_cli import _region
from tests.web.test_accessibility import serious
from tests.web.test_browser import Site, log_in, serve_site
from tests.web.test_browser_ux import new_page
from tests.web.test_fmb_browser import chromium  # noqa: F401

pytestmark = pytest.mark.browser

from playwright.sync_api import Browser, expect  # noqa: E402


@pytest.fixture(scope="module")
def region_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("risk-admin-region")

    def load(engine: Engine) -> None:
        url = engine.url.render_as_string(hide_password=False)
        done = CliRunner().invoke(app, ["import", str(_region(folder / "r.jsonl")), "--db", url])
        assert done.exit_code == 0, done.output

    with serve_site(tmp_path_factory, "risk-admin-browser", load) as served:
        yield served


@pytest.mark.parametrize("width", [1440, 390])
def test_train_and_evaluate_in_the_browser(
    chromium: Browser,  # noqa: F811
    region_site: Site,
    width: int,
    tmp_path: Path,
) -> None:
    page = new_page(chromium, width)
    log_in(page, region_site, "admin")
    page.goto(f"{region_site.base}/admin/risk")
    expect(page.get_by_role("heading", name="Riskmodellen", exact=True)).to_be_visible()
    assert serious(page) == []

    # A bad date is kept, with its message beside the field.
    page.get_by_label("Utfall kända").first.fill("2023-13-01")
    page.get_by_role("button", name="Träna ny modell").click()
    expect(page.locator("#train-as_of-error")).to_contain_text("2023-13-01 är inget datum")
    expect(page.locator("#train-as_of")).to_have_value("2023-13-01")
    assert serious(page) == []

    page.locator("#train-as_of").fill("2023-01-01")
    page.get_by_role("button", name="Träna ny modell").click()
    # The status page reloads itself every other second until the model is stored.
    expect(page.get_by_text("är sparad och gäller från och med nu")).to_be_visible(timeout=90_000)
    assert serious(page) == []

    page.get_by_role("link", name="← Riskmodellen").click()
    expect(page.get_by_text("Gäller").first).to_be_visible()
    page.screenshot(path=tmp_path / f"risk-admin-models-{width}.png", full_page=True)
    page.locator("#evaluate-from").fill("2023-01-02")
    page.locator("#evaluate-to").fill("2023-03-06")
    page.locator("#evaluate-as_of").fill("2024-06-01")
    page.get_by_role("button", name="Utvärdera").click()
    table = page.locator("#evaluation")
    expect(table).to_be_visible(timeout=90_000)
    expect(table.locator("tbody tr").first).to_contain_text("Alla")
    expect(table).to_contain_text("Kvinnor")
    plot = page.get_by_role("img", name="Förutsagd mot observerad andel", exact=False)
    expect(plot).to_be_visible()
    box = plot.bounding_box()
    assert box is not None
    assert box["width"] <= width  # scaled down on a phone
    sideways = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert sideways <= 0
    expect(page.get_by_role("link", name="PDF")).to_be_visible()
    assert serious(page) == []
    page.screenshot(path=tmp_path / f"risk-admin-{width}.png", full_page=True)
    page.context.close()
