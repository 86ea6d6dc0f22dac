"""Why a case needs attention, and in which order: hand-worked examples."""

from __future__ import annotations

from datetime import date

from rehabkoll.fmb.rules import Assessment
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


def over_fmb(day: int, *, total: int | None = None, **facts: object) -> tuple[str, ...]:
    """The reasons of a case on its day ``day`` (today, 2026-11-20) whose
    certificates run to ``total`` days, against FMB's 60 days, no other reason
    in the way (the certificate ends in 30 days, no milestone passed lately or near)."""
    assessment = Assessment(60, "M54.5", "M545", total or day, (total or day) > 60)
    return attention(
        as_of=AS_OF,
        days=day,
        days_to_milestone=None,
        milestone=None,
        recently_ended=False,
        facts=CoordinationFacts(**facts),  # type: ignore[arg-type]
        days_left=30,
        fmb=assessment,
    )[0]


def test_a_case_that_just_went_over_fmb_needs_action_until_someone_has_been_in_contact() -> None:
    # Day 61 is the first day over 60: today, 2026-11-20, is day 70, so the
    # case went over on 2026-11-11 (9 days ago): news.
    reason = "Över FMB:s rekommenderade längd (60 dagar) sedan 2026-11-11"
    assert over_fmb(70) == (reason,)
    # A plan made before does not answer the news; a contact on the crossing day does.
    assert over_fmb(70, plan=True) == (reason,)
    assert over_fmb(70, last_contact=date(2026, 11, 10)) == (reason,)
    assert over_fmb(70, last_contact=date(2026, 11, 11)) == ()
    # Day 74: 14 days over (since 2026-11-07), still news; day 75 is not,
    # and with a plan in place nothing more is asked.
    assert over_fmb(74, plan=True) == (
        "Över FMB:s rekommenderade längd (60 dagar) sedan 2026-11-07",
    )
    assert over_fmb(75, plan=True) == ()


def test_a_case_long_over_fmb_needs_action_only_without_a_plan_or_a_contact_since() -> None:
    # Day 150: over since day 61, 89 days before 2026-11-20, so on 2026-08-23
    # (day 90 passed 60 days ago: no longer news of its own).
    assert over_fmb(150) == (
        "Över FMB:s rekommenderade längd (60 dagar) sedan 2026-08-23, "
        "utan plan eller kontakt sedan dess",
    )
    assert over_fmb(150, plan=True) == ()
    assert over_fmb(150, last_contact=date(2026, 8, 23)) == ()
    # A contact before the crossing is no answer to it.
    assert over_fmb(150, last_contact=date(2026, 8, 22)) != ()


def test_a_certificate_that_will_take_the_case_over_fmb_is_news_now() -> None:
    # Day 55 today, the certificate runs to day 80: day 61 falls 6 days ahead,
    # on 2026-11-26.
    assert over_fmb(55, total=80) == ("Över FMB:s rekommenderade längd (60 dagar) från 2026-11-26",)
    # Not over at all: nothing.
    assert over_fmb(55, total=60) == ()
