"""Cohort follow-up on a small hand-made region: who is in the cohort, who got
a plan for closing or was closed, and how the share moved."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from typer.testing import CliRunner

from rehabkoll.accounts import service as accounts
from rehabkoll.accounts.roles import Role
from rehabkoll.cli import app
from rehabkoll.coordination import service as coordination
from rehabkoll.coordination.enums import PlanKind, Status
from rehabkoll.db.session import make_engine, session_scope
from rehabkoll.statistics import cohorts
from rehabkoll.statistics.query import Scope
from tests.factories import PROVIDER, UNIT, pnr
from tests.test_statistics_rules import certificate, store

A, B, C, D, E, F, G = (
    pnr(1),
    pnr(2, woman=False),
    pnr(3),
    pnr(4),
    pnr(5, woman=False),
    pnr(6),
    pnr(7),
)
AS_OF = date(2024, 6, 30)


def chained(prefix: str, patient: str, start: str, end: str) -> list[dict[str, Any]]:
    """Certificates of 90 days each, back to back, from ``start`` to ``end``."""
    out: list[dict[str, Any]] = []
    day, last = date.fromisoformat(start), date.fromisoformat(end)
    while day <= last:
        stop = min(day + timedelta(days=89), last)
        out.append(
            certificate(
                f"{prefix}{len(out)}",
                patient=patient,
                periods=[(day.isoformat(), stop.isoformat(), 100)],
            )
        )
        day = stop + timedelta(days=1)
    return out


def region(engine: Engine) -> None:
    store(
        engine,
        [
            *chained("a", A, "2023-01-01", "2024-12-31"),  # member; plan Aug 15
            *chained("b", B, "2023-05-01", "2024-07-31"),  # member; ends Jul 31
            *chained("c", C, "2023-09-01", "2024-12-31"),  # 304 days on Jun 30: out
            *chained("d", D, "2023-01-01", "2023-07-31"),  # 10 days' gap > 5: a new case
            *chained("e", D, "2023-08-11", "2024-12-31"),  # … of 325 days on Jun 30: out
            *chained("f", E, "2023-01-01", "2024-12-31"),  # member; record closed Sep 10
            *chained("g", F, "2022-06-01", "2024-12-31"),  # member; no plan
            *chained("h", G, "2022-06-01", "2024-06-20"),  # ended before Jun 30: out
        ],
    )
    with session_scope(engine) as session:
        user = accounts.create_user(
            session,
            username="koordinator",
            role=Role.COORDINATOR,
            unit_ids=[UNIT],
            password="ett långt lösenord 123",
        )
        coordination.add_plan(
            session,
            patient_id=A,
            unit_id=UNIT,
            kind=PlanKind.CLOSING_PLAN,
            text="Återgång i arbete",
            planned_end=date(2024, 12, 31),
            responsible="FK och vårdcentralen",
            user=user,
            now=datetime(2024, 8, 15, 10),
        )
        coordination.set_status(
            session,
            patient_id=E,
            unit_id=UNIT,
            status=Status.CLOSED,
            expected_version=0,
            user=user,
            now=datetime(2024, 9, 10, 10),
        )


def test_a_cohort_holds_the_long_cases_ongoing_on_its_day(engine: Engine) -> None:
    region(engine)
    with session_scope(engine) as session:
        cohort = cohorts.create(
            session,
            name="långa",
            scope=Scope.parse(f"provider:{PROVIDER}"),
            as_of=AS_OF,
            min_days=365,
        )
        members = sorted(m.patient_id for m in cohort.members)
    assert members == sorted([A, B, E, F])


def test_the_cohort_report_counts_plans_and_closings_month_by_month(engine: Engine) -> None:
    region(engine)
    with session_scope(engine) as session:
        cohorts.create(
            session, name="långa", scope=Scope.parse(f"unit:{UNIT}"), as_of=AS_OF, min_days=365
        )
    with session_scope(engine) as session:
        result = cohorts.report(session, name="långa", as_of=date(2024, 9, 30))
    assert (result.size, result.with_plan, result.closed, result.done) == (4, 1, 2, 3)
    assert result.share == 0.75
    assert result.by_sex == {"F": (2, 1), "M": (2, 2)}
    assert [(day.isoformat(), done) for day, done, _ in result.movement] == [
        ("2024-06-30", 0),
        ("2024-07-31", 0),  # B's last day: not ended yet
        ("2024-08-31", 2),  # B ended, A's plan
        ("2024-09-30", 3),  # E's record closed
    ]
    assert [s.member.patient_id for s in result.open_cases] == [F]
    assert result.open_cases[0].days == (date(2024, 9, 30) - date(2022, 6, 1)).days + 1


def test_the_cohort_commands(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    region(engine)
    engine.dispose()
    runner = CliRunner()
    made = runner.invoke(
        app,
        [
            "cohort",
            "create",
            "långa",
            "--scope",
            f"provider:{PROVIDER}",
            "--as-of",
            "2024-06-30",
            "--min-days",
            "365",
            "--db",
            sqlite_url,
        ],
    )
    assert made.exit_code == 0, made.output
    assert "4 cases" in made.output
    again = runner.invoke(
        app,
        [
            "cohort",
            "create",
            "långa",
            "--scope",
            "national",
            "--as-of",
            "2024-06-30",
            "--db",
            sqlite_url,
        ],
    )
    assert again.exit_code == 2
    shown = runner.invoke(
        app,
        [
            "cohort",
            "report",
            "långa",
            "--as-of",
            "2024-09-30",
            "--format",
            "json",
            "--list",
            "--db",
            sqlite_url,
        ],
    )
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["size"] == 4
    assert data["share"] == 0.75
    assert data["women"] == {"size": 2, "plan_or_closed": 1}
    assert [c["patient_id"] for c in data["without_plan"]] == [F]
    table = runner.invoke(
        app, ["cohort", "report", "långa", "--as-of", "2024-09-30", "--db", sqlite_url]
    )
    assert table.exit_code == 0
    assert "75%" in table.output
    assert F not in table.output  # the list only with --list
