"""Commands: ``audit --patient`` — the patient's log extract (who read or changed
their data); ``audit verify`` — recompute the log's hash chain; ``audit head``
— the day's head hash, to keep elsewhere."""

from __future__ import annotations

import json
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from rehabkoll.audit.details import detail_text
from rehabkoll.cli_common import DbOption, console, err_console, fail

if TYPE_CHECKING:
    from rehabkoll.audit.search import Entry


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="The access log: a patient's log extract, and checking the log's hash chain.",
    )
    group.callback(invoke_without_command=True)(audit)
    group.command("verify")(verify)
    group.command("head")(head)
    app.add_typer(group, name="audit")


def audit(
    ctx: typer.Context,
    patient: Annotated[
        str | None,
        typer.Option(
            "--patient",
            help="The patient's personnummer (YYYYMMDD-NNNN).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table for people, json for programs.")
    ] = OutputFormat.table,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many entries.")] = (
        10_000
    ),
    db: DbOption = None,
) -> None:
    """List who read or changed a patient's data, newest first (``audit --patient``).

    This is the patient's right to a log extract under the patient data act (PDL).
    ``audit verify`` and ``audit head`` check the log's hash chain.
    """
    if ctx.invoked_subcommand is not None:
        return
    if patient is None:
        fail("--patient: give the patient's personnummer (or use 'audit verify' / 'audit head')")
    from rehabkoll.audit.models import Action
    from rehabkoll.audit.search import Filters, every
    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.lib import personnummer

    try:
        patient_id = personnummer.normalize(patient)
    except personnummer.InvalidPersonalNumberError as error:
        fail(f"--patient: {error}")
    with session_scope(open_database(db)) as session:
        rows = every(session, Filters(patient_id=patient_id), limit=limit)
    if output == OutputFormat.json:
        typer.echo(json.dumps([_as_json(row) for row in rows], ensure_ascii=False, indent=2))
        return
    # "patients": how many patients the access read, this one among them (a work list reads many).
    table = Table("time (UTC)", "user", "role", "unit", "action", "purpose", "detail", "patients")
    for row in rows:
        action = Action(row.action).label if row.action in set(Action) else row.action
        table.add_row(
            row.at.strftime("%Y-%m-%d %H:%M:%S"),
            row.username,
            row.role,
            row.unit_id or "",
            action,
            row.purpose,
            detail_text(row.detail),
            str(row.patients),
        )
    console.print(table)
    console.print(f"{len(rows)} entries.", highlight=False)


def _as_json(row: Entry) -> dict[str, object]:
    return {
        "at": row.at.isoformat(timespec="seconds"),
        "username": row.username,
        "role": row.role,
        "unit_id": row.unit_id,
        "patient_id": row.patient_id,
        "patients_in_entry": row.patients,
        "action": row.action,
        "purpose": row.purpose,
        "detail": row.detail,
    }


def _read_heads(path: Path) -> dict[int, str]:
    """Entry id → hash from lines written by ``audit head`` (date, id, hash)."""
    heads: dict[int, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[1].isdigit() or len(parts[2]) != 64:
            fail(f"--heads: line {number} is not 'DATE ID HASH' as 'audit head' writes it")
        heads[int(parts[1])] = parts[2]
    return heads


def verify(
    heads: Annotated[
        Path | None,
        typer.Option(
            "--heads",
            exists=True,
            dir_okay=False,
            help="A file of heads exported earlier by 'audit head' (one per line): "
            "each must still match.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Recompute the access log's hash chain and name the first entry that does not match.

    Exit code 0: every entry, the head row and the exported heads match;
    1: the log was changed, and the first entry found is named.
    """
    from rehabkoll.audit.service import verify as verify_chain
    from rehabkoll.db.session import open_database, session_scope

    expected = _read_heads(heads) if heads else {}
    with session_scope(open_database(db)) as session:
        verdict = verify_chain(session, expected=expected)
    if verdict.ok:
        console.print(
            f"The access log is intact: {verdict.walk.entries} entries, head {verdict.walk.head}.",
            highlight=False,
        )
        return
    for problem in verdict.problems:
        err_console.print(f"[bold red]Broken:[/] {problem}", highlight=False)
    raise typer.Exit(1)


def head(
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="The day (YYYY-MM-DD, Swedish time) whose last entry to export. "
            "Default: yesterday.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Print the access log's head at the end of a day: DATE ID HASH.

    Run it daily and keep the lines somewhere the database's administrators
    cannot write (another system, a signed mail); 'audit verify --heads FILE'
    then proves the log up to each of them was not rewritten.
    """
    from rehabkoll.audit.service import ChainBrokenError, day_head
    from rehabkoll.db.session import open_database, session_scope

    if day is None:
        chosen = date.today() - timedelta(days=1)
    else:
        try:
            chosen = date.fromisoformat(day)
        except ValueError:
            fail(f"--date: {day!r} is not a date in the form YYYY-MM-DD")
    with session_scope(open_database(db)) as session:
        try:
            found = day_head(session, day=chosen)
        except ChainBrokenError as error:
            fail(f"the chain does not hold: {error}", code=1)
    if found is None:
        fail(f"--date: the access log has no entry before the end of {chosen.isoformat()}")
    typer.echo(f"{chosen.isoformat()} {found[0]} {found[1]}")
