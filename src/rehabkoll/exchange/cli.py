"""``rehabkoll import`` of RIVTA XML (called by the import command for
``.xml`` files, folders and zip files) and ``rehabkoll archive-export``."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from rehabkoll.cli_common import SHOWN_ERRORS, DbOption, console, err_console, fail, interactive
from rehabkoll.fmb.cli import print_batch_notices


def register(app: typer.Typer) -> None:
    app.command("archive-export")(archive_export)


def import_xml(path: Path, db: str | None, *, strict: bool, fmb_notices: bool = True) -> None:
    """Import RIVTA messages from an .xml file, a folder or a zip, with a report."""
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from rehabkoll.db.session import open_database
    from rehabkoll.exchange import importing

    if not path.exists():
        fail(f"{path}: no such file or folder")
    progress = Progress(
        TextColumn("Importing"),
        BarColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not interactive(),
    )
    with progress:
        task = progress.add_task("import", total=importing.total_size(path))
        batch_id, total, names = importing.import_path(
            open_database(db),
            path,
            progress=lambda consumed: progress.update(task, advance=consumed),
        )
    errors = total.errors
    for error in errors[:SHOWN_ERRORS]:
        where = names.get(error.line, f"message {error.line}")
        err_console.print(
            Text.assemble(("rejected ", "red"), f"{where}: {error.field}: {error.reason}"),
            highlight=False,
        )
    if len(errors) > SHOWN_ERRORS:
        err_console.print(
            f"… and {len(errors) - SHOWN_ERRORS} more, kept with import batch {batch_id}"
        )
    for result in total.results:
        if result.outcome == "ignored" and result.error is not None:
            where = names.get(result.number, f"message {result.number}")
            err_console.print(f"ignored {where}: {result.error.reason}", highlight=False)
    stored = total.count("stored")
    over = print_batch_notices(db, batch_id) if fmb_notices and stored else None
    console.print(
        f"Import batch {batch_id}: {stored} stored, "
        f"{total.count('unchanged')} unchanged, {total.count('ignored')} ignored, "
        f"{len(errors)} rejected"
        + (f", {over} over FMB's recommended length." if over is not None else "."),
        highlight=False,
    )
    if strict and errors:
        raise typer.Exit(1)


def archive_export(
    file: Annotated[Path, typer.Argument(help="Zip file to write the archived messages to.")],
    db: DbOption = None,
) -> None:
    """Write every archived RIVTA message, as received, into a zip in the order
    received; importing the zip into an empty database rebuilds the same cases."""
    from sqlalchemy import select

    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.exchange.models import ArchivedMessage

    count = 0
    with (
        session_scope(open_database(db)) as session,
        zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        rows = session.execute(
            select(ArchivedMessage.id, ArchivedMessage.interaction, ArchivedMessage.xml_gzip)
            .order_by(ArchivedMessage.id)
            .execution_options(yield_per=1000)
        )
        for message_id, interaction, data in rows:
            archive.writestr(
                f"{message_id:09d}-{interaction or 'unknown'}.xml", gzip.decompress(data)
            )
            count += 1
    console.print(f"Wrote {count} messages to {file}.", highlight=False)
