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
    agreement = "agreement"
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
        SchemaName,
        typer.Argument(help="Which document: agreement, allocation-input or allocation-output."),
    ] = SchemaName.agreement,
) -> None:
    """Print a JSON Schema the project publishes."""
    import json

    from pydantic import BaseModel

    from rehabkoll.agreement import allocation_file as af
    from rehabkoll.agreement.document import AgreementDocument

    models: dict[SchemaName, type[BaseModel]] = {
        SchemaName.agreement: AgreementDocument,
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


DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL. Default: REHABKOLL_DATABASE_URL or rehabkoll.db."),
]


@agreement_app.command("import")
def import_agreement(
    file: Annotated[Path, typer.Argument(help="The agreement's JSON file (schema: agreement).")],
    db: DbOption = None,
) -> None:
    """Create or replace a year's agreement from its JSON file."""
    from pydantic import ValidationError

    from rehabkoll.agreement import service
    from rehabkoll.agreement.allocation_file import describe
    from rehabkoll.agreement.document import AgreementDocument
    from rehabkoll.db.session import open_database, session_scope

    try:
        document = AgreementDocument.model_validate_json(file.read_bytes())
    except OSError as error:
        fail(f"{file}: cannot read: {error.strerror}")
    except ValidationError as error:
        fail(f"{file.name}: {describe(error)}")
    with session_scope(open_database(db)) as session:
        agreement = service.import_document(session, document=document, user=None)
        print(
            f"Agreement {agreement.year}: {len(agreement.conditions)} conditions, "
            f"{len(agreement.parts)} parts, population on {agreement.key_date.isoformat()}."
        )


@agreement_app.command("population")
def import_population(
    file: Annotated[Path, typer.Argument(help="SCB-style CSV: region, one column per year.")],
    source: Annotated[
        str | None,
        typer.Option("--source", help="The figures' source, for rows without a källa column."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Import the regions' population on 31 December of each year column."""
    from rehabkoll.agreement import population
    from rehabkoll.db.session import open_database, session_scope

    try:
        figures = population.read_csv(file, source=source)
    except OSError as error:
        fail(f"{file}: cannot read: {error.strerror}")
    except population.InvalidPopulationFileError as error:
        fail(f"{file.name}: {error}")
    with session_scope(open_database(db)) as session:
        stored = population.store(session, figures)
    print(f"Stored {stored} population figures.")


@agreement_app.command("coordinator")
def coordinator(
    username: Annotated[str, typer.Argument(help="A user with the role region_coordinator.")],
    region: Annotated[str, typer.Argument(help="The region's county code, e.g. 04.")],
    db: DbOption = None,
) -> None:
    """Make a samordnare the coordinator of a region."""
    from rehabkoll.accounts.roles import Role
    from rehabkoll.accounts.service import get_user
    from rehabkoll.agreement import service
    from rehabkoll.agreement.errors import AgreementError
    from rehabkoll.db.session import open_database, session_scope

    with session_scope(open_database(db)) as session:
        user = get_user(session, username=username)
        if user is None:
            fail(f"username: no user named {username!r}")
        if user.role is not Role.REGION_COORDINATOR:
            fail(f"username: {username!r} does not have the role region_coordinator")
        try:
            service.set_coordinator_region(session, user=user, region=region, by=None)
        except AgreementError as error:
            fail(f"region: {error}")
    print(f"{username} is the coordinator of region {region}.")
