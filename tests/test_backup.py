"""Backup and restore: a copy taken while an import runs restores into a new
database as one consistent moment, matching its manifest; restore refuses a
newer schema, a non-empty target and a damaged or altered backup."""

from __future__ import annotations

import io
import json
import tarfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine, create_engine, select, text
from typer.testing import CliRunner

from rehabkoll.accounts.models import User
from rehabkoll.audit.models import AccessLog
from rehabkoll.audit.service import log_access, verify
from rehabkoll.backup import cli as backup_cli
from rehabkoll.backup.service import (
    MANIFEST,
    BackupError,
    backup,
    count_tables,
    read_manifest,
    restore,
)
from rehabkoll.certificates import reading
from rehabkoll.certificates import service as certificates
from rehabkoll.certificates.models import Certificate
from rehabkoll.db.session import make_engine, session_factory
from tests.audit_helpers import reads
from tests.conftest import PG_URL
from tests.factories import certificate, pnr

ANNA = User(id=7, username="anna", role="coordinator")
CERTIFICATES = 1200


def _app() -> typer.Typer:
    app = typer.Typer()
    app.callback()(lambda: None)
    backup_cli.register(app)
    return app


def lines(count: int) -> bytes:
    docs = [
        certificate(
            f"c-{i}",
            patient=pnr(i % 400 + 1, born=f"19{50 + i // 400}0101"),
            periods=[("2024-01-01", "2024-02-15", 100)],
            signed_at="2024-01-01T10:00:00",
        )
        for i in range(count)
    ]
    return "\n".join(json.dumps(d) for d in docs).encode() + b"\n"


def log_some(engine: Engine) -> None:
    with session_factory(engine)() as session:
        for i in range(3):
            log_access(
                session,
                user=ANNA,
                role="coordinator",
                unit_id="U1",
                patient_ids=[pnr(i * 3 + j + 1) for j in range(3)],
                action="worklist_view",
                purpose="Rehabiliteringskoordinering",
            )
            session.commit()


@pytest.fixture
def new_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database of the same kind as ``db_url``."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"r_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_taken_during_an_import_restores_as_one_moment(
    db_url: str, engine: Engine, new_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_some(engine)
    monkeypatch.setattr(reading, "CHUNK_LINES", 100)  # twelve chunks, committed one by one
    first_chunk = threading.Event()
    backing_up = threading.Event()

    def progress(_consumed: int) -> None:
        if not first_chunk.is_set():
            first_chunk.set()
            backing_up.wait(timeout=60)

    importer = threading.Thread(
        target=certificates.import_stream,
        args=(engine, io.BytesIO(lines(CERTIFICATES))),
        kwargs={"source": "test", "progress": progress},
    )
    importer.start()
    assert first_chunk.wait(timeout=60)
    backing_up.set()  # the import goes on while the backup runs
    target = tmp_path / "backup.tar"
    manifest = backup(db_url, target)
    importer.join()

    # The copy caught the import part-way (whole chunks only: an import
    # commits a chunk's certificates and the batch's counters together).
    copied = manifest.tables["certificates"]
    assert 100 <= copied < CERTIFICATES
    assert copied % 100 == 0
    # Three reads of three patients each: three entries, nine patient rows.
    assert manifest.access_log_entries == 3
    assert manifest.tables["access_log_patients"] == 9
    assert manifest.schema_version is not None

    restored = restore(target, new_url)
    assert restored.verified_entries == 3
    restored_engine = make_engine(new_url)
    try:
        with restored_engine.connect() as conn:
            assert count_tables(conn) == manifest.tables
        with session_factory(restored_engine)() as new, session_factory(engine)() as old:
            # Every restored certificate is one of the source's, the same.
            def certs(session: object) -> set[tuple[str, str, str]]:
                rows = session.execute(  # type: ignore[attr-defined]
                    select(Certificate.id, Certificate.patient_id, Certificate.spans)
                )
                return {(r[0], r[1], str(r[2])) for r in rows}

            restored_certs, source_certs = certs(new), certs(old)
            assert len(restored_certs) == copied
            assert restored_certs <= source_certs
            assert len(source_certs) == CERTIFICATES
            # The access log is the same entries, and its chain verifies.
            log = select(AccessLog.id, AccessLog.hash).order_by(AccessLog.id)
            assert new.execute(log).all() == old.execute(log).all()
            assert [(e.id, p) for e, p in reads(new)] == [(e.id, p) for e, p in reads(old)]
            assert verify(new).ok
    finally:
        restored_engine.dispose()


def rewrite(source: Path, target: Path, *, manifest: dict[str, object] | None = None) -> None:
    """A copy of a backup with another manifest."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old.getmembers():
            data = old.extractfile(member)
            assert data is not None
            body = data.read()
            if member.name == MANIFEST and manifest is not None:
                body = json.dumps(manifest).encode()
                member.size = len(body)
            new.addfile(member, io.BytesIO(body))


def test_restore_refuses_a_newer_schema_and_leaves_the_target_alone(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = make_engine(sqlite_url)
    log_some(engine)
    engine.dispose()
    made = tmp_path / "backup.tar"
    backup(sqlite_url, made)
    newer = read_manifest(made).as_json()
    newer["schema_version"] = "9999"
    rewrite(made, tmp_path / "newer.tar", manifest=newer)
    target = tmp_path / "new.db"
    result = CliRunner().invoke(
        _app(), ["restore", "--from", str(tmp_path / "newer.tar"), "--db", f"sqlite:///{target}"]
    )
    assert result.exit_code == 1
    assert "newer than this rehabkoll" in " ".join(result.output.split())
    assert not target.exists()


def test_restore_refuses_a_database_that_is_not_empty(sqlite_url: str, tmp_path: Path) -> None:
    made = tmp_path / "backup.tar"
    backup(sqlite_url, made)
    with pytest.raises(BackupError, match="exists"):
        restore(made, sqlite_url)


def test_restore_finds_counts_that_differ_from_the_manifest(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = make_engine(sqlite_url)
    log_some(engine)
    engine.dispose()
    made = tmp_path / "backup.tar"
    backup(sqlite_url, made)
    altered = read_manifest(made).as_json()
    altered["tables"]["access_log_patients"] = 8
    rewrite(made, tmp_path / "altered.tar", manifest=altered)
    target = tmp_path / "new.db"
    with pytest.raises(BackupError, match="access_log_patients: 9 restored, 8 in the manifest"):
        restore(tmp_path / "altered.tar", f"sqlite:///{target}")
    assert not target.exists()


def test_restore_finds_a_damaged_copy(sqlite_url: str, tmp_path: Path) -> None:
    made = tmp_path / "backup.tar"
    backup(sqlite_url, made)
    damaged = bytearray(made.read_bytes())
    damaged[-20_000] ^= 0xFF  # a byte inside the database copy (the last member)
    (tmp_path / "damaged.tar").write_bytes(bytes(damaged))
    with pytest.raises(BackupError, match="checksum"):
        restore(tmp_path / "damaged.tar", f"sqlite:///{tmp_path / 'new.db'}")


def test_the_commands_back_up_and_restore(sqlite_url: str, tmp_path: Path) -> None:
    engine = make_engine(sqlite_url)
    log_some(engine)
    engine.dispose()
    runner = CliRunner()
    made = tmp_path / "backup.tar"
    result = runner.invoke(_app(), ["backup", "--to", str(made), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "(3 entries)" in " ".join(result.output.split())
    target = tmp_path / "new.db"
    result = runner.invoke(_app(), ["restore", "--from", str(made), "--db", f"sqlite:///{target}"])
    assert result.exit_code == 0, result.output
    assert "the access log verifies (3 entries" in " ".join(result.output.split())
