"""The overview's counts of the day, each leading to the list behind it: cases
needing action, tasks due today and overdue, certificates ending this week,
new cases since the user's last visit. Counts only: no patient is named here,
so nothing is logged (the lists they lead to log what they show)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from rehabkoll.accounts import access
from rehabkoll.accounts import service as accounts
from rehabkoll.coordination import service as coordination
from rehabkoll.web import queries, worklist
from rehabkoll.web.deps import Viewer

VISITS_KEY = "overview_visits"


@dataclass(frozen=True, slots=True)
class Count:
    label: str
    value: int
    href: str
    urgent: bool = False


def last_visit(session: Session, viewer: Viewer, as_of: date) -> date | None:
    """The day of the user's visit before today's (None at the first), and
    today noted as the latest (saved with the user's settings)."""
    visits = dict(viewer.user.settings.get(VISITS_KEY) or {})
    current, previous = visits.get("current"), visits.get("previous")
    if current != as_of.isoformat():
        previous, current = current, as_of.isoformat()
        settings = {
            **viewer.user.settings,
            VISITS_KEY: {"current": current, "previous": previous},
        }
        accounts.save_settings(session, user=viewer.user, settings=settings)
        session.commit()
    try:
        return date.fromisoformat(previous) if isinstance(previous, str) else None
    except ValueError:
        return None


def counts(
    session: Session, viewer: Viewer, *, unit_id: str, as_of: date, settings: worklist.ListSettings
) -> list[Count]:
    rows = queries.work_rows(
        session,
        unit_id=unit_id,
        as_of=as_of,
        gap=settings.gap,
        recent=settings.recent,
        role=viewer.role,
        hsa_id=viewer.hsa_id,
        ending_days=settings.ending_days,
    )
    since = last_visit(session, viewer, as_of) or as_of - timedelta(days=7)
    week_end = as_of + timedelta(days=6 - as_of.weekday())
    ongoing = [r for r in rows if not r.recently_ended]
    coordinator = access.can_edit_coordination(viewer.role)
    tasks = (
        coordination.unit_tasks(session, unit_id=unit_id)
        if coordinator
        else coordination.my_tasks(session, username=viewer.username, unit_id=unit_id)
    )
    task_list = "/tasks/unit" if coordinator else "/tasks"
    return [
        Count(
            "sjukfall behöver åtgärd",
            sum(1 for r in ongoing if r.attention),
            "/cases?view=attention",
            urgent=True,
        ),
        Count(
            "uppgifter försenade",
            sum(1 for t in tasks if t.due is not None and t.due < as_of),
            task_list,
            urgent=True,
        ),
        Count(
            "uppgifter att göra i dag",
            sum(1 for t in tasks if t.due == as_of),
            task_list,
        ),
        Count(
            "intyg slutar denna vecka",
            sum(1 for r in ongoing if as_of <= r.end <= week_end),
            "/cases?sort=end&dir=asc",
        ),
        Count(
            f"nya sjukfall sedan {since.isoformat()}",
            sum(1 for r in ongoing if r.start > since),
            "/cases?sort=start&dir=desc",
        ),
    ]
