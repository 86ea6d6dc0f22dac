"""Backup and restore of the whole database, consistent while the service runs.

A backup file is a tar archive of two members:

- ``manifest.json``: the format, when and from which kind of database, the
  schema version (Alembic revision), the number of rows of every table, the
  access log's head hash and entry count, and the SHA-256 of the data member;
- the data: ``database.sqlite`` (a page-by-page copy through SQLite's online
  backup API, taken in one step under one read transaction, so it is one
  moment of the database even while others write) or ``database.pgdump``
  (``pg_dump --format=custom``, whose single REPEATABLE READ transaction is one
  moment too).

The manifest is counted in the same moment as the copy: from the SQLite copy
itself, and on PostgreSQL inside the transaction whose snapshot ``pg_dump``
is given (``pg_export_snapshot``). ``restore`` refuses a copy of a newer
schema than this rehabkoll knows and a target that is not empty, restores,
checks every count, the head hash and the whole hash chain against the
manifest, and only then migrates the copy up to this rehabkoll's schema.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from rehabkoll.db.session import alembic_config, make_engine, upgrade

FORMAT = "rehabkoll-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
PG_MEMBER = "database.pgdump"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a backup holds, to check a restore against."""

    dialect: str
    schema_version: str | None
    tables: dict[str, int]
    access_log_head: str | None
    access_log_entries: int | None
    created_at: str
    data_member: str
    data_sha256: str

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "created_at": self.created_at,
            "dialect": self.dialect,
            "schema_version": self.schema_version,
            "tables": self.tables,
            "access_log": {"head": self.access_log_head, "entries": self.access_log_entries},
            "data": {"member": self.data_member, "sha256": self.data_sha256},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise BackupError("not a rehabkoll backup of a format this version reads")
        return cls(
            dialect=str(data["dialect"]),
            schema_version=data["schema_version"],
            tables={str(k): int(v) for k, v in data["tables"].items()},
            access_log_head=data["access_log"]["head"],
            access_log_entries=data["access_log"]["entries"],
            created_at=str(data["created_at"]),
            data_member=str(data["data"]["member"]),
            data_sha256=str(data["data"]["sha256"]),
        )


# --- counting -----------------------------------------------------------------


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def count_tables(conn: Connection) -> dict[str, int]:
    """Rows per table (every table of the database, sorted by name)."""
    names = sorted(inspect(conn).get_table_names())
    return {
        name: int(conn.execute(text(f"SELECT count(*) FROM {_quote(conn, name)}")).scalar_one())
        for name in names
    }


def _describe(conn: Connection) -> tuple[str | None, dict[str, int], str | None, int | None]:
    """Schema version, counts, and the access log's head hash and count."""
    tables = count_tables(conn)
    version = None
    if "alembic_version" in tables:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    head: str | None = None
    entries: int | None = None
    if "access_log_chain" in tables:
        row = conn.execute(
            text("SELECT last_hash, entries FROM access_log_chain WHERE id = 1")
        ).first()
        if row is not None:
            head, entries = str(row[0]), int(row[1])
    return version, tables, head, entries


# --- backup -------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _backup_sqlite(url: URL, work: Path) -> tuple[Path, Manifest]:
    source_path = _sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(f"{source_path}: no such database file")
    copy = work / SQLITE_MEMBER
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(copy)
    try:
        # pages=-1 (the default): the whole database in one step, under one
        # read transaction, so the copy is one moment of it; in WAL mode
        # writers carry on meanwhile.
        source.backup(target)
    finally:
        target.close()
        source.close()
    engine = create_engine(f"sqlite:///{copy}", poolclass=NullPool, hide_parameters=True)
    try:
        with engine.connect() as conn:
            version, tables, head, entries = _describe(conn)
    finally:
        engine.dispose()
    manifest = Manifest(
        "sqlite", version, tables, head, entries, _now(), SQLITE_MEMBER, _sha256(copy)
    )
    return copy, manifest


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that
    carries the password (never on a command line others can read)."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install PostgreSQL's client programs")
    return found


def _backup_postgres(url: URL, work: Path) -> tuple[Path, Manifest]:
    dump = work / PG_MEMBER
    uri, env = _libpq(url)
    engine = create_engine(url, poolclass=NullPool, hide_parameters=True)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            # One snapshot for the counts and for pg_dump: the manifest
            # describes exactly the moment the dump holds.
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            version, tables, head, entries = _describe(conn)
            result = subprocess.run(
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={dump}",
                    f"--dbname={uri}",
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            conn.rollback()
    finally:
        engine.dispose()
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    manifest = Manifest(
        "postgresql", version, tables, head, entries, _now(), PG_MEMBER, _sha256(dump)
    )
    return dump, manifest


def backup(url: str, target: Path) -> Manifest:
    """Write a backup of the database at ``url`` to ``target`` (a tar file,
    written beside it first and renamed into place when complete)."""
    parsed = make_url(url)
    target = target.resolve()
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".rehabkoll-backup-") as tmp:
        work = Path(tmp)
        if parsed.get_backend_name() == "sqlite":
            data, manifest = _backup_sqlite(parsed, work)
        elif parsed.get_backend_name() == "postgresql":
            data, manifest = _backup_postgres(parsed, work)
        else:
            raise BackupError(f"cannot back up a {parsed.get_backend_name()} database")
        partial = work / "backup.tar"
        with tarfile.open(partial, "w") as archive:
            body = json.dumps(manifest.as_json(), indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(datetime.now(UTC).timestamp())
            archive.addfile(info, io.BytesIO(body))
            archive.add(data, arcname=manifest.data_member)
        with partial.open("rb") as stream:
            os.fsync(stream.fileno())
        os.replace(partial, target)
    return manifest


# --- restore ------------------------------------------------------------------


def read_manifest(source: Path) -> Manifest:
    try:
        with tarfile.open(source, "r") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise BackupError(f"{source}: no manifest")
            return Manifest.from_json(json.loads(member.read()))
    except (tarfile.TarError, KeyError, ValueError) as error:
        raise BackupError(f"{source}: not a readable rehabkoll backup ({error})") from None


def known_revisions() -> list[str]:
    """Every schema revision this rehabkoll knows, oldest first."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _check_schema(manifest: Manifest) -> None:
    known = known_revisions()
    if manifest.schema_version is not None and manifest.schema_version not in known:
        raise BackupError(
            f"the backup's schema ({manifest.schema_version}) is newer than this rehabkoll "
            f"knows (newest {known[-1]}): restore it with the rehabkoll version that made it"
        )


@dataclass(frozen=True, slots=True)
class Restored:
    manifest: Manifest
    verified_entries: int
    migrated_to: str | None


def _compare(manifest: Manifest, conn: Connection) -> None:
    version, tables, head, entries = _describe(conn)
    if version != manifest.schema_version:
        raise BackupError(
            f"restored schema {version}, but the manifest says {manifest.schema_version}"
        )
    if tables != manifest.tables:
        wrong = sorted(
            name
            for name in set(tables) | set(manifest.tables)
            if tables.get(name) != manifest.tables.get(name)
        )
        details = ", ".join(
            f"{name}: {tables.get(name)} restored, {manifest.tables.get(name)} in the manifest"
            for name in wrong
        )
        raise BackupError(f"the restored counts differ from the manifest ({details})")
    if (head, entries) != (manifest.access_log_head, manifest.access_log_entries):
        raise BackupError("the restored access log's head hash differs from the manifest")


def _verify_chain(engine: Engine) -> int:
    from rehabkoll.audit.service import verify
    from rehabkoll.db.session import session_factory

    with session_factory(engine)() as session:
        verdict = verify(session)
    if not verdict.ok:
        raise BackupError("the restored access log does not verify: " + verdict.problems[0])
    return verdict.walk.entries


def _extract(source: Path, member: str, target: Path, sha256: str) -> None:
    with tarfile.open(source, "r") as archive:
        stream = archive.extractfile(member)
        if stream is None:
            raise BackupError(f"{source}: no member {member}")
        with target.open("wb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
    if _sha256(target) != sha256:
        raise BackupError(f"{source}: the data does not match its checksum (damaged file)")


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _restore_sqlite(source: Path, manifest: Manifest, url: URL) -> int:
    target = _sqlite_path(url)
    if target.exists() and target.stat().st_size > 0:
        raise BackupError(f"{target} exists: restore into a new file (nothing was changed)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".rehabkoll-restore-") as tmp:
        partial = Path(tmp) / "restoring.db"
        _extract(source, manifest.data_member, partial, manifest.data_sha256)
        with _engine(f"sqlite:///{partial}") as engine:
            with engine.connect() as conn:
                _compare(manifest, conn)
            verified = _verify_chain(engine) if manifest.access_log_head else 0
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        os.replace(partial, target)
    return verified


def _restore_postgres(source: Path, manifest: Manifest, url: URL) -> int:
    rendered = url.render_as_string(hide_password=False)
    with _engine(rendered) as engine, engine.connect() as conn:
        if inspect(conn).get_table_names():
            raise BackupError(
                "the target database is not empty: restore into a new, empty database "
                "(nothing was changed)"
            )
    uri, env = _libpq(url)
    with tempfile.TemporaryDirectory(prefix="rehabkoll-restore-") as tmp:
        dump = Path(tmp) / PG_MEMBER
        _extract(source, manifest.data_member, dump, manifest.data_sha256)
        result = subprocess.run(
            [
                _tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={uri}",
                str(dump),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was restored): {result.stderr.strip()}")
    with _engine(rendered) as engine:
        with engine.connect() as conn:
            _compare(manifest, conn)
        return _verify_chain(engine) if manifest.access_log_head else 0


def restore(source: Path, url: str) -> Restored:
    """Restore the backup ``source`` into the empty database at ``url``, check
    it against the manifest, then migrate it to this rehabkoll's schema."""
    manifest = read_manifest(source)
    _check_schema(manifest)
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend != manifest.dialect:
        raise BackupError(
            f"the backup is of a {manifest.dialect} database; it restores into "
            f"{manifest.dialect} only, not {backend}"
        )
    if backend == "sqlite":
        verified = _restore_sqlite(source, manifest, parsed)
    else:
        verified = _restore_postgres(source, manifest, parsed)
    with _engine(url) as engine:
        upgrade(engine)
        with engine.connect() as conn:
            migrated = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return Restored(manifest, verified, migrated)


__all__ = [
    "BackupError",
    "Manifest",
    "Restored",
    "backup",
    "count_tables",
    "known_revisions",
    "read_manifest",
    "restore",
]
