"""The work list's risk rules: "Behöver åtgärd" for a very high risk with no
coordination contact, the Risk column's text and order."""

from __future__ import annotations

from datetime import date

import pytest

from rehabkoll.risk.answers import Scored
from rehabkoll.web.worklist import (
    RISK_REASON,
    RISK_URGENCY,
    URGENCY_NONE,
    CoordinationFacts,
    attention,
    risk_sort_key,
)

AS_OF = date(2026, 3, 1)


def _risk(p: float | None, category: str | None) -> Scored:
    return Scored(
        "p",
        date(2026, 2, 1),
        "F32",
        0.5,
        "Hög risk",
        0.4,
        100,
        (),
        1,
        question=">90 dagar",
        current=p,
        current_category=category,
    )


def _attention(risk: Scored | None, facts: CoordinationFacts) -> tuple[tuple[str, ...], int]:
    # Day 20 of a case, no milestone near, nothing ending: only the risk can be a reason.
    return attention(
        as_of=AS_OF,
        days=20,
        days_to_milestone=70,
        milestone=90,
        recently_ended=False,
        facts=facts,
        days_left=20,
        risk=risk,
    )


def test_a_very_high_risk_without_contact_needs_action() -> None:
    reasons, urgency = _attention(_risk(0.7, "Mycket hög risk"), CoordinationFacts())
    assert reasons == (RISK_REASON,)
    assert reasons == ("Mycket hög risk, ingen kontakt",)
    assert urgency == RISK_URGENCY


@pytest.mark.parametrize(
    ("risk", "facts"),
    [
        # A contact recorded (on any day): the coordinator knows the case.
        (_risk(0.7, "Mycket hög risk"), CoordinationFacts(last_contact=date(2025, 6, 1))),
        # High, not very high.
        (_risk(0.6, "Hög risk"), CoordinationFacts()),
        # No risk computed.
        (_risk(None, None), CoordinationFacts()),
        (None, CoordinationFacts()),
    ],
)
def test_no_risk_reason_otherwise(risk: Scored | None, facts: CoordinationFacts) -> None:
    assert _attention(risk, facts) == ((), URGENCY_NONE)


def test_the_risk_comes_after_no_contact_in_30_days_and_before_a_milestone_near() -> None:
    facts = CoordinationFacts(active=True)  # active and never contacted: both reasons
    reasons, _ = attention(
        as_of=AS_OF,
        days=80,
        days_to_milestone=10,
        milestone=90,
        recently_ended=False,
        facts=facts,
        risk=_risk(0.9, "Mycket hög risk"),
    )
    assert reasons == ("Ingen kontakt på 30 dagar", RISK_REASON, "Dag 90 om 10\u00a0dagar")


def test_the_risk_column_sorts_by_category_then_percent() -> None:
    found = [
        _risk(0.8, "Mycket hög risk"),
        None,
        _risk(0.2, "Måttlig risk"),
        _risk(0.5, "Hög risk"),
        _risk(0.3, "Måttlig risk"),
    ]
    ordered = sorted(found, key=risk_sort_key)
    assert [None if s is None else s.current for s in ordered] == [None, 0.2, 0.3, 0.5, 0.8]
