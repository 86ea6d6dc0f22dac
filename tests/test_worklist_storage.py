"""The work list read from the database equals the reference engine's answer
on the same certificates. The database path reads less than the engine's
input (only what chaining needs for every certificate, the descriptive fields
only for certificates that can lead a listed case), so a property test holds
the two together on random certificates, days, gaps and windows. Runs on
SQLite and on PostgreSQL."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from rehabkoll.cases import engine as reference
from rehabkoll.cases import service as cases
from rehabkoll.cases.engine import CertificateRecord, Period
from rehabkoll.certificates import reading, service
from rehabkoll.db.session import session_scope
from tests.factories import PROVIDER, certificate, pnr

BASE = date(2016, 2, 1)
_UNITS = itertools.count(100)

Drawn = tuple[list[dict[str, Any]], date, int, int]


@st.composite
def scenarios(draw: st.DrawFn) -> Drawn:
    """Up to four patients with up to five certificates each at the unit under
    test or at a second unit of the same provider; signing times tie now and then."""
    docs: list[dict[str, Any]] = []
    for patient in range(draw(st.integers(1, 4))):
        for _ in range(draw(st.integers(1, 5))):
            cursor = BASE + timedelta(days=draw(st.integers(0, 60)))
            periods = []
            for _ in range(draw(st.integers(1, 3))):
                length = draw(st.integers(1, 20))
                end = cursor + timedelta(days=length - 1)
                periods.append(
                    (cursor.isoformat(), end.isoformat(), draw(st.sampled_from((25, 50, 75, 100))))
                )
                cursor = end + timedelta(days=1 + draw(st.integers(0, 3)))
            docs.append(
                {
                    "patient": patient,
                    "other_unit": draw(st.integers(0, 5)) == 0,
                    "periods": periods,
                    "signed_at": datetime(2016, 1, 1, 8) + timedelta(hours=draw(st.integers(0, 6))),
                    "diagnosis": draw(st.sampled_from(("F43.8A", "M54.5", "F32.9"))),
                    "secondary": draw(st.sampled_from(([], ["M54.5"], ["F41.1", "Z73.0"]))),
                    "occupation": draw(
                        st.sampled_from((["CURRENT_JOB"], ["JOB_SEEKER", "STUDIES"]))
                    ),
                }
            )
    as_of = BASE + timedelta(days=draw(st.integers(0, 100)))
    return docs, as_of, draw(st.integers(0, 10)), draw(st.integers(0, 3))


def as_record(doc: dict[str, Any]) -> CertificateRecord:
    return CertificateRecord(
        id=doc["id"],
        patient_id=doc["patient"]["id"],
        care_provider_id=doc["care_provider"]["id"],
        unit_id=doc["unit"]["id"],
        doctor_id=doc["doctor"]["id"],
        signed_at=datetime.fromisoformat(doc["signed_at"]),
        periods=tuple(
            Period(date.fromisoformat(p["start"]), date.fromisoformat(p["end"]), p["degree"])
            for p in doc["periods"]
        ),
        diagnosis=doc["diagnosis"]["code"],
        secondary_diagnoses=tuple(doc["diagnosis"]["secondary"]),
        occupation=tuple(doc["occupation"]),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenarios())
def test_the_stored_work_list_equals_the_reference_engine(engine: Engine, drawn: Drawn) -> None:
    # Each example gets units of its own, so earlier examples' certificates in
    # the same database do not count.
    drawn_docs, as_of, gap, recent = drawn
    number = next(_UNITS)
    unit, other = f"SE2321000016-U{number}", f"SE2321000016-V{number}"
    docs = [
        certificate(
            f"w{number}-{index}",
            patient=pnr(number * 10 + d["patient"]),
            periods=d["periods"],
            signed_at=d["signed_at"].isoformat(),
            unit=other if d["other_unit"] else unit,
            provider=PROVIDER,
            doctor=f"SE2321000016-D{index % 3}",
            diagnosis=d["diagnosis"],
            secondary=d["secondary"],
            occupation=d["occupation"],
        )
        for index, d in enumerate(drawn_docs)
    ]
    with session_scope(engine) as session:
        batch = service.start_batch(session, "property")
        lines = [(n, json.dumps(doc)) for n, doc in enumerate(docs, 1)]
        result = service.ingest(session, batch, reading.parse_lines(lines))
        assert result.rejected == 0, result.errors
    with session_scope(engine) as session:
        stored = cases.work_list(session, unit_id=unit, as_of=as_of, gap=gap, recent=recent)
    expected = reference.work_list(
        [as_record(doc) for doc in docs], unit_id=unit, as_of=as_of, gap=gap, recent=recent
    )
    assert [row.as_json() for row in stored] == [row.as_json() for row in expected]
    assert [row.lead_certificate_id for row in stored] == [
        row.lead_certificate_id for row in expected
    ]
