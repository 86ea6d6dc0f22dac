"""Why a case needs attention, and in which order: hand-worked examples."""

from __future__ import annotations

from datetime import date

from rehabkoll.web.worklist import URGENCY_NONE, CoordinationFacts, attention

AS_OF = date(2026, 11, 20)
NBSP = "\u00a0"


def reasons(days: int, **kwargs: object) -> tuple[tuple[str, ...], int]:
    facts = kwargs.pop("facts", CoordinationFacts())
    return attention(
        as_of=AS_OF,
        days=days,
        days_to_milestone=kwargs.pop("to_milestone", None),  # type: ignore[arg-type]
        milestone=kwargs.pop("milestone", None),  # type: ignore[arg-type]
        recently_ended=False,
        facts=facts,  # type: ignore[arg-type]
        days_left=kwargs.pop("days_left", 30),  # type: ignore[arg-type]
        ending_days=kwargs.pop("ending_days", 7),  # type: ignore[arg-type]
    )


def test_a_certificate_ending_within_the_setting_needs_renewal() -> None:
    # Day 40, 3 days left of the certificate, no renewal (a renewal would move the end).
    found, urgency = reasons(40, days_left=3)
    assert found == (f"Intyget slutar om 3{NBSP}dagar",)
    assert urgency == 203
    assert reasons(40, days_left=0)[0] == ("Intyget slutar i dag",)
    assert reasons(40, days_left=1)[0] == (f"Intyget slutar om 1{NBSP}dag",)
    # 8 days left is beyond the default 7; a setting of 10 catches it.
    assert reasons(40, days_left=8)[0] == ()
    assert reasons(40, days_left=8, ending_days=10)[0] == (f"Intyget slutar om 8{NBSP}dagar",)


def test_a_milestone_passed_without_a_contact_since_needs_an_assessment() -> None:
    # Day 95: day 90 was reached 5 days ago, on 2026-11-15.
    found, _ = reasons(95)
    assert found == ("Dag 90 passerad 2026-11-15 utan bedömning",)
    # A contact on the day it was reached counts as the assessment.
    assert reasons(95, facts=CoordinationFacts(last_contact=date(2026, 11, 15)))[0] == ()
    # 31 days after the milestone it is no longer news.
    assert reasons(121)[0] == ()


def test_overdue_things_come_before_things_about_to_happen() -> None:
    # Day 95 (day 90 passed, no contact), an overdue task since 2026-11-10, the
    # certificate ending in 2 days, active with no contact: all four, in order.
    facts = CoordinationFacts(active=True, overdue_since=date(2026, 11, 10))
    found, urgency = reasons(95, days_left=2, facts=facts)
    assert found == (
        "Uppgift försenad sedan 2026-11-10",
        "Dag 90 passerad 2026-11-15 utan bedömning",
        f"Intyget slutar om 2{NBSP}dagar",
        "Ingen kontakt på 30 dagar",
    )
    assert urgency == -10  # ten days late: the older, the more urgent


def test_a_case_needing_nothing_is_least_urgent() -> None:
    assert reasons(40) == ((), URGENCY_NONE)


def test_an_ending_certificate_counts_from_day_30() -> None:
    # Day 12 with 3 days left: a short case that mostly ends as planned.
    assert reasons(12, days_left=3)[0] == ()
    assert reasons(30, days_left=3)[0] == (f"Intyget slutar om 3{NBSP}dagar",)
