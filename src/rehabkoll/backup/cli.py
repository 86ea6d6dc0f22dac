"""Commands: ``backup`` and ``restore`` of the whole database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rehabkoll.cli_common import DbOption, console, fail


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)


def backup(
    to: Annotated[
        Path,
        typer.Option(
            "--to",
            dir_okay=False,
            help="The backup file to write (a tar archive).",
            show_default=False,
        ),
    ],
    db: DbOption = None,
) -> None:
    """Back up the whole database while the service runs, with a manifest.

    SQLite: a copy through SQLite's online backup API; PostgreSQL: pg_dump in
    its custom format (needs PostgreSQL's client programs). The manifest holds
    the rows per table, the access log's head hash and the schema version, all
    of the same moment as the copy. The file appears only when complete.
    """
    from rehabkoll.backup.service import BackupError
    from rehabkoll.backup.service import backup as make_backup
    from rehabkoll.db.session import database_url

    if not to.parent.is_dir():
        fail(f"--to: the folder {to.parent} does not exist")
    try:
        manifest = make_backup(database_url(db), to)
    except BackupError as error:
        fail(str(error), code=1)
    rows = sum(manifest.tables.values())
    console.print(
        f"Backed up to {to}: schema {manifest.schema_version}, {len(manifest.tables)} tables, "
        f"{rows} rows, access log head {manifest.access_log_head} "
        f"({manifest.access_log_entries} entries).",
        highlight=False,
    )


def restore(
    source: Annotated[
        Path,
        typer.Option(
            "--from",
            exists=True,
            dir_okay=False,
            help="A backup file written by 'rehabkoll backup'.",
            show_default=False,
        ),
    ],
    db: DbOption = None,
) -> None:
    """Restore a backup into a new, empty database and check it.

    Refuses a backup of a newer schema than this rehabkoll knows, and a target
    database that is not empty. After restoring it compares every table's rows
    with the manifest and recomputes the access log's hash chain against the
    manifest's head; then it migrates the database to this version's schema.
    """
    from rehabkoll.backup.service import BackupError
    from rehabkoll.backup.service import restore as restore_backup
    from rehabkoll.db.session import database_url

    try:
        restored = restore_backup(source, database_url(db))
    except BackupError as error:
        fail(str(error), code=1)
    manifest = restored.manifest
    console.print(
        f"Restored {source} (made {manifest.created_at}): {len(manifest.tables)} tables match "
        f"the manifest, the access log verifies ({restored.verified_entries} entries, head "
        f"{manifest.access_log_head}); schema {manifest.schema_version} → {restored.migrated_to}.",
        highlight=False,
    )
