"""Command: ``audit`` — the patient's log extract (who read or changed their data)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from rehabkoll.cli_common import DbOption, console, fail

if TYPE_CHECKING:
    from rehabkoll.audit.models import AccessLog


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)


def audit(
    patient: Annotated[
        str,
        typer.Option("--patient", help="The patient's personnummer (YYYYMMDD-NNNN)."),
    ],
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table for people, json for programs.")
    ] = OutputFormat.table,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many entries.")] = (
        10_000
    ),
    db: DbOption = None,
) -> None:
    """List who read or changed a patient's data, newest first.

    This is the patient's right to a log extract under the patient data act (PDL).
    """
    from rehabkoll.audit.models import Action
    from rehabkoll.audit.service import entries
    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.lib import personnummer

    try:
        patient_id = personnummer.normalize(patient)
    except personnummer.InvalidPersonalNumberError as error:
        fail(f"--patient: {error}")
    with session_scope(open_database(db)) as session:
        rows = entries(session, patient_id=patient_id, limit=limit)
    if output == OutputFormat.json:
        typer.echo(json.dumps([_as_json(row) for row in rows], ensure_ascii=False, indent=2))
        return
    table = Table("time (UTC)", "user", "role", "unit", "action", "purpose", "detail")
    for row in rows:
        action = Action(row.action).label if row.action in set(Action) else row.action
        table.add_row(
            row.at.strftime("%Y-%m-%d %H:%M:%S"),
            row.username,
            row.role,
            row.unit_id or "",
            action,
            row.purpose,
            row.detail,
        )
    console.print(table)
    console.print(f"{len(rows)} entries.", highlight=False)


def _as_json(row: AccessLog) -> dict[str, object]:
    return {
        "at": row.at.isoformat(timespec="seconds"),
        "username": row.username,
        "role": row.role,
        "unit_id": row.unit_id,
        "patient_id": row.patient_id,
        "action": row.action,
        "purpose": row.purpose,
        "detail": row.detail,
    }
