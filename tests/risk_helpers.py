"""A small risk model for the web tests: trained once per test run on
synthetic day-15 features (no database needed), stored into each test's
database as version 1 with ``service.store``."""

from __future__ import annotations

from datetime import date
from functools import cache

import numpy as np
from sqlalchemy import Engine

from rehabkoll.db.session import session_scope
from rehabkoll.risk import model, service
from rehabkoll.risk.features import Example
from tests.factories import PROVIDER

TRAINED_AS_OF = date(2024, 12, 31)
CODES = ("F43", "M54", "F32", "F41", "S82", "J06")


@cache
def trained() -> model.RiskModel:
    """Psychiatric codes and earlier sick leave raise the odds; long cases last
    100 to 400 days, short ones 15 to 90, so every later question has cases."""
    rng = np.random.default_rng(17)
    examples = []
    for i in range(1200):
        code = CODES[i % len(CODES)]
        previous = int(rng.integers(0, 3))
        logit = -1.0 + 0.9 * previous + 1.2 * code.startswith("F") - 0.8 * (code == "J06")
        long = bool(rng.random() < 1 / (1 + np.exp(-logit)))
        features: dict[str, str | int] = {
            "age_band": str(rng.choice(["30-39", "40-49", "50-59"])),
            "sex": "F" if i % 2 else "M",
            "diagnosis": code,
            "diagnosis_group": "F" if code.startswith("F") else code[0],
            "chapter": code[0],
            "degree_at_start": str(rng.choice(["50", "100"])),
            "occupation": "CURRENT_JOB",
            "unit_kind": "other",
            "care_provider": PROVIDER,
            "secondary_diagnoses": 0,
            "previous_12m": previous,
            "previous_12m_days": 30 * previous,
            "cases_3y": previous,
        }
        days = int(rng.integers(100, 400)) if long else int(rng.integers(15, 91))
        examples.append(
            # Every case has ended (True): known for the questions after day 90 as well.
            Example(f"p{i}", PROVIDER, "U", date(2024, 1, 1), features, int(long), days, True)
        )
    return model.train(examples, seed=1)


def store_model(engine: Engine) -> int:
    """Store the test model; its version."""
    with session_scope(engine) as session:
        return service.store(session, trained(), as_of=TRAINED_AS_OF, scope="all", seed=1).version
