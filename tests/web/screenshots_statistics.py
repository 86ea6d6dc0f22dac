"""Screenshots of the statistics pages for docs/screenshots (synthetic data),
from headless Debian Chromium against a served database:

    .venv/bin/rehabkoll demo --dir /tmp/analyst-demo --no-serve --insured 20000
    .venv/bin/python -m tests.web.screenshots_statistics \\
        --db sqlite:////tmp/analyst-demo/rehabkoll-demo.db --unit UNIT_ID

Creates ``demo-chef`` (manager of the unit: the unit pages) and
``demo-analytiker`` (analyst of the unit, so of its care provider: the provider
and national pages) and ``demo-admin`` if missing, writes statistics-*.png and
admin-*.png, and checks that every other report draws its chart.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from sqlalchemy import select

from rehabkoll.certificates.models import Unit
from rehabkoll.db.session import open_database, session_scope
from tests.web.screenshots import browser_page, ensure_user, log_in, served

MANAGER = "demo-chef"
ANALYST = "demo-analytiker"
# (file, page, scope: "unit", "provider" or "national", whole page)
SHOTS = (
    ("statistics-index", "/statistics", "unit", True),
    ("statistics-cases-per-month", "/statistics/report/cases-per-month", "unit", False),
    ("statistics-diagnosis-groups", "/statistics/report/diagnosis-groups", "unit", False),
    ("statistics-lengths-by-sex", "/statistics/lengths-by-sex", "unit", True),
    ("statistics-age-groups-provider", "/statistics/report/age-groups", "provider", False),
    ("statistics-lengths-national", "/statistics/report/lengths", "national", False),
    ("statistics-rates", "/statistics/report/rates", "unit", False),
    ("statistics-regions", "/statistics/regions", "national", False),
)
ADMIN = "demo-admin"
CHECKED = ("degrees", "units", "doctors", "certificates-per-case", "long-cases")
CHECKED_TOO = ("diagnosis-chapters", "rates", "coordination")


def provider_of(db: str, unit_id: str) -> str:
    with session_scope(open_database(db)) as session:
        provider = session.scalar(select(Unit.care_provider_id).where(Unit.id == unit_id))
    if provider is None:
        raise SystemExit(f"no unit {unit_id} in the database")
    return provider


def last_full_month(today: date) -> date:
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


def main() -> None:
    last = last_full_month(date.today())
    first = date(last.year - 1, last.month, 1)
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--unit", required=True)
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--from", dest="first", default=f"{first:%Y-%m}")
    parser.add_argument("--to", dest="last", default=f"{last:%Y-%m}")
    args = parser.parse_args()
    provider = provider_of(args.db, args.unit)
    ensure_user(args.db, MANAGER, role="manager", unit_ids=[args.unit])
    ensure_user(args.db, ANALYST, role="analyst", unit_ids=[args.unit])
    ensure_user(args.db, ADMIN, role="admin", unit_ids=[])
    scopes = {"unit": "", "provider": f"scope=provider:{provider}&", "national": "scope=national&"}
    period = f"from={args.first}&to={args.last}"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with served(args.db) as base, browser_page(width=1280) as page:
        for user, kinds in ((MANAGER, ("unit",)), (ANALYST, ("provider", "national"))):
            log_in(page, base, user)
            for name, path, scope, full_page in SHOTS:
                if scope in kinds:
                    page.goto(f"{base}{path}?{scopes[scope]}{period}")
                    page.screenshot(path=out / f"{name}.png", full_page=full_page)
        log_in(page, base, ADMIN)
        page.goto(f"{base}/admin/users")
        page.screenshot(path=out / "admin-users.png", full_page=True)
        page.goto(f"{base}/admin/users/{MANAGER}")
        page.screenshot(path=out / "admin-user.png", full_page=True)
        log_in(page, base, ANALYST)
        for name in (*CHECKED, *CHECKED_TOO):
            page.goto(f"{base}/statistics/report/{name}?{scopes['provider']}{period}")
            if "<svg" not in page.content():
                raise SystemExit(f"the {name} report drew no chart")
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
