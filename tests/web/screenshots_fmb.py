"""Screenshots of FMB in the work list and on the patient page for
docs/screenshots, from headless Debian Chromium (synthetic data only):

    .venv/bin/rehabkoll synth --out /tmp/demo.jsonl --insured 20000 --years 2
    .venv/bin/rehabkoll import /tmp/demo.jsonl --db sqlite:////tmp/demo.db --no-fmb-notices
    .venv/bin/rehabkoll fmb import ../shared/data/fmb --db sqlite:////tmp/demo.db
    .venv/bin/python -m tests.web.screenshots_fmb --db sqlite:////tmp/demo.db --unit UNIT_ID

Writes fmb-worklist.png (sorted on FMB, the tip of the first mark shown),
fmb-patient.png (the first case over its recommendation) and the same two at
390 px wide (fmb-worklist-narrow.png, fmb-patient-narrow.png).
"""

from __future__ import annotations

import argparse
import re
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
                page.goto(f"{base}/cases?sort=fmb&dir=desc")
                # the first case over a recommendation of some days (not of
                # none) with a diagnosis that has "tänk på" advice
                row = (
                    page.locator("tr:has(.fmb-mark)")
                    .filter(has_not_text=" 0 d")
                    .filter(has_text=re.compile(r"\b(F32|F43|M54|M75|S82)"))
                    .first
                )
                row.locator(".fmb-mark").focus()
                page.screenshot(path=out / f"fmb-worklist{suffix}.png")
                link = row.locator("a[href^='/patients/']").first.get_attribute("href") or ""
                ref = re.sub(r"^/patients/|\?.*$", "", link)
                page.goto(f"{base}/patients/{ref}")
                page.locator("details.typical-cases").first.evaluate("d => d.open = true")
                page.screenshot(path=out / f"fmb-patient{suffix}.png", full_page=True)


if __name__ == "__main__":
    main()
