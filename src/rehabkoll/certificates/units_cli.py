"""Command: ``units`` — the care units and care providers in the register, so
that ``--unit`` and ``--scope`` can be given an id that exists."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from rehabkoll.cli_common import DbOption, console


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("units")(units)


def units(
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table for people, json for programs.")
    ] = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """List the care units (vårdenheter) and their care providers (vårdgivare)."""
    from sqlalchemy import select

    from rehabkoll.certificates.models import CareProvider, Unit
    from rehabkoll.db.session import open_database, session_scope

    with session_scope(open_database(db)) as session:
        rows = [
            (str(u), str(un), str(p), str(pn))
            for u, un, p, pn in session.execute(
                select(Unit.id, Unit.name, CareProvider.id, CareProvider.name)
                .join(CareProvider, CareProvider.id == Unit.care_provider_id)
                .order_by(CareProvider.name, Unit.name)
            )
        ]
    if output is OutputFormat.json:
        keys = ("unit_id", "unit", "provider_id", "provider")
        typer.echo(json.dumps([dict(zip(keys, r, strict=True)) for r in rows], ensure_ascii=False))
        return
    table = Table("Vårdenhet", "HSA-id", "Vårdgivare", "Vårdgivarens HSA-id")
    for unit_id, unit_name, provider_id, provider_name in rows:
        table.add_row(unit_name, unit_id, provider_name, provider_id)
    console.print(table)
    console.print(f"{len(rows)} units.", highlight=False)
