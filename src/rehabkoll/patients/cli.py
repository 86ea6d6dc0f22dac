"""Commands: ``patients import`` (protected identity from the patient register) and
``patients names`` (names from the population register)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from rehabkoll.cli_common import SHOWN_ERRORS, DbOption, console, err_console, fail

patients = typer.Typer(
    name="patients", help="Facts from the patient register.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(patients, name="patients")


@patients.command("import")
def import_file(
    file: Annotated[
        str,
        typer.Argument(
            help='JSON Lines, {"id": personnummer, "protected": true|false}; - for stdin.'
        ),
    ],
    db: DbOption = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with status 1 if any line was rejected.")
    ] = False,
) -> None:
    """Import which patients have protected identity (skyddad personuppgift).

    Known patients get the flag; unknown protected patients get a minimal
    patient row so the protection holds from their first certificate; rejected
    lines are reported with line number, field and reason. Everything valid is
    stored in one transaction.
    """
    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.patients.service import import_register

    if file == "-":
        text = sys.stdin.read()
    else:
        path = Path(file)
        if not path.is_file():
            fail(f"{file}: no such file")
        text = path.read_text(encoding="utf-8", errors="replace")
    lines = enumerate(text.splitlines(), start=1)
    with session_scope(open_database(db)) as session:
        result = import_register(session, lines)
    for error in result.errors[:SHOWN_ERRORS]:
        err_console.print(f"[red]rejected[/] {error}", highlight=False)
    if result.rejected > SHOWN_ERRORS:
        err_console.print(f"… and {result.rejected - SHOWN_ERRORS} more rejected lines")
    console.print(
        f"Patient register: {result.updated} updated, {result.unchanged} unchanged, "
        f"{result.created} created (protected, no certificate yet), "
        f"{result.unknown} unknown and not protected (nothing to store), "
        f"{result.rejected} rejected.",
        highlight=False,
    )
    if strict and result.rejected:
        raise typer.Exit(1)


@patients.command("names")
def names_file(
    file: Annotated[
        str,
        typer.Argument(
            help='JSON Lines from the population register, {"id": personnummer, '
            '"given_name": …, "middle_name": …, "surname": …}; - for stdin.'
        ),
    ],
    db: DbOption = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with status 1 if any line was rejected.")
    ] = False,
) -> None:
    """Fill patients' names from the population register (PU-tjänsten's answers).

    RIVTA messages carry no names; this gives every stored patient in the file
    the register's name (the register wins where a stored name differs).
    People not stored are counted, not created. Rejected lines are reported
    with line number, field and reason; everything valid is stored in one
    transaction. `rehabkoll synth --format rivta` writes such a file.
    """
    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.patients.names import fill_names

    if file == "-":
        text = sys.stdin.read()
    else:
        path = Path(file)
        if not path.is_file():
            fail(f"{file}: no such file")
        text = path.read_text(encoding="utf-8", errors="replace")
    with session_scope(open_database(db)) as session:
        result = fill_names(session, enumerate(text.splitlines(), start=1))
    for error in result.errors[:SHOWN_ERRORS]:
        err_console.print(f"[red]rejected[/] {error}", highlight=False)
    if result.rejected > SHOWN_ERRORS:
        err_console.print(f"… and {result.rejected - SHOWN_ERRORS} more rejected lines")
    console.print(
        f"Population register: {result.updated} names filled or changed, "
        f"{result.unchanged} unchanged, {result.unknown} not stored here (nothing to do), "
        f"{result.rejected} rejected.",
        highlight=False,
    )
    if strict and result.rejected:
        raise typer.Exit(1)
