"""A year's follow-up as the pages and reports show it: each condition's status
per region (the matrix), one region's conditions with evidence, decisions and
indicator checks, and the money per part and instalment."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from rehabkoll.agreement import evidence as evidence_service
from rehabkoll.agreement import indicator_queries, service
from rehabkoll.agreement.allocation_file import AllocationOutput
from rehabkoll.agreement.errors import AllocationUnavailableError
from rehabkoll.agreement.indicator_rules import meets
from rehabkoll.agreement.indicators import BY_KEY, IndicatorInfo
from rehabkoll.agreement.models import Agreement, AgreementCondition, Decision, Evidence
from rehabkoll.agreement.regions import REGIONS


@dataclass(frozen=True, slots=True)
class Status:
    """A condition's state for one region, in Swedish, with a CSS class."""

    label: str
    css: str


def status_of(in_force: Decision | None, draft: Decision | None, versions: int) -> Status:
    if in_force is not None:
        return Status("Uppfyllt", "met") if in_force.met else Status("Ej uppfyllt", "not-met")
    if draft is not None:
        return Status("Förslag: " + ("uppfyllt" if draft.met else "ej uppfyllt"), "draft")
    if versions:
        return Status("Underlag inlämnat", "submitted")
    return Status("Inget underlag", "none")


def matrix(session: Session, *, year: int, regions: list[str]) -> dict[str, dict[str, Status]]:
    """region → condition number → status."""
    agreement = service.get(session, year=year)
    in_force = service.effective(session, year=year)
    drafts = {
        (d.condition, d.region): d
        for d in service.decisions(session, year=year)
        if d.published_at is None
    }
    counts: dict[tuple[str, str], int] = {}
    for region in regions:
        for row in evidence_service.versions(session, year=year, region=region):
            counts[(row.condition, region)] = counts.get((row.condition, region), 0) + 1
    return {
        region: {
            c.number: status_of(
                in_force.get((c.number, region)),
                drafts.get((c.number, region)),
                counts.get((c.number, region), 0),
            )
            for c in agreement.conditions
        }
        for region in regions
    }


@dataclass(frozen=True, slots=True)
class Check:
    """An indicator attached to a condition, the region's figure for the year and
    whether it meets the threshold (None: nothing to judge)."""

    info: IndicatorInfo
    comparison: str
    threshold: float | None
    value: float | None
    met: bool | None


@dataclass
class ConditionView:
    condition: AgreementCondition
    status: Status
    in_force: Decision | None
    draft: Decision | None
    history: list[Decision]
    evidence: list[Evidence]
    checks: list[Check] = field(default_factory=list)


@dataclass
class Money:
    """The region's kronor per payment (part id, with /n per instalment) and
    whether the figures are the published allocation or a preliminary one."""

    rows: list[tuple[str, str, int]]  # (payment id, title, kronor)
    total: int
    published: str  # the publication's date, or "" for preliminary
    unavailable: str = ""


@dataclass
class RegionView:
    agreement: Agreement
    region: str
    conditions: list[ConditionView]
    indicators: dict[str, list[indicator_queries.Value]]
    money: Money


def allocation_result(session: Session, *, year: int) -> tuple[AllocationOutput | None, str, str]:
    """(result, published date or "", why unavailable or "")."""
    published = service.published_allocation(session, year=year)
    if published is not None:
        return service.output_of(published), published.published_at.date().isoformat(), ""
    try:
        return service.allocate(session, year=year), "", ""
    except AllocationUnavailableError as error:
        return None, "", str(error)


def payment_titles(agreement: Agreement) -> dict[str, str]:
    titles = {}
    for piece in service.slices(agreement):
        note = ""
        if piece.instalment is not None:
            when = piece.instalment.paid_on.isoformat() if piece.instalment.paid_on else ""
            note = f" – utbetalning {when or piece.instalment.note}".rstrip()
        titles[piece.id] = piece.part.title + note
    return titles


def money_of(session: Session, agreement: Agreement, region: str) -> Money:
    result, published, why = allocation_result(session, year=agreement.year)
    if result is None:
        return Money([], 0, "", why)
    titles = payment_titles(agreement)
    rows = [
        (r.part, titles.get(r.part, r.part), r.amount) for r in result.rows if r.region == region
    ]
    return Money(rows, sum(r[2] for r in rows), published)


def region_view(session: Session, *, year: int, region: str) -> RegionView:
    agreement = service.get(session, year=year)
    service.check_region(region)
    in_force = service.effective(session, year=year)
    all_decisions = service.decisions(session, year=year, region=region)
    indicators = indicator_queries.region_indicators(session, region=region, year=year)
    views = []
    for condition in agreement.conditions:
        versions = evidence_service.versions(
            session, year=year, region=region, condition=condition.number
        )
        history = [d for d in all_decisions if d.condition == condition.number]
        draft = next((d for d in history if d.published_at is None), None)
        current = in_force.get((condition.number, region))
        view = ConditionView(
            condition, status_of(current, draft, len(versions)), current, draft, history, versions
        )
        for rule in json.loads(condition.indicators or "[]"):
            info = BY_KEY.get(rule["indicator"])
            if info is None or rule["indicator"] not in indicator_queries.available():
                continue
            values = indicators.get(rule["indicator"], [])
            value = values[0].all if values else None
            view.checks.append(
                Check(
                    info,
                    rule["comparison"],
                    rule["threshold"],
                    value,
                    meets(value, rule["comparison"], rule["threshold"]),
                )
            )
        views.append(view)
    return RegionView(agreement, region, views, indicators, money_of(session, agreement, region))


def all_regions() -> list[str]:
    return list(REGIONS)
