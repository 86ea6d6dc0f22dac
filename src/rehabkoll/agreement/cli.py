"""Commands: ``agreement allocate`` (from a self-contained file, no database) and
``agreement schema`` (the published JSON Schemas)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from rehabkoll.cli_common import fail

agreement_app = typer.Typer(
    help="The agreement follow-up (överenskommelsen): conditions and the money they pay."
)


class AllocationFormat(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class SchemaName(StrEnum):
    allocation_input = "allocation-input"
    allocation_output = "allocation-output"


def register(app: typer.Typer) -> None:
    app.add_typer(agreement_app, name="agreement")


@agreement_app.command("allocate")
def allocate(
    input_file: Annotated[
        Path, typer.Option("--input", help="The allocation file (JSON; see docs/agreement.md).")
    ],
    output_format: Annotated[
        AllocationFormat, typer.Option("--format", help="json (default), csv or xlsx.")
    ] = AllocationFormat.json,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write here instead of standard output.")
    ] = None,
) -> None:
    """Share each part's kronor among the regions, exactly, with no database."""
    from rehabkoll.agreement import allocation_file as af
    from rehabkoll.agreement.regions import REGIONS

    try:
        text = input_file.read_bytes()
    except OSError as error:
        fail(f"--input: cannot read {input_file}: {error.strerror}")
    try:
        result = af.compute(af.parse(text))
    except af.AllocationInputError as error:
        fail(f"{input_file.name}: {error}")
    if output_format is AllocationFormat.xlsx:
        if output is None:
            fail("--format xlsx needs --output FILE")
        _write_atomically(output, af.to_xlsx(result, REGIONS))
        return
    body = af.to_json(result) if output_format is AllocationFormat.json else af.to_csv(result)
    if output is None:
        sys.stdout.write(body)
    else:
        _write_atomically(output, body.encode())


@agreement_app.command("schema")
def schema(
    name: Annotated[
        SchemaName, typer.Argument(help="Which document: allocation-input or allocation-output.")
    ] = SchemaName.allocation_input,
) -> None:
    """Print a JSON Schema the project publishes."""
    import json

    from pydantic import BaseModel

    from rehabkoll.agreement import allocation_file as af

    models: dict[SchemaName, type[BaseModel]] = {
        SchemaName.allocation_input: af.AllocationInput,
        SchemaName.allocation_output: af.AllocationOutput,
    }
    model = models[name]
    sys.stdout.write(json.dumps(af.schema(model), ensure_ascii=False, indent=2) + "\n")


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it into place."""
    temporary = path.with_name(f".{path.name}.part")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        fail(f"--output: cannot write {path}: {error.strerror}")
