"""Commands: ``import`` (certificates from JSON Lines) and ``schema``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.text import Text

from rehabkoll.cli_common import SHOWN_ERRORS, DbOption, console, err_console, fail, interactive
from rehabkoll.fmb.cli import print_batch_notices


def register(app: typer.Typer) -> None:
    app.command("import")(import_file)
    app.command("schema")(schema)


def import_file(
    file: Annotated[
        str,
        typer.Argument(
            help="JSON Lines file of certificates and revocations; - for stdin. "
            "RIVTA XML: an .xml file, a folder of them, or a .zip of them."
        ),
    ],
    db: DbOption = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with status 1 if any line was rejected.")
    ] = False,
    fmb_notices: Annotated[
        bool,
        typer.Option(
            "--fmb-notices/--no-fmb-notices",
            help="Tell which stored certificates take their case over FMB's recommended "
            "length (one look-up per patient: leave out for bulk loads).",
        ),
    ] = True,
) -> None:
    """Import certificates (FK 7804) and revocations, one JSON object per line.

    Every valid line is stored; every invalid line is rejected with its line
    number, field and reason (printed, and kept with the import batch).
    Importing the same file again changes nothing. Work is committed in chunks
    of whole lines, so an interrupted import leaves no half-stored certificate
    and a re-run completes it.
    """
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from rehabkoll.certificates import service
    from rehabkoll.db.session import open_database
    from rehabkoll.exchange import importing

    if file != "-" and importing.is_xml_source(Path(file)):
        from rehabkoll.exchange.cli import import_xml

        import_xml(Path(file), db, strict=strict, fmb_notices=fmb_notices)
        return
    if file == "-":
        stream: BinaryIO = sys.stdin.buffer
        size = None
        source = "<stdin>"
    else:
        path = Path(file)
        if not path.is_file():
            fail(f"{file}: no such file")
        stream = path.open("rb")
        size = path.stat().st_size
        source = str(path.resolve())
    progress = Progress(
        TextColumn("Importing"),
        BarColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not interactive(),
    )
    with progress, stream:
        task = progress.add_task("import", total=size)
        batch_id, total = service.import_stream(
            open_database(db),
            stream,
            source=source,
            progress=lambda consumed: progress.update(task, advance=consumed),
        )
    for earlier in total.interrupted:
        err_console.print(
            f"Import batch {earlier} had stopped before it finished (its process is gone): "
            "marked interrupted. Run its file again to store the rest.",
            highlight=False,
        )
    for error in total.errors[:SHOWN_ERRORS]:
        err_console.print(Text.assemble(("rejected ", "red"), str(error)), highlight=False)
    if total.rejected > SHOWN_ERRORS:
        err_console.print(
            f"… and {total.rejected - SHOWN_ERRORS} more, kept with import batch {batch_id}"
        )
    over = print_batch_notices(db, batch_id) if fmb_notices and total.stored else None
    console.print(
        f"Import batch {batch_id}: {total.stored} stored, {total.unchanged} unchanged, "
        f"{total.rejected} rejected"
        + (f", {over} over FMB's recommended length." if over is not None else "."),
        highlight=False,
    )
    if strict and total.rejected:
        raise typer.Exit(1)
    if total.rejected and not (total.stored or total.unchanged):
        err_console.print("Every line was rejected: nothing stored.", highlight=False)
        raise typer.Exit(1)


def schema() -> None:
    """Print the JSON Schema of one line of certificate input."""
    from rehabkoll.certificates.schema import json_schema

    typer.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))
