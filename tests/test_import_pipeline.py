"""An import of several chunks validates the next chunk in another process
while it stores the last (``reading.parsed_chunks``). It must store exactly
what validating and storing in one process does, under the settings of the
moment, and carry on in one process when the other fails."""

from __future__ import annotations

import io
import json
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select

from rehabkoll.certificates import models, reading, service
from rehabkoll.db.session import make_engine, session_scope, upgrade
from rehabkoll.lib.personnummer import synthetic
from tests.conftest import Configure
from tests.factories import certificate, pnr


def lines() -> list[str]:
    """Twelve lines that cross chunk boundaries at three lines a chunk: a
    revocation and a replacement of certificates in earlier chunks, an invalid
    line, a repeated line and a conflicting one."""
    docs: list[dict[str, Any] | str] = [
        certificate("c-1", patient=pnr(1)),
        certificate("c-2", patient=pnr(2)),
        certificate("c-3", patient=pnr(3), periods=[("2016-02-01", "2016-02-14", 60)]),
        certificate("c-4", patient=pnr(4)),
        {"revokes": "c-2", "revoked_at": "2016-02-05T09:00:00"},
        "{not json",
        certificate("c-5", patient=pnr(1), replaces="c-1"),
        certificate("c-4", patient=pnr(4)),
        certificate("c-4", patient=pnr(4), diagnosis="M54.5"),
        certificate("c-6", patient=pnr(6)),
        {"revokes": "c-404", "revoked_at": "2016-02-05T09:00:00"},
        certificate("c-7", patient=pnr(7)),
    ]
    return [d if isinstance(d, str) else json.dumps(d) for d in docs]


def imported(engine: Engine, text: list[str]) -> tuple[tuple[int, int, list[str]], list[Any]]:
    """The totals, the rejections and what is stored after importing ``text``."""
    stream = io.BytesIO("".join(line + "\n" for line in text).encode())
    _, result = service.import_stream(engine, stream, source="test")
    with session_scope(engine) as session:
        stored = session.execute(
            select(
                models.Certificate.id,
                models.Certificate.content_hash,
                models.Certificate.effective,
                models.Certificate.spans,
                models.Certificate.occupation,
            ).order_by(models.Certificate.id)
        ).all()
        rejections = session.execute(
            select(models.Rejection.line, models.Rejection.field, models.Rejection.reason).order_by(
                models.Rejection.line
            )
        ).all()
    return (result.stored, result.unchanged, [str(e) for e in result.errors]), [
        *map(tuple, stored),
        *map(tuple, rejections),
    ]


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[ProcessPoolExecutor]:
    """The validating pools an import starts."""
    started: list[ProcessPoolExecutor] = []
    real = reading._validator_pool

    def counted(workers: int) -> ProcessPoolExecutor:
        started.append(real(workers))
        return started[-1]

    monkeypatch.setattr(reading, "_validator_pool", counted)
    return started


def fresh_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('one') / 'one.db'}")
    upgrade(engine)
    return engine


def test_chunks_validated_in_another_process_store_what_one_process_does(
    engine: Engine,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    pools: list[ProcessPoolExecutor],
) -> None:
    # One chunk of everything: validated and stored in this process.
    expected = imported(fresh_sqlite(tmp_path_factory), lines())
    assert pools == []
    # Three lines a chunk: four chunks, three of them validated elsewhere.
    monkeypatch.setattr(reading, "CHUNK_LINES", 3)
    assert imported(engine, lines()) == expected
    assert len(pools) == 1
    totals, _ = expected
    # c-1 2 4 5 6 7 stored, revoking c-2 counts as stored; c-4 again unchanged;
    # rejected: c-3's degree, line 6, c-4's conflict, the unknown revocation.
    assert totals[:2] == (7, 1)
    assert [e.split(":")[0] for e in totals[2]] == ["line 3", "line 6", "line 9", "line 11"]


def test_the_other_process_validates_under_the_settings_of_the_moment(
    engine: Engine,
    configure: Configure,
    monkeypatch: pytest.MonkeyPatch,
    pools: list[ProcessPoolExecutor],
) -> None:
    monkeypatch.setattr(reading, "CHUNK_LINES", 2)
    made_up = synthetic(date(1980, 1, 1), 123)
    # Accepted by default: this also starts the fork server under that setting.
    accepted = [json.dumps(certificate(f"a-{i}", patient=made_up)) for i in range(4)]
    assert imported(engine, accepted)[0][0] == 4
    configure(accept_synthetic_ids="false")
    text = [json.dumps(certificate(f"c-{i}", patient=made_up)) for i in range(6)]
    (stored, _, errors), _ = imported(engine, text)
    assert len(pools) == 2
    assert stored == 0
    assert len(errors) == 6
    assert all("patient.id: is a synthetic number" in e for e in errors)


def test_a_failing_validating_process_leaves_the_work_to_this_one(
    engine: Engine, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = imported(fresh_sqlite(tmp_path_factory), lines())

    def broken(workers: int) -> ProcessPoolExecutor:
        # Its process dies as it starts: every chunk sent there comes back broken.
        return ProcessPoolExecutor(max_workers=workers, initializer=_die)

    monkeypatch.setattr(reading, "_validator_pool", broken)
    monkeypatch.setattr(reading, "CHUNK_LINES", 3)
    assert imported(engine, lines()) == expected


def _die() -> None:
    os._exit(3)
