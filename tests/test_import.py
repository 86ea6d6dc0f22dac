"""Storing certificates: idempotent import, rejections, replaced, revoked and test
certificates. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select

from rehabkoll.cases import service as cases
from rehabkoll.certificates import models, reading, service
from rehabkoll.certificates.service import IngestResult
from rehabkoll.db.session import session_scope
from tests.factories import OTHER_PROVIDER, UNIT, certificate, pnr

DAY = date(2016, 2, 10)


def run(engine: Engine, *docs: dict[str, Any] | str) -> IngestResult:
    lines = [(n, d if isinstance(d, str) else json.dumps(d)) for n, d in enumerate(docs, 1)]
    with session_scope(engine) as session:
        batch = service.start_batch(session, "test")
        result = service.ingest(session, batch, reading.parse_lines(lines))
        service.finish_batch(session, batch)
    return result


def listed_ids(engine: Engine, day: date = DAY) -> list[str]:
    """The lead certificate ids of the unit's work list on ``day``."""
    with session_scope(engine) as session:
        return [r.lead_certificate_id for r in cases.work_list(session, unit_id=UNIT, as_of=day)]


def revocation(cert_id: str, at: str = "2016-02-05T09:00:00") -> dict[str, Any]:
    return {"revokes": cert_id, "revoked_at": at}


def test_it_stores_certificates_with_their_periods_and_patient(engine: Engine) -> None:
    doc = certificate(
        "c-1",
        patient=pnr(1),
        periods=[("2016-02-01", "2016-02-14", 100), ("2016-02-15", "2016-02-28", 50)],
    )
    assert run(engine, doc).stored == 1
    with session_scope(engine) as session:
        stored = session.get_one(models.Certificate, "c-1")
        patient = session.get_one(models.Patient, pnr(1))
    assert models.decode_spans(stored.spans) == [
        (date(2016, 2, 1), date(2016, 2, 14), 100),
        (date(2016, 2, 15), date(2016, 2, 28), 50),
    ]
    assert (stored.start, stored.end) == (date(2016, 2, 1), date(2016, 2, 28))
    assert patient.sex == "F"
    assert patient.birth_date == date(1980, 1, 1)
    assert len(patient.ref) >= 16
    assert "1980" not in patient.ref


def test_importing_the_same_lines_twice_changes_nothing(engine: Engine) -> None:
    docs = [certificate(f"c-{i}", patient=pnr(i)) for i in range(3)]
    assert run(engine, *docs).stored == 3
    again = run(engine, *docs)
    assert (again.stored, again.unchanged, again.rejected) == (0, 3, 0)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(models.Certificate)) == 3


def test_the_same_id_with_other_content_is_a_conflict(engine: Engine) -> None:
    run(engine, certificate("c-1"))
    result = run(engine, certificate("c-1", diagnosis="M54.5"))
    assert [(e.line, e.field) for e in result.errors] == [(1, "id")]
    assert "different certificate" in result.errors[0].reason


def test_invalid_lines_are_rejected_and_kept_while_valid_ones_are_stored(engine: Engine) -> None:
    bad_degree = certificate("c-2", periods=[("2016-02-01", "2016-02-14", 60)])
    result = run(engine, certificate("c-1"), bad_degree, "{oops", certificate("c-3"))
    assert result.stored == 2
    assert [(e.line, e.field) for e in result.errors] == [(2, "periods.0.degree"), (3, "(line)")]
    with session_scope(engine) as session:
        kept = session.scalars(select(models.Rejection).order_by(models.Rejection.line)).all()
        batch = session.scalars(select(models.ImportBatch)).one()
    assert [(r.line, r.field) for r in kept] == [(2, "periods.0.degree"), (3, "(line)")]
    assert (batch.lines, batch.stored, batch.rejected) == (4, 2, 2)


def test_a_unit_cannot_move_to_another_care_provider(engine: Engine) -> None:
    run(engine, certificate("c-1"))
    result = run(engine, certificate("c-2", provider=OTHER_PROVIDER))
    assert [(e.field, e.reason) for e in result.errors] == [
        ("unit.id", "this unit is registered under another care provider")
    ]


def test_a_test_certificate_is_stored_but_never_enters_a_case(engine: Engine) -> None:
    run(engine, certificate("c-1", test=True))
    assert listed_ids(engine) == []


def test_a_replaced_certificate_leaves_the_case(engine: Engine) -> None:
    # c-2 replaces c-1 (same patient, corrected diagnosis): only c-2 counts.
    run(engine, certificate("c-1"), certificate("c-2", replaces="c-1", diagnosis="F32.9"))
    assert listed_ids(engine) == ["c-2"]


def test_revoking_the_replacement_brings_the_replaced_certificate_back(engine: Engine) -> None:
    run(engine, certificate("c-1"), certificate("c-2", replaces="c-1"), revocation("c-2"))
    assert listed_ids(engine) == ["c-1"]


def test_a_replacement_chain_keeps_only_its_newest_link(engine: Engine) -> None:
    # c-3 replaces c-2 replaces c-1. Revoking c-3 brings c-2 back; c-1 stays replaced by c-2.
    run(engine, certificate("c-1"), certificate("c-2", replaces="c-1"))
    run(engine, certificate("c-3", replaces="c-2"))
    assert listed_ids(engine) == ["c-3"]
    run(engine, revocation("c-3"))
    assert listed_ids(engine) == ["c-2"]


def test_a_replacement_may_arrive_before_what_it_replaces(engine: Engine) -> None:
    run(engine, certificate("c-2", replaces="c-1"))
    run(engine, certificate("c-1"))
    assert listed_ids(engine) == ["c-2"]


def test_a_test_certificate_replaces_nothing(engine: Engine) -> None:
    run(engine, certificate("c-1"), certificate("c-2", replaces="c-1", test=True))
    assert listed_ids(engine) == ["c-1"]


def test_a_revoked_certificate_leaves_every_case(engine: Engine) -> None:
    result = run(engine, certificate("c-1"), revocation("c-1"))
    assert result.stored == 2
    assert listed_ids(engine) == []


def test_revoking_twice_changes_nothing_but_another_time_is_a_conflict(engine: Engine) -> None:
    run(engine, certificate("c-1"), revocation("c-1"))
    assert run(engine, revocation("c-1")).unchanged == 1
    other = run(engine, revocation("c-1", at="2016-02-06T09:00:00"))
    assert [(e.field, e.reason) for e in other.errors] == [
        ("revoked_at", "the certificate was revoked at another time")
    ]


def test_revoking_an_unknown_certificate_is_rejected(engine: Engine) -> None:
    result = run(engine, revocation("c-404"))
    assert [(e.line, e.field) for e in result.errors] == [(1, "revokes")]
