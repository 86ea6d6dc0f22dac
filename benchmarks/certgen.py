"""Fast generator of valid certificate lines for the storage benchmarks (not the
synthetic population model: just many valid, chained certificates)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from rehabkoll.lib.personnummer import synthetic

DIAGNOSES = ("F43.8A", "F32.9", "F41.1", "M54.5", "M75.1", "S82.6", "C50.9", "G43.9", "R53.9")


def patient_number(index: int) -> str:
    """Synthetic numbers (month of birth + 20) with birth dates spread over 1960–1999."""
    born = date(1960, 1, 1) + timedelta(days=index % 14600)
    return synthetic(born, 100 + (index // 14600) % 900)


def certificate_lines(
    count: int,
    *,
    units: int = 1,
    provider: str = "SE2321000016-0001",
    end: date = date(2026, 11, 1),
    seed: int = 1,
) -> Iterator[str]:
    """``count`` certificates: patients with chains of 1–12 certificates of 2–6
    weeks each, begun up to about four years before ``end``, spread over
    ``units`` units. ``end`` is the day the data is as of: nothing is signed
    after it, so a chain still running then stops with the certificate that
    covers it, as in a real database on that day."""
    rng = random.Random(seed)
    made = 0
    patient = 0
    while made < count:
        patient += 1
        pnr = patient_number(patient)
        unit = f"SE2321000016-U{patient % units:04d}"
        chain = min(rng.randint(1, 12), count - made)
        start = end - timedelta(days=rng.randint(0, 1500))
        for _ in range(chain):
            if start > end:  # would be signed after the day the data is as of
                break
            length = rng.randint(14, 42)
            stop = start + timedelta(days=length - 1)
            signed = datetime.combine(start, datetime.min.time()) + timedelta(hours=9)
            made += 1
            yield json.dumps(
                {
                    "id": f"b-{made:08d}",
                    "type": "FK7804",
                    "signed_at": signed.isoformat(),
                    "patient": {"id": pnr, "name": "Test Testsson"},
                    "doctor": {"id": f"SE2321000016-D{patient % 40:03d}", "name": "Doktor"},
                    "unit": {"id": unit, "name": "Vårdcentralen"},
                    "care_provider": {"id": provider, "name": "Region Exempel"},
                    "diagnosis": {"code": rng.choice(DIAGNOSES), "secondary": []},
                    "occupation": ["CURRENT_JOB"],
                    "periods": [
                        {"start": start.isoformat(), "end": stop.isoformat(), "degree": 100}
                    ],
                    "replaces": None,
                    "test": False,
                },
                ensure_ascii=False,
            )
            start = stop + timedelta(days=rng.choice((1, 1, 1, 2, 4)))
