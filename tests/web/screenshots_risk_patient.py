"""Screenshots of the risk on the patient page, the doctor's view and the
calibration page for docs/screenshots, from headless Debian Chromium
(synthetic data only):

    .venv/bin/rehabkoll synth --insured 20000 --years 3 --end-date 2026-12-05 --seed 5 \
        --out /tmp/r.jsonl
    .venv/bin/rehabkoll import /tmp/r.jsonl --db sqlite:////tmp/r.db --no-fmb-notices
    .venv/bin/rehabkoll fmb import ../shared/data/fmb --db sqlite:////tmp/r.db
    .venv/bin/rehabkoll risk train --as-of 2026-06-30 --db sqlite:////tmp/r.db
    .venv/bin/python -m tests.web.screenshots_risk_patient --db sqlite:////tmp/r.db

Picks the busiest unit and an ongoing psychiatric case of 100–170 days there
(past day 90: three questions on its chart);
creates ``demo-koord`` and ``demo-lakare`` (the case's doctor) if missing.
Writes risk-opinion-error.png (the doctor saved without a choice),
risk-patient.png and risk-patient-390.png (the coordinator's view, with the
doctor's view given), risk-calibration.png and risk-calibration-390.png.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from rehabkoll.accounts import service as accounts
from rehabkoll.cases import service as cases_service
from rehabkoll.certificates.models import Certificate, Patient
from rehabkoll.db.session import open_database, session_scope
from tests.web.screenshots import PASSWORD, browser_page, ensure_user, log_in, served


def pick(db: str) -> tuple[str, str, str, str]:
    """(unit, patient ref, case start, doctor HSA id) of a case worth showing."""
    today = date.today()
    with session_scope(open_database(db)) as session:
        unit = str(
            session.scalars(
                select(Certificate.unit_id)
                .group_by(Certificate.unit_id)
                .order_by(func.count().desc())
                .limit(1)
            ).one()
        )
        rows = cases_service.work_list(session, unit_id=unit, as_of=today)
        row = next(
            r
            for r in rows
            if r.diagnosis.startswith("F") and 100 <= (today - r.start).days <= 170 and r.degree
        )
        ref = session.scalar(select(Patient.ref).where(Patient.id == row.patient_id))
        user = accounts.get_user(session, username="demo-lakare")
        if user is not None:
            user.hsa_id = row.doctor_id  # the doctor of the case picked this time
        else:
            accounts.create_user(
                session,
                username="demo-lakare",
                role="doctor",
                unit_ids=[unit],
                password=PASSWORD,
                hsa_id=row.doctor_id,
            )
        return unit, str(ref), row.start.isoformat(), row.doctor_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    unit, ref, start, _ = pick(args.db)
    ensure_user(args.db, "demo-koord", role="coordinator", unit_ids=[unit])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    section = f"#risk-{start}"
    with served(args.db) as base:
        with browser_page(1440) as page:
            log_in(page, base, "demo-lakare")
            page.goto(f"{base}/patients/{ref}")
            page.locator(section).get_by_role("button", name="Spara bedömningen").click()
            page.locator(f"{section} .field-error").wait_for()
            page.locator(section).screenshot(path=out / "risk-opinion-error.png")
            page.locator(section).get_by_label("Högre").check()
            page.locator(section).get_by_role("button", name="Spara bedömningen").click()
            page.locator(f"{section} .flash").wait_for()
        for width, suffix in ((1440, ""), (390, "-390")):
            with browser_page(width) as page:
                log_in(page, base, "demo-koord")
                page.goto(f"{base}/patients/{ref}")
                page.locator(f"{section} details.risk-estimates").evaluate("d => d.open = true")
                page.locator(f"{section}").evaluate("e => e.closest('section').scrollIntoView()")
                page.locator(section).locator("xpath=ancestor::section[1]").screenshot(
                    path=out / f"risk-patient{suffix}.png"
                )
                page.goto(f"{base}/statistics/risk-calibration?from=2024-01&to=2026-08")
                page.screenshot(path=out / f"risk-calibration{suffix}.png", full_page=True)


if __name__ == "__main__":
    main()
