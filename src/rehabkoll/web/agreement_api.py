"""Read endpoints of the agreement follow-up under ``/api/agreements``:
agreements, decisions and allocations (OpenAPI). The same rules as the
pages: the national coordinator reads every region, a region coordinator
only their own region's decisions and money."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from rehabkoll.agreement import access, followup, service
from rehabkoll.agreement.allocation_file import AllocationRow, UnpaidRow
from rehabkoll.agreement.document import AgreementDocument
from rehabkoll.web.api import ERRORS
from rehabkoll.web.deps import ApiUser, SessionDep, Viewer

router = APIRouter(prefix="/api/agreements", tags=["agreements"])


class AgreementSummary(BaseModel):
    year: int
    title: str
    signed: date | None
    total: int | None = Field(description="Whole kronor; null when not known")
    key_date: date = Field(description="The date of the population the money is shared by")
    conditions: int


class DecisionOut(BaseModel):
    id: int
    condition: str
    region: str
    met: bool
    reason: str
    decided_at: datetime
    decided_by: str
    published_at: datetime | None
    corrects_id: int | None = Field(description="The published decision this one corrects")
    in_force: bool


class AllocationOut(BaseModel):
    year: int
    unearned: str
    published_at: str | None = Field(description="Date published; null: preliminary")
    rows: list[AllocationRow]
    unpaid: list[UnpaidRow] = Field(description="Per payment; only for the national coordinator")


def _region_filter(session: SessionDep, viewer: Viewer) -> str | None:
    """None: every region (national); else the viewer's own region."""
    access.check_view(viewer.role)
    if access.is_national(viewer.role):
        return None
    return service.region_of(session, user=viewer.user) or "--"


@router.get("", response_model=list[AgreementSummary], responses=ERRORS)
def agreements(session: SessionDep, viewer: ApiUser) -> list[AgreementSummary]:
    """Every year's agreement."""
    access.check_view(viewer.role)
    return [
        AgreementSummary(
            year=a.year,
            title=a.title,
            signed=a.signed,
            total=a.total,
            key_date=a.key_date,
            conditions=len(a.conditions),
        )
        for a in service.get_all(session)
    ]


@router.get("/{year}", response_model=AgreementDocument, responses=ERRORS)
def agreement(session: SessionDep, viewer: ApiUser, year: int) -> AgreementDocument:
    """The year's agreement as its JSON document (schema: agreement)."""
    access.check_view(viewer.role)
    return service.document_of(service.get(session, year=year))


@router.get("/{year}/decisions", response_model=list[DecisionOut], responses=ERRORS)
def decisions(session: SessionDep, viewer: ApiUser, year: int) -> list[DecisionOut]:
    """Published decisions (and, for the national coordinator, drafts too)."""
    region = _region_filter(session, viewer)
    service.get(session, year=year)
    in_force = {d.id for d in service.effective(session, year=year).values()}
    national = access.is_national(viewer.role)
    return [
        DecisionOut(
            id=d.id,
            condition=d.condition,
            region=d.region,
            met=d.met,
            reason=d.reason,
            decided_at=d.decided_at,
            decided_by=d.decided_by,
            published_at=d.published_at,
            corrects_id=d.corrects_id,
            in_force=d.id in in_force,
        )
        for d in service.decisions(session, year=year, region=region)
        if national or d.published_at is not None
    ]


@router.get("/{year}/allocation", response_model=AllocationOut, responses=ERRORS)
def allocation(session: SessionDep, viewer: ApiUser, year: int) -> AllocationOut:
    """The published allocation, or the preliminary one computed from the
    published decisions; 409 when it cannot be computed yet."""
    region = _region_filter(session, viewer)
    service.get(session, year=year)
    result, published, why = followup.allocation_result(session, year=year)
    if result is None:
        from rehabkoll.agreement.errors import AllocationUnavailableError

        raise AllocationUnavailableError(why)
    return AllocationOut(
        year=result.year,
        unearned=str(result.unearned),
        published_at=published or None,
        rows=[r for r in result.rows if region is None or r.region == region],
        unpaid=result.unpaid if region is None else [],
    )
