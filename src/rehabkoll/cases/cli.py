"""Commands: ``cases`` (a unit's work list), ``patient`` and ``build-cases``."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rehabkoll.cases.engine import DEFAULT_GAP, JSON_KEYS, CaseRow
from rehabkoll.cli_common import AsOfOption, DbOption, GapOption, console, fail, parse_day


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", help="table for people, json or csv for programs.")
]
UnitOption = Annotated[str, typer.Option("--unit", help="HSA id of the care unit (vårdenhet).")]


def register(app: typer.Typer) -> None:
    app.command("cases")(cases)
    app.command("patient")(patient)
    app.command("build-cases")(build_cases)


def cases(
    unit: UnitOption,
    as_of: AsOfOption = None,
    gap: GapOption = DEFAULT_GAP,
    recent: Annotated[
        int,
        typer.Option(
            "--recent",
            min=0,
            max=14,
            help="Also list patients whose latest case ended within this many days.",
        ),
    ] = 0,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """The unit's work list: ongoing sick-leave cases (pågående sjukfall) on a day."""
    from rehabkoll.cases import service
    from rehabkoll.db.session import open_database, session_scope

    day = parse_day(as_of)
    with session_scope(open_database(db)) as session:
        rows = service.work_list(session, unit_id=unit, as_of=day, gap=gap, recent=recent)
    _print(rows, output, title=f"Ongoing cases at {unit} on {day}")


def patient(
    patient_id: Annotated[str, typer.Argument(help="Personnummer or samordningsnummer.")],
    unit: UnitOption,
    as_of: AsOfOption = None,
    gap: GapOption = DEFAULT_GAP,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """One patient's cases at a unit, newest first."""
    from rehabkoll.cases import service
    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.lib import personnummer

    try:
        number = personnummer.normalize(patient_id)
    except personnummer.InvalidPersonalNumberError as err:
        fail(f"PATIENT_ID: {err}")
    day = parse_day(as_of)
    with session_scope(open_database(db)) as session:
        rows = service.patient_cases(session, patient_id=number, unit_id=unit, as_of=day, gap=gap)
    _print(rows, output, title=f"Cases at {unit} on {day}")


def _print(rows: list[CaseRow], output: OutputFormat, *, title: str) -> None:
    if output is OutputFormat.json:
        typer.echo(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
        return
    if output is OutputFormat.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=JSON_KEYS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            data = row.as_json()
            for key in ("degrees", "secondary_diagnoses", "occupation"):
                data[key] = " ".join(str(v) for v in data[key])  # type: ignore[attr-defined]
            writer.writerow(data)
        return
    table = Table(title=f"{title}: {len(rows)}")
    for header in (
        "Patient",
        "Start",
        "End",
        "Days",
        "Net",
        "Cert.",
        "Degree",
        "Diagnosis",
        "Doctor",
        "Days left",
    ):
        table.add_column(header)
    for row in rows:
        degrees = " ".join(f"[b]{d}[/b]" if d == row.degree else str(d) for d in row.degrees)
        table.add_row(
            row.patient_id,
            row.start.isoformat(),
            row.end.isoformat(),
            str(row.days),
            f"{row.net_days:g}",
            str(row.certificates),
            degrees,
            _diagnosis(row.diagnosis),
            row.doctor_id,
            "ended" if row.recently_ended else str(row.days_left),
            style="italic" if row.recently_ended else None,
        )
    console.print(table)


def _diagnosis(code: str) -> str:
    """The code with the same Swedish text the web shows."""
    from rehabkoll.lib import diagnosis_texts

    return f"{code} {diagnosis_texts.text(code)}".strip()


def build_cases(
    input_file: Annotated[
        Path,
        typer.Option(
            "--input", help="Certificate JSON Lines, or a Parquet file of certificate periods."
        ),
    ],
    output_file: Annotated[Path, typer.Option("--output", help="Parquet file of cases to write.")],
    gap: GapOption = DEFAULT_GAP,
) -> None:
    """Build every case of every patient and care provider (the bulk engine: DuckDB, NumPy)."""
    from rehabkoll.cases import bulk

    if not input_file.is_file():
        fail(f"--input: {input_file}: no such file")
    try:
        summary = bulk.build_cases_file(input_file, output_file, gap=gap)
    except bulk.InputFormatError as error:
        fail(f"--input: {error}")
    console.print(summary, highlight=False)
