"""The patient page's risk section and the doctor's view in Debian's
Chromium, at 1440 and 390 px, with axe-core: the coordinator sees the risk,
its chart (focusable estimates) and the doctor's view; the doctor submits
without a choice (the message beside the choices), then with one (saved,
shown as chosen). The seed of tests/web/conftest.py with the test model of
tests/risk_helpers.py; Anna's case is 100 days old, her doctor is lakare;
Bertil's 20 days, his doctor lakare2."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.risk_helpers import store_model
from tests.web.conftest import day
from tests.web.test_accessibility import serious
from tests.web.test_browser import Site, log_in, serve_site
from tests.web.test_browser_ux import new_page
from tests.web.test_fmb_browser import chromium  # noqa: F401

pytestmark = pytest.mark.browser

from playwright.sync_api import Browser, expect  # noqa: E402

ANNA_START = day(-100)
WIDTHS = (1440, 390)


@pytest.fixture(scope="module")
def risk_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with serve_site(tmp_path_factory, "risk-browser", store_model) as served:
        yield served


# Each width its own doctor and patient: a view given stays chosen on the page.
CASES = [(1440, "lakare", "anna", ANNA_START), (390, "lakare2", "bertil", day(-20))]


@pytest.mark.parametrize(("width", "doctor_name", "patient", "start"), CASES)
def test_the_doctor_gives_a_view_and_the_coordinator_sees_it(
    chromium: Browser,  # noqa: F811
    risk_site: Site,
    width: int,
    doctor_name: str,
    patient: str,
    start: str,
) -> None:
    anna = f"{risk_site.base}/patients/{risk_site.refs[getattr(risk_site.data, patient)]}"
    section = f"#risk-{start}"
    doctor = new_page(chromium, width)
    log_in(doctor, risk_site, doctor_name)
    doctor.goto(anna)
    panel = doctor.locator(section)
    expect(panel.locator(".risk-value")).to_have_text(re.compile(r"^\d{1,3},\d\s%$"))
    expect(panel.locator(".risk-category")).to_contain_text("risk")
    expect(panel.locator("svg.risk-chart")).to_be_visible()
    # Each estimate on the chart is reachable by keyboard, with its text.
    point = panel.locator("svg.risk-chart [tabindex='0']").first
    point.focus()
    expect(point).to_have_attribute("aria-label", re.compile(r"^Dag \d+, risk >\d+ dagar: \d"))
    # Saving without a choice: the message beside the choices, the page whole.
    panel.get_by_role("button", name="Spara bedömningen").click()
    problem = doctor.locator(f"{section} .field-error")
    expect(problem).to_contain_text("Välj en av bedömningarna")
    assert serious(doctor) == [], "the form with its problem"
    doctor.locator(section).get_by_label("Lägre").check()
    doctor.locator(section).get_by_role("button", name="Spara bedömningen").click()
    expect(doctor.locator(f"{section} .flash")).to_have_text("Din bedömning av risken har sparats.")
    expect(doctor.locator(section).get_by_label("Lägre")).to_be_checked()
    assert serious(doctor) == []
    doctor.context.close()

    coordinator = new_page(chromium, width)
    log_in(coordinator, risk_site, "koord")
    coordinator.goto(anna)
    views = coordinator.locator(f"{section} ul.risk-opinions li")
    expect(views.first).to_contain_text(f"Lägre: {doctor_name}")
    expect(coordinator.locator(f"{section} form.risk-opinion")).to_have_count(0)
    assert serious(coordinator) == []
    coordinator.locator(section).scroll_into_view_if_needed()
    coordinator.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_calibration_page_is_accessible(
    chromium: Browser,  # noqa: F811
    risk_site: Site,
    width: int,
) -> None:
    page = new_page(chromium, width)
    log_in(page, risk_site, "chef")
    page.goto(f"{risk_site.base}/statistics/risk-calibration?period=month")
    expect(page.get_by_role("heading", name="Riskmodellens kalibrering")).to_be_visible()
    expect(page.locator("#calibration-over-time")).to_be_visible()
    assert serious(page) == []
    page.context.close()
