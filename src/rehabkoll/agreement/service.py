"""The agreement follow-up's services: import and read agreements, the regions'
coordinators, evidence, decisions and the allocation from the database. The
callers commit; every change writes an access-log entry in the same
transaction (action ``agreement_change``, no patient)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rehabkoll.accounts.models import User
from rehabkoll.accounts.service import utcnow
from rehabkoll.agreement import population
from rehabkoll.agreement.allocation import Unearned
from rehabkoll.agreement.allocation_file import (
    AllocationInput,
    AllocationInputError,
    AllocationOutput,
    PartInput,
    compute,
)
from rehabkoll.agreement.document import AgreementDocument, PartKind
from rehabkoll.agreement.errors import (
    AllocationUnavailableError,
    InvalidInputError,
    NotFoundError,
    PublishedError,
)
from rehabkoll.agreement.models import (
    Agreement,
    AgreementCondition,
    AgreementInstalment,
    AgreementPart,
    Allocation,
    Decision,
    RegionCoordinator,
    RegionProvider,
)
from rehabkoll.agreement.regions import REGIONS
from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_event


def log_change(session: Session, *, user: User | None, detail: str) -> None:
    """An access-log entry for a change of agreement data (no patient's data);
    ``user`` None is the command line."""
    log_event(
        session,
        user_id=user.id if user else None,
        username=user.username if user else "kommandorad",
        role=str(user.role) if user else "cli",
        action=Action.AGREEMENT_CHANGE,
        purpose="överenskommelsen",
        detail=detail[:2000],
    )


# --- agreements --------------------------------------------------------------


def import_document(
    session: Session,
    *,
    document: AgreementDocument,
    user: User | None,
    detail: str | None = None,
) -> Agreement:
    """Create or replace the year's agreement from a validated document.

    An agreement already there is changed in place, so that its decisions,
    evidence and published allocations stay as they are; a condition that a
    published decision is about cannot be removed (nor renumbered). Importing
    the same document twice changes nothing but the timestamp. ``detail`` is
    the access log's description (default: imported)."""
    existing = session.get(Agreement, document.year)
    if existing is not None:
        _check_decided_conditions_kept(session, document)
        existing.conditions.clear()
        existing.parts.clear()
        session.flush()
    agreement = existing or Agreement(year=document.year)
    agreement.title = document.title
    agreement.signed = document.signed
    agreement.total = document.total
    agreement.key_date = document.population_date
    agreement.unearned = str(document.unearned)
    agreement.note = document.note
    agreement.sources = "\n".join(document.sources)
    agreement.document = document.model_dump_json()
    agreement.updated_at = utcnow()
    agreement.updated_by = user.username if user else "kommandorad"
    agreement.conditions = [
        AgreementCondition(
            number=c.number,
            position=i,
            title=c.title,
            asks=c.asks,
            evidence=c.evidence,
            deadline=c.deadline,
            indicators=json.dumps([r.model_dump() for r in c.indicators]),
        )
        for i, c in enumerate(document.conditions)
    ]
    agreement.parts = [
        AgreementPart(
            part_id=p.id,
            position=i,
            kind=str(p.kind),
            title=p.title,
            amount=p.amount,
            condition=p.condition,
            recipient=p.recipient,
            note=p.note,
            variable=p.variable.model_dump_json() if p.variable else None,
            instalments=[
                AgreementInstalment(
                    year=document.year,
                    position=k,
                    paid_on=inst.date,
                    amount=inst.amount,
                    note=inst.note,
                )
                for k, inst in enumerate(p.instalments)
            ],
        )
        for i, p in enumerate(document.parts)
    ]
    if existing is None:
        session.add(agreement)
    session.flush()
    log_change(session, user=user, detail=detail or f"överenskommelse {document.year} importerad")
    return agreement


def _check_decided_conditions_kept(session: Session, document: AgreementDocument) -> None:
    kept = {c.number for c in document.conditions}
    decided = session.scalars(
        select(Decision.condition)
        .where(Decision.year == document.year, Decision.published_at.is_not(None))
        .distinct()
    )
    gone = sorted(set(decided) - kept)
    if gone:
        raise PublishedError(
            f"villkor {', '.join(gone)}: det finns publicerade beslut om villkoret, så det "
            "kan inte tas bort eller få ett annat nummer"
        )


def document_of(agreement: Agreement) -> AgreementDocument:
    return AgreementDocument.model_validate_json(agreement.document)


def get(session: Session, *, year: int) -> Agreement:
    agreement = session.get(Agreement, year)
    if agreement is None:
        raise NotFoundError(f"ingen överenskommelse för {year}")
    return agreement


def get_all(session: Session) -> list[Agreement]:
    return list(session.scalars(select(Agreement).order_by(Agreement.year)))


def condition_of(agreement: Agreement, number: str) -> AgreementCondition:
    for condition in agreement.conditions:
        if condition.number == number:
            return condition
    raise NotFoundError(f"inget villkor {number} i överenskommelsen {agreement.year}")


def check_region(code: str) -> str:
    if code not in REGIONS:
        raise NotFoundError(f"ingen region med länskod {code}")
    return code


# --- region coordinators and providers ------------------------------------


def set_coordinator_region(session: Session, *, user: User, region: str, by: User | None) -> None:
    check_region(region)
    row = session.get(RegionCoordinator, user.id)
    if row is None:
        session.add(RegionCoordinator(user_id=user.id, region=region))
    else:
        row.region = region
    session.flush()
    log_change(session, user=by, detail=f"{user.username} samordnare för region {region}")


def region_of(session: Session, *, user: User) -> str | None:
    row = session.get(RegionCoordinator, user.id)
    return row.region if row else None


def set_region_providers(session: Session, *, region: str, provider_ids: Sequence[str]) -> None:
    """The care providers (HSA ids) whose data in rehabkoll are the region's."""
    check_region(region)
    for row in session.scalars(select(RegionProvider).where(RegionProvider.region == region)):
        session.delete(row)
    session.flush()
    session.add_all(RegionProvider(region=region, provider_id=p) for p in sorted(set(provider_ids)))
    session.flush()


def providers_of(session: Session, *, region: str) -> list[str]:
    return list(
        session.scalars(
            select(RegionProvider.provider_id)
            .where(RegionProvider.region == region)
            .order_by(RegionProvider.provider_id)
        )
    )


# --- decisions ---------------------------------------------------------------


def decisions(session: Session, *, year: int, region: str | None = None) -> list[Decision]:
    query = select(Decision).where(Decision.year == year)
    if region is not None:
        query = query.where(Decision.region == region)
    return list(session.scalars(query.order_by(Decision.condition, Decision.region, Decision.id)))


def effective(session: Session, *, year: int) -> dict[tuple[str, str], Decision]:
    """(condition, region) → the decision in force: the newest published one."""
    out: dict[tuple[str, str], Decision] = {}
    for decision in decisions(session, year=year):
        if decision.published_at is None:
            continue
        key = (decision.condition, decision.region)
        current = out.get(key)
        if current is None or (decision.published_at, decision.id) > (
            current.published_at or datetime.min,
            current.id,
        ):
            out[key] = decision
    return out


def decide(
    session: Session,
    *,
    year: int,
    condition: str,
    region: str,
    met: bool,
    reason: str,
    user: User,
    corrects_id: int | None = None,
) -> Decision:
    """Record (or replace the draft of) a decision. Once a decision for the
    condition and region is published, a new one must name the decision it
    corrects (the one in force)."""
    agreement = get(session, year=year)
    condition_of(agreement, condition)
    check_region(region)
    reason = reason.strip()
    if not reason:
        raise InvalidInputError("motivering: skriv varför villkoret är uppfyllt eller inte")
    in_force = effective(session, year=year).get((condition, region))
    if in_force is not None and corrects_id != in_force.id:
        raise PublishedError(
            f"beslutet {in_force.id} är publicerat; ett nytt beslut ska ange att det rättar det"
        )
    if in_force is None and corrects_id is not None:
        raise InvalidInputError("rättar: det finns inget publicerat beslut att rätta")
    draft = session.scalar(
        select(Decision).where(
            Decision.year == year,
            Decision.condition == condition,
            Decision.region == region,
            Decision.published_at.is_(None),
        )
    )
    now = utcnow()
    if draft is None:
        draft = Decision(year=year, condition=condition, region=region)
        session.add(draft)
    draft.met = met
    draft.reason = reason
    draft.decided_at = now
    draft.decided_by = user.username
    draft.corrects_id = corrects_id
    session.flush()
    verdict = "uppfyllt" if met else "inte uppfyllt"
    log_change(
        session,
        user=user,
        detail=f"beslut {draft.id}: {year} villkor {condition} region {region} {verdict}"
        + (f", rättar beslut {corrects_id}" if corrects_id else ""),
    )
    return draft


def publish_decisions(session: Session, *, year: int, user: User) -> int:
    """Publish every draft decision of the year; returns how many."""
    drafts = [d for d in decisions(session, year=year) if d.published_at is None]
    now = utcnow()
    for draft in drafts:
        draft.published_at = now
    session.flush()
    if drafts:
        log_change(session, user=user, detail=f"{len(drafts)} beslut {year} publicerade")
    return len(drafts)


def met_by_region(session: Session, *, year: int) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for (condition, region), decision in sorted(effective(session, year=year).items()):
        if decision.met:
            out.setdefault(region, []).append(condition)
    return out


# --- allocation ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Slice:
    """One payment of one part that the allocation shares: ``id`` is the part's
    id, with ``/n`` for its n-th instalment when it has several."""

    id: str
    part: AgreementPart
    instalment: AgreementInstalment | None
    amount: int


def slices(agreement: Agreement) -> list[Slice]:
    """The payments with a known amount of every part paid to the regions."""
    out: list[Slice] = []
    for part in agreement.parts:
        if part.kind == PartKind.UNPAID:
            continue
        known = [i for i in part.instalments if i.amount is not None]
        if not part.instalments and part.amount is not None:
            out.append(Slice(part.part_id, part, None, part.amount))
        for inst in known:
            suffix = f"/{inst.position + 1}" if len(part.instalments) > 1 else ""
            out.append(Slice(part.part_id + suffix, part, inst, inst.amount or 0))
    return out


def allocation_input(session: Session, *, year: int) -> AllocationInput:
    """The self-contained allocation file for the year, from the database: the
    population on the key date, the payments with known amounts, and the
    conditions met according to the published decisions."""
    agreement = get(session, year=year)
    figures = population.on(session, agreement.key_date)
    missing = [code for code in REGIONS if code not in figures]
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" och {len(missing) - 5} till" if len(missing) > 5 else ""
        )
        raise AllocationUnavailableError(
            f"folkmängd {agreement.key_date.isoformat()} saknas för region {shown}"
        )
    parts: list[PartInput] = []
    for piece in slices(agreement):
        rule = "variable" if piece.part.kind == PartKind.VARIABLE else "population"
        variable = None
        if rule == "variable":
            if piece.part.variable is None:
                raise AllocationUnavailableError(f"{piece.id}: rörlig del utan sjukskrivningstal")
            variable = json.loads(piece.part.variable)
            if variable.get("from_database"):
                variable = _with_database_rates(session, variable)
        parts.append(
            PartInput.model_validate(
                {
                    "id": piece.id,
                    "amount": piece.amount,
                    "rule": rule,
                    "condition": piece.part.condition,
                    "variable": variable,
                }
            )
        )
    if not parts:
        raise AllocationUnavailableError("inga belopp att fördela är kända")
    return AllocationInput(
        year=year,
        unearned=Unearned(agreement.unearned),
        population={code: figures[code].population for code in sorted(figures)},
        parts=parts,
        met=met_by_region(session, year=year),
    )


def _with_database_rates(session: Session, variable: dict[str, Any]) -> dict[str, Any]:
    """The variable part's parameters with every region's missing rate taken
    from rehabkoll's own figures; a rate written in the agreement is kept (the
    file overrides the database). A region with neither is named."""
    from rehabkoll.agreement.indicator_queries import net_days_per_insured

    filled = dict(variable)
    for name, year in (("reference", variable["reference_year"]), ("current", variable["year"])):
        rates = dict(variable.get(name) or {})
        for code in REGIONS:
            if code in rates:
                continue
            rate = net_days_per_insured(session, region=code, year=year)
            if rate is None:
                raise AllocationUnavailableError(
                    f"{name}.{code}: rörlig del: region {code} har inget sjukskrivningstal "
                    f"för {year}, varken i överenskommelsen eller i rehabkolls data"
                )
            rates[code] = rate
        filled[name] = rates
    return filled


def allocate(session: Session, *, year: int) -> AllocationOutput:
    try:
        return compute(allocation_input(session, year=year))
    except AllocationInputError as error:
        raise AllocationUnavailableError(str(error)) from None


def publish_allocation(session: Session, *, year: int, user: User) -> Allocation:
    result = allocate(session, year=year)
    row = Allocation(
        year=year,
        result=result.model_dump_json(),
        published_at=utcnow(),
        published_by=user.username,
    )
    session.add(row)
    session.flush()
    log_change(session, user=user, detail=f"fördelning {year} publicerad ({row.id})")
    return row


def published_allocation(session: Session, *, year: int) -> Allocation | None:
    return session.scalar(
        select(Allocation)
        .where(Allocation.year == year)
        .order_by(Allocation.published_at.desc(), Allocation.id.desc())
        .limit(1)
    )


def output_of(allocation: Allocation) -> AllocationOutput:
    return AllocationOutput.model_validate_json(allocation.result)


def allocation_count(session: Session, *, year: int) -> int:
    return int(
        session.scalar(select(func.count()).select_from(Allocation).where(Allocation.year == year))
        or 0
    )
