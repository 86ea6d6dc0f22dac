"""The overview's counts of the day, each a link to the list behind it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import Engine

from rehabkoll.accounts import service as accounts
from rehabkoll.coordination import service as coordination
from rehabkoll.db.session import session_scope
from tests.factories import UNIT
from tests.web.conftest import Data, Login

TODAY = date.today()


def count(html: str, label: str) -> tuple[int, str]:
    match = re.search(rf'<a href="([^"]+)"[^>]*><strong>(\d+)</strong> {label}', html)
    assert match, label
    return int(match.group(2)), match.group(1)


def test_the_overview_counts_what_needs_doing_today(
    as_user: Login, data: Data, engine: Engine
) -> None:
    with session_scope(engine) as session:
        koord = accounts.get_user(session, username="koord")
        assert koord is not None
        for title, due in (("Ring", TODAY - timedelta(days=2)), ("Boka", TODAY)):
            coordination.add_task(
                session,
                patient_id=data.bertil,
                unit_id=UNIT,
                title=title,
                due=due,
                assignee="lakare",
                user=koord,
            )
    html = as_user("koord").get("/").text
    # Anna (day 101): day 90 passed 11 days ago with no contact since. Bertil
    # (day 21, ends in 10 days): his task is two days late. Cecilia is
    # protected, not the coordinator's to see.
    assert count(html, "sjukfall behöver åtgärd") == (2, "/cases?view=attention")
    # The unit's tasks, whoever they are for: one two days late, one due today.
    assert count(html, "uppgifter försenade") == (1, "/tasks/unit")
    assert count(html, "uppgifter att göra i dag") == (1, "/tasks/unit")
    # Anna ends in 20 days, Bertil in 10: neither within the week (at most 6 days ahead).
    assert count(html, "intyg slutar denna vecka")[0] == 0
    # First visit: new since a week ago; Anna started 100 days ago, Bertil 20.
    since = (TODAY - timedelta(days=7)).isoformat()
    assert count(html, f"nya sjukfall sedan {since}")[0] == 0


def test_a_manager_sees_no_patient_counts(as_user: Login) -> None:
    html = as_user("chef").get("/").text
    assert "behöver åtgärd" not in html
