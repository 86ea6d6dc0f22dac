"""End to end in Debian's Chromium (Playwright, no downloaded browser): one live
server on a free loopback port and one browser for the whole module."""

from __future__ import annotations

import io
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from rehabkoll.certificates.models import Patient
from rehabkoll.db.session import make_engine, session_scope, upgrade
from tests.factories import OTHER_UNIT
from tests.web.conftest import PASSWORD, Data, seed

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=sv-SE",
]


class Swedish(TypedDict):
    locale: str
    timezone_id: str


SWEDISH: Swedish = {"locale": "sv-SE", "timezone_id": "Europe/Stockholm"}
"""Every browser context of the tests: a Swedish user's browser (times are
Stockholm's, Intl formats Swedish), whatever the machine's locale."""
CHROMIUM_ENV: dict[str, str | float | bool] = {
    **os.environ,
    "LANG": "sv_SE.UTF-8",
    "LANGUAGE": "sv",
}
"""On Linux, Chromium takes its own language (which orders a date field's
parts: ÅÅÅÅ-MM-DD) from these, not from ``--lang``; it needs Debian's
chromium-l10n (scripts/install-chromium.sh), else it stays mm/dd/yyyy."""

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {CHROMIUM} is missing: run scripts/install-chromium.sh")
    pytest.skip(
        f"{CHROMIUM} is missing (Debian's chromium; scripts/install-chromium.sh installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Site:
    def __init__(self, base: str, data: Data, refs: dict[str, str]) -> None:
        self.base = base
        self.data = data
        self.refs = refs


@contextmanager
def serve_site(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    prepare: Callable[[Engine], object] | None = None,
) -> Iterator[Site]:
    """The web tests' data (and what ``prepare`` adds to it) in a new SQLite
    file, served by uvicorn on a free loopback port for as long as the block
    runs; passwords hashed cheaply, no login slowdown."""
    import uvicorn
    from argon2 import PasswordHasher

    from rehabkoll.accounts import service as accounts
    from rehabkoll.web.app import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'web.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        )
        data = seed(engine)
        if prepare is not None:
            prepare(engine)
        with session_scope(engine) as session:
            refs = {str(i): str(r) for i, r in session.execute(select(Patient.id, Patient.ref))}
        engine.dispose()
        app = create_app(url)
        app.state.login_delay_scale = 0.0
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "the live server did not start"
        yield Site(f"http://127.0.0.1:{port}", data, refs)
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with serve_site(tmp_path_factory, "browser") as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=CHROMIUM_ENV
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        accept_downloads=True, viewport={"width": 1366, "height": 900}, **SWEDISH
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page: Page, site: Site, username: str) -> None:
    page.goto(f"{site.base}/login")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    if page.url.endswith("/notice"):
        page.get_by_role("button", name="Jag har förstått och godkänner").click()


def case_rows(page: Page) -> list[str]:
    return page.locator("#cases tbody tr").all_inner_texts()


def test_a_coordinators_day(page: Page, site: Site, tmp_path: Path) -> None:
    data = site.data
    log_in(page, site, "koord")
    page.get_by_role("link", name="Pågående sjukfall", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pågående sjukfall")
    assert len(case_rows(page)) == 2

    # Filter on a diagnosis chapter, then clear.
    page.locator("details.panel", has_text="Filter").locator("summary").click()
    page.get_by_label("Diagnoskapitel").select_option("M")
    page.get_by_role("button", name="Filtrera").click()
    rows = case_rows(page)
    assert len(rows) == 1
    assert data.bertil in rows[0]
    page.get_by_role("button", name="Rensa filter").click()
    assert len(case_rows(page)) == 2

    # Sort by days, both ways.
    page.locator('th[data-key="days"] a').click()
    assert data.bertil in case_rows(page)[0]
    page.locator('th[data-key="days"] a').click()
    assert data.anna in case_rows(page)[0]

    # Open Anna and keep her coordination record.
    page.locator("#cases tbody tr", has_text=data.anna).locator("a.row-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test Testsson")
    expect(page.locator("svg.timeline").first).to_be_visible()
    page.get_by_role("link", name="Koordinering", exact=True).click()

    page.get_by_label("Arbetsgivare").check()
    page.get_by_label("Försäkringskassan").check()
    page.get_by_role("button", name="Registrera samtycke").click()
    expect(page.locator(".flash")).to_have_text("Samtycket har registrerats.")

    page.get_by_label("Part").select_option("employer")
    page.get_by_label("Kontaktsätt").select_option("phone")
    page.get_by_label("Sammanfattning").fill("Samtal med chefen om anpassning")
    page.get_by_role("button", name="Registrera kontakt").click()
    expect(page.locator(".flash")).to_have_text("Kontakten har registrerats.")

    page.get_by_label("Typ").select_option("reconciliation")
    page.get_by_label("Deltagare (kommaseparerade)").fill("Patienten, handläggare FK")
    page.get_by_label("Resultat").fill("Upptrappning planerad")
    page.get_by_role("button", name="Registrera möte").click()
    expect(page.locator(".flash")).to_have_text("Mötet har registrerats.")

    page.locator("#plan-form").get_by_label("Plan", exact=True).select_option("closing_plan")
    page.get_by_label("Innehåll").fill("Åter i arbete på heltid")
    page.get_by_label("Ansvarig", exact=True).fill("koord")
    page.get_by_role("button", name="Spara plan").click()
    expect(page.locator(".flash")).to_have_text("Planen har sparats.")

    page.get_by_label("Ny status").select_option("active")
    page.get_by_role("button", name="Ändra status").click()
    expect(page.locator("#status")).to_contain_text("Aktiv")

    # Back in the work list: the status shows.
    page.get_by_role("link", name="Pågående sjukfall", exact=True).click()
    anna_row = page.locator("#cases tbody tr", has_text=data.anna)
    expect(anna_row).to_contain_text("Aktiv")

    # Export to Excel.
    with page.expect_download() as download:
        page.get_by_role("link", name="Exportera till Excel").click()
    target = tmp_path / "export.xlsx"
    download.value.save_as(target)
    sheet = load_workbook(io.BytesIO(target.read_bytes())).active
    exported = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]  # after Namn
    assert sorted(exported) == sorted([data.anna, data.bertil])

    # Switch unit: the other unit's patient is listed, Bertil is out of reach.
    page.get_by_label("Enhet").select_option(OTHER_UNIT)
    expect(page.locator("#cases")).to_contain_text(data.david)
    page.goto(f"{site.base}/patients/{site.refs[data.bertil]}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Åtkomst nekad")

    # Log out.
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    page.goto(f"{site.base}/cases")
    assert page.url.endswith("/login")


def test_a_doctor_sees_only_their_own_patients(page: Page, site: Site) -> None:
    data = site.data
    log_in(page, site, "lakare")
    page.get_by_role("link", name="Pågående sjukfall", exact=True).click()
    rows = case_rows(page)
    assert any(data.anna in r for r in rows)
    assert any("Skyddad personuppgift" in r for r in rows)
    assert not any(data.bertil in r for r in rows)
    page.goto(f"{site.base}/patients/{site.refs[data.bertil]}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Åtkomst nekad")
