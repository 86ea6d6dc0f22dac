"""The demo's risk model: trained once from the demo region's own cases (on
the first run, or when no model is stored), so the work list's Risk column,
the patient page's risk and the API's ``risk`` show in ``make demo``."""

from __future__ import annotations

import time
from datetime import date
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from sqlalchemy import Engine

console = Console(highlight=False)


def train_once(engine: Engine, today: date, *, seed: int = 1) -> None:
    """Train and store a model as of ``today`` unless one is stored already."""
    from sqlalchemy import func, select

    from rehabkoll.db.session import session_scope
    from rehabkoll.risk import model, service
    from rehabkoll.risk.models import StoredRiskModel

    with session_scope(engine) as session:
        if session.scalar(select(func.count()).select_from(StoredRiskModel)):
            return
        began = time.perf_counter()
        try:
            row = service.train(session, as_of=today, seed=seed)
        except model.TooFewCasesError as err:
            console.print(f"Risk model not trained: {err}")
            return
        console.print(
            f"Risk model version {row.version}: {row.n_cases:,} cases with a known outcome, "
            f"trained in {time.perf_counter() - began:.1f} s."
        )
