"""The risk of a long case where the web shows it: per work-list row (the
column "Risk" and "Behöver åtgärd" through ``worklist``, the API's case
objects), from the model in force, through ``rehabkoll.risk.service``. Reads here are logged by the
caller, with the rest of the list or patient they belong to."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabkoll.cases.engine import CaseRow
from rehabkoll.config import get_settings
from rehabkoll.risk import answers, service
from rehabkoll.risk.answers import Scored
from rehabkoll.risk.categories import parse_thresholds
from rehabkoll.risk.models import StoredRiskModel

DAMAGED = "Riskmodellen kunde inte läsas"
log = logging.getLogger(__name__)


def thresholds() -> tuple[float, float]:
    return parse_thresholds(get_settings().risk_thresholds)


def model_version(session: Session) -> int | None:
    """The version in force (one indexed query), for caches' keys."""
    found = session.scalar(select(StoredRiskModel.version).order_by(StoredRiskModel.version.desc()))
    return int(found) if found is not None else None


@dataclass(frozen=True, slots=True)
class Risks:
    """The risks of a list of rows; ``reason`` when none could be computed."""

    by_row: dict[CaseRow, Scored] = field(default_factory=dict)
    reason: str | None = None

    def get(self, row: CaseRow) -> Scored | None:
        return self.by_row.get(row)


_CACHE: OrderedDict[tuple[object, ...], tuple[object, Risks]] = OrderedDict()
_LOCK = threading.Lock()


def for_rows(
    session: Session,
    rows: Sequence[CaseRow],
    *,
    unit_id: str,
    as_of: date,
    gap: int,
    owner: object | None = None,
) -> Risks:
    """The risk of each row with the model in force. ``owner``: an object
    that stays the same while the rows do (the cached work list); the answer
    is then kept until the list or the model changes."""
    try:
        loaded, _ = service.current(session)
    except service.NoModelError:
        return Risks(reason=answers.NO_MODEL)
    except (service.DamagedModelError, ValueError):
        # A stored model this code cannot read (damaged, or of a shape the
        # compiled scorer does not know) must not take the work list down.
        log.warning("risk model in force could not be loaded", exc_info=True)
        return Risks(reason=DAMAGED)
    bounds = thresholds()
    key = (id(owner), loaded.version, id(loaded), bounds, unit_id, as_of, gap)
    if owner is not None:
        with _LOCK:
            found = _CACHE.get(key)
        if found is not None and found[0] is owner:
            return found[1]
    scored = service.score_rows(
        session, rows, unit_id=unit_id, as_of=as_of, thresholds=bounds, loaded=loaded, gap=gap
    )
    risks = Risks(by_row=scored)
    if owner is not None:
        with _LOCK:
            _CACHE[key] = (owner, risks)
            while len(_CACHE) > 32:
                _CACHE.popitem(last=False)
    return risks


def risk_json(scored: Scored | None, reason: str | None = None) -> dict[str, Any]:
    """The ``risk`` object of an API case: always present; ``probability`` and
    ``category`` null with ``reason`` when there is no basis."""
    if scored is None:
        return {
            "probability": None,
            "category": None,
            "model_version": None,
            "question": None,
            "given_days": None,
            "lasted": None,
            "reason": reason or answers.NO_MODEL,
        }
    return {
        "probability": None if scored.current is None else round(scored.current, 4),
        "category": scored.current_category,
        "model_version": scored.model_version,
        "question": scored.question,
        "given_days": scored.given,
        "lasted": scored.lasted,
        "reason": scored.reason,
    }
