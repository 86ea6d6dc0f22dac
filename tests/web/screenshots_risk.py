"""Screenshots of the work list's Risk column for docs/screenshots, from
headless Debian Chromium (synthetic data only), on the demo's database (which
trains a risk model on its first run):

    .venv/bin/rehabkoll demo --dir /tmp/demo --no-serve
    .venv/bin/python -m tests.web.screenshots_risk \\
        --db sqlite:////tmp/demo/rehabkoll-demo.db --unit UNIT_ID

Writes risk-worklist.png (1440 px, sorted on Risk, highest first, the tip of
the first row shown by keyboard focus), risk-worklist-narrow.png (390 px
cards) and risk-attention.png ("Behöver åtgärd" with "Mycket hög risk, ingen
kontakt").
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tests.web.screenshots import browser_page, ensure_user, log_in, served


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--unit", required=True)
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    ensure_user(args.db, "demo-koord", role="coordinator", unit_ids=[args.unit])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with served(args.db) as base:
        for width, suffix in ((1440, ""), (390, "-narrow")):
            with browser_page(width) as page:
                log_in(page, base, "demo-koord")
                page.goto(f"{base}/cases?sort=risk&dir=desc")
                page.locator("#cases tbody tr .risk-dots").first.focus()
                page.screenshot(path=out / f"risk-worklist{suffix}.png")
        with browser_page(1440) as page:
            log_in(page, base, "demo-koord")
            page.goto(f"{base}/cases?view=attention")
            row = page.locator("#cases tbody tr", has_text="Mycket hög risk, ingen kontakt").first
            row.scroll_into_view_if_needed()
            row.locator(".risk-dots").focus()
            page.screenshot(path=out / "risk-attention.png")


if __name__ == "__main__":
    main()
