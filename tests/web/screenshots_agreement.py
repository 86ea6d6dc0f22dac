"""Screenshots of the agreement follow-up pages for docs/screenshots, from
headless Debian Chromium against the demo database (synthetic data only):

    .venv/bin/rehabkoll demo --dir /tmp/demo --no-serve
    .venv/bin/python -m tests.web.screenshots_agreement --db sqlite:////tmp/demo/rehabkoll-demo.db

Creates ``demo-nationell`` and ``demo-samordnare`` (the synthetic region's
coordinator) if missing, and writes agreement-*.png at 1440 and 390 px wide.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from rehabkoll.accounts import service as accounts
from rehabkoll.agreement import demo_data, service
from rehabkoll.db.session import open_database, session_scope
from tests.web.screenshots import browser_page, ensure_user, log_in, served


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    ensure_user(args.db, "demo-nationell", role="national_coordinator", unit_ids=[])
    ensure_user(args.db, "demo-samordnare", role="region_coordinator", unit_ids=[])
    with session_scope(open_database(args.db)) as session:
        found = demo_data.synthetic_region(session)
        assert found, "no synthetic region in the database"
        region = found[0]
        user = accounts.get_user(session, username="demo-samordnare")
        assert user is not None
        service.set_coordinator_region(session, user=user, region=region, by=None)
    year = date.today().year
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with served(args.db) as base:
        for width, suffix in ((1440, ""), (390, "-390")):
            with browser_page(width) as page:
                log_in(page, base, "demo-nationell")
                for path, name in (
                    ("/agreement", "history"),
                    ("/agreement/2016", "year"),
                    ("/agreement/2016/allocation", "allocation"),
                ):
                    page.goto(base + path)
                    page.screenshot(path=out / f"agreement-{name}{suffix}.png", full_page=True)
                log_in(page, base, "demo-samordnare")
                page.goto(f"{base}/agreement/{year}/region/{region}")
                page.screenshot(path=out / f"agreement-region{suffix}.png", full_page=True)


if __name__ == "__main__":
    main()
