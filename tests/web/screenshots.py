"""Screenshots of the main pages for docs/screenshots, from headless Debian
Chromium against a served database (synthetic data only):

    .venv/bin/rehabkoll synth --out /tmp/demo.jsonl --insured 30000 --years 2
    .venv/bin/rehabkoll import /tmp/demo.jsonl --db sqlite:////tmp/demo.db
    .venv/bin/python -m tests.web.screenshots --db sqlite:////tmp/demo.db --unit UNIT_ID

Best on ``rehabkoll demo``'s database (its busiest unit has coordination
records): ``--db sqlite:///$PWD/demo/rehabkoll-demo.db``. Creates the user
``demo-koord`` (coordinator of the unit) if missing and writes overview.png,
worklist.png, worklist-attention.png, worklist-390.png, patient.png,
patient-390.png, coordination.png (with a refused contact, the typing
kept) and coordination-correction.png (a contact corrected, its history
open). The statistics pages: ``screenshots_statistics``.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import uvicorn
from playwright.sync_api import Page, sync_playwright

from rehabkoll.accounts import service as accounts
from rehabkoll.db.session import open_database, session_scope
from rehabkoll.web.app import create_app

PASSWORD = "demo-lösenord-123"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=sv-SE",
]


def ensure_user(
    db: str, username: str, *, role: str, unit_ids: list[str], full_name: str | None = None
) -> None:
    """Create the screenshot user if missing (all share ``PASSWORD``); with
    ``full_name``, the name the pages show for what the user writes."""
    with session_scope(open_database(db)) as session:
        user = accounts.get_user(session, username=username)
        if user is None:
            user = accounts.create_user(
                session, username=username, role=role, unit_ids=unit_ids, password=PASSWORD
            )
        elif user.role != role:
            raise SystemExit(f"{username} exists with role {user.role}, not {role}")
        if full_name is not None:
            user.full_name = full_name


@contextmanager
def served(db: str) -> Iterator[str]:
    """The web app on the database, on a free loopback port; yields its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True


@contextmanager
def browser_page(width: int = 1440) -> Iterator[Page]:
    """A page of headless Debian Chromium (no browser download)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=ARGS,
            env={**os.environ, "LANG": "sv_SE.UTF-8", "LANGUAGE": "sv"},  # date fields ÅÅÅÅ-MM-DD
        )
        try:
            yield browser.new_page(
                viewport={"width": width, "height": 900},
                locale="sv-SE",
                timezone_id="Europe/Stockholm",
            )
        finally:
            browser.close()


def log_in(page: Page, base: str, username: str) -> None:
    """Log in with ``PASSWORD``, accepting the PDL notice on the first login."""
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    if page.url.endswith("/notice"):
        page.get_by_role("button", name="Jag har förstått och godkänner").click()
        page.wait_for_load_state()


def pick_patient(page: Page, base: str, low: int = 150, high: int = 400) -> str:
    """The reference of a listed patient whose case is ``low``–``high`` days long
    (its timeline shows several milestones), else the first one."""
    page.goto(f"{base}/cases?sort=days&dir=desc")
    refs: list[str] = []
    for row in page.locator("#cases tbody tr").all():
        href = row.get_attribute("data-href") or ""
        match = re.match(r"/patients/([A-Za-z0-9_-]+)", href)
        days = row.locator("td.col-days").inner_text().strip()
        if match and days.isdigit():
            refs.append(match.group(1))
            if low <= int(days) <= high:
                return match.group(1)
    return refs[0]


def correct_a_contact(page: Page, base: str, ref: str) -> None:
    """Correct the newest contact of the record (added first if there is
    none) and open its history: the text first written, who changed it, why."""
    page.goto(f"{base}/patients/{ref}/coordination")
    entries = page.locator("#contact li[id^='contact-']")
    if entries.count() == 0:
        form = page.locator("#contact-form")
        form.get_by_label("Sammanfattning").fill("Samtal om återgång på heltid från måndag.")
        form.get_by_role("button", name="Registrera kontakt").click()
        page.wait_for_load_state()
    entry = entries.first
    entry_id = entry.get_attribute("id")
    summary = entry.get_by_label("Sammanfattning")
    entry.get_by_text("Rätta", exact=True).click()
    summary.fill("Samtal om återgång på halvtid från måndag, heltid om fyra veckor.")
    entry.get_by_label("Anledning till rättelsen").fill("Omfattningen var fel antecknad")
    entry.get_by_role("button", name="Spara rättelse").click()
    page.wait_for_load_state()
    history = page.locator(f"#{entry_id} details.history")
    history.locator("summary").click()
    page.locator("#contact").scroll_into_view_if_needed()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--unit", required=True)
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    ensure_user(
        args.db,
        "demo-koord",
        role="coordinator",
        unit_ids=[args.unit],
        full_name="Maja Demo-Ström",
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with served(args.db) as base, browser_page() as page:
        log_in(page, base, "demo-koord")
        page.goto(f"{base}/")
        page.screenshot(path=out / "overview.png", full_page=True)
        page.goto(f"{base}/cases")
        page.screenshot(path=out / "worklist.png")
        page.goto(f"{base}/cases?view=attention")
        page.screenshot(path=out / "worklist-attention.png")
        ref = pick_patient(page, base)
        page.goto(f"{base}/patients/{ref}")
        page.screenshot(path=out / "patient.png", full_page=True)
        # The coordination record with a refused contact: the typing kept, the
        # message beside the field (the browser's own max check lifted, as an
        # old browser would not have it).
        page.goto(f"{base}/patients/{ref}/coordination")
        tomorrow = (date.today() + timedelta(days=1)).isoformat()
        day = page.locator("#contact-day")
        day.evaluate("e => e.removeAttribute('max')")
        day.fill(tomorrow)
        page.locator("#contact-summary").fill("Samtal med chefen om anpassade arbetsuppgifter.")
        page.get_by_role("button", name="Registrera kontakt").click()
        page.wait_for_load_state()
        page.locator("#contact").scroll_into_view_if_needed()
        page.screenshot(path=out / "coordination.png", full_page=True)
        correct_a_contact(page, base, ref)
        page.locator("#contact").screenshot(path=out / "coordination-correction.png")
    with browser_page(width=390) as page, served(args.db) as base:
        log_in(page, base, "demo-koord")
        page.goto(f"{base}/cases")
        page.screenshot(path=out / "worklist-390.png")
        page.goto(f"{base}/patients/{ref}")
        page.screenshot(path=out / "patient-390.png", full_page=True)
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
