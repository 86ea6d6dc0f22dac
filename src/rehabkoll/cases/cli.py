"""Commands: ``cases`` (a unit's work list), ``patient`` and ``build-cases``."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from rehabkoll.cases.engine import DEFAULT_GAP, JSON_KEYS, CaseRow
from rehabkoll.cli_common import AsOfOption, DbOption, GapOption, console, fail, parse_day
from rehabkoll.fmb.rules import JSON_KEYS as FMB_KEYS

CASE_KEYS = JSON_KEYS + FMB_KEYS
"""The keys of a case object: the engine's, then FMB's (fmb_max_days, fmb_code, over_fmb)."""


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", help="table for people, json or csv for programs.")
]
UnitOption = Annotated[str, typer.Option("--unit", help="HSA id of the care unit (vårdenhet).")]
AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="The rehabkoll user reading (logged in the access log). Default: the OS user.",
        show_default=False,
    ),
]
PurposeOption = Annotated[
    str | None,
    typer.Option(
        "--purpose",
        help="Why the data is read (ändamål), for the access log. Default: by the user's role.",
        show_default=False,
    ),
]


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
    as_user: AsOption = None,
    purpose: PurposeOption = None,
) -> None:
    """The unit's work list: ongoing sick-leave cases (pågående sjukfall) on a day.

    Every patient listed is written to the access log (who, purpose, unit)."""
    from rehabkoll.audit import cli_reads
    from rehabkoll.audit.models import Action
    from rehabkoll.cases import service
    from rehabkoll.db.session import open_database, session_scope

    day = parse_day(as_of)
    try:
        with session_scope(open_database(db)) as session:
            who = cli_reads.reader(session, as_user=as_user, purpose=purpose)
            cli_reads.require_unit(session, unit)
            rows = service.work_list(session, unit_id=unit, as_of=day, gap=gap, recent=recent)
            cli_reads.log_read(
                session,
                who,
                unit_id=unit,
                patient_ids=[r.patient_id for r in rows],
                action=Action.WORKLIST_VIEW,
                detail=f"rehabkoll cases, {day}",
            )
            fmb = _fmb_fields(session, rows, day)
    except (cli_reads.UnknownReaderError, cli_reads.UnknownUnitError) as err:
        fail(str(err))
    _print(rows, output, title=f"Ongoing cases at {unit} on {day}", fmb=fmb)


def patient(
    patient_id: Annotated[str, typer.Argument(help="Personnummer or samordningsnummer.")],
    unit: UnitOption,
    as_of: AsOfOption = None,
    gap: GapOption = DEFAULT_GAP,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
    as_user: AsOption = None,
    purpose: PurposeOption = None,
) -> None:
    """One patient's cases at a unit, newest first (written to the access log)."""
    from sqlalchemy import select

    from rehabkoll.audit import cli_reads
    from rehabkoll.audit.models import Action
    from rehabkoll.cases import service
    from rehabkoll.certificates.models import Certificate
    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.lib import personnummer

    try:
        number = personnummer.normalize(patient_id)
    except personnummer.InvalidPersonalNumberError as err:
        fail(f"PATIENT_ID: {err}")
    day = parse_day(as_of)
    try:
        with session_scope(open_database(db)) as session:
            who = cli_reads.reader(session, as_user=as_user, purpose=purpose)
            cli_reads.require_unit(session, unit)
            known = session.scalar(
                select(Certificate.id).where(Certificate.patient_id == number).limit(1)
            )
            if known is None:
                fail("PATIENT_ID: no certificate of this patient in the database", code=1)
            rows = service.patient_cases(
                session, patient_id=number, unit_id=unit, as_of=day, gap=gap
            )
            cli_reads.log_read(
                session,
                who,
                unit_id=unit,
                patient_ids=[number],
                action=Action.PATIENT_VIEW,
                detail=f"rehabkoll patient, {day}",
            )
            fmb = _fmb_fields(session, rows, day)
    except (cli_reads.UnknownReaderError, cli_reads.UnknownUnitError) as err:
        fail(str(err))
    _print(rows, output, title=f"Cases at {unit} on {day}", fmb=fmb)


def _fmb_fields(session: Any, rows: list[CaseRow], day: date) -> list[dict[str, object]]:
    """Each case's fmb_max_days, fmb_code and over_fmb (FMB in force on ``day``)."""
    from rehabkoll.fmb import service as fmb_service

    found = fmb_service.catalogue(session, day)
    return [
        fmb_service.case_json(found, (r.diagnosis, *r.secondary_diagnoses), r.days) for r in rows
    ]


def _print(
    rows: list[CaseRow], output: OutputFormat, *, title: str, fmb: list[dict[str, object]]
) -> None:
    if output is OutputFormat.json:
        body = [{**r.as_json(), **extra} for r, extra in zip(rows, fmb, strict=True)]
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    if output is OutputFormat.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=CASE_KEYS, lineterminator="\n")
        writer.writeheader()
        for row, extra in zip(rows, fmb, strict=True):
            data = {**row.as_json(), **extra}
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
        "FMB",
    ):
        table.add_column(header)
    for row, extra in zip(rows, fmb, strict=True):
        limit = extra["fmb_max_days"]
        fmb_text = "–" if limit is None else f"{limit}{' over' if extra['over_fmb'] else ''}"
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
            fmb_text,
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
