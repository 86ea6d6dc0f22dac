"""Commands: ``fmb import`` (Socialstyrelsen's FMB into the database), ``fmb
show`` (what applies to a code) and ``fmb versions``."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from rehabkoll.cli_common import SHOWN_ERRORS, AsOfOption, DbOption, console, fail, parse_day

fmb_app = typer.Typer(
    name="fmb",
    help="Socialstyrelsen's recommended sick-leave lengths per diagnosis (FMB).",
    no_args_is_help=True,
)


class ShowFormat(StrEnum):
    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    app.add_typer(fmb_app)


@fmb_app.command("import")
def import_fmb(
    locations: Annotated[
        list[str] | None,
        typer.Argument(
            help="A folder holding typfall.json and diagnosinformation.json, the two files, "
            "or the API's address (https://…/fmb). Default: REHABKOLL_FMB_SOURCE, else the "
            "fmb folder of REHABKOLL_DATA_DIR.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Import a version of FMB (typical cases and diagnosis information).

    The same build again changes nothing; a newer build is in force from its
    build day on, stored in one transaction; a malformed file changes nothing.
    """
    from rehabkoll.config import get_settings
    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.fmb import reading, service

    given = locations or [get_settings().fmb_location()]
    try:
        data = reading.read(given)
    except reading.FmbFormatError as err:
        fail(f"{err} (nothing imported; the data in force is kept)")
    try:
        with session_scope(open_database(db)) as session:
            result = service.import_data(session, data)
    except service.SameBuildDifferentDataError as err:
        fail(str(err))
    units = ", ".join(
        f"{result.units.get(u, 0)} in {u}" for u in ("d", "wk", "mo") if result.units.get(u)
    )
    words = {
        service.Outcome.stored: "stored and in force from",
        service.Outcome.unchanged: "already stored, nothing changed; in force from",
        service.Outcome.stored_older: "stored; a later build stays in force. Built",
    }
    console.print(
        f"FMB built {result.built_at.isoformat()}: {result.typical_cases} typical cases "
        f"({result.with_length} with a length: {units}), {result.diagnoses} diagnosis entries; "
        f"{words[result.outcome]} {result.built_at.astimezone(service.STOCKHOLM).date()}.",
        highlight=False,
    )


@fmb_app.command("show")
def show(
    code: Annotated[str, typer.Argument(help="ICD-10 code, e.g. F32 or M54.5.")],
    as_of: AsOfOption = None,
    output: Annotated[
        ShowFormat, typer.Option("--format", help="table for people, json for programs.")
    ] = ShowFormat.table,
    db: DbOption = None,
) -> None:
    """What FMB says about a code: the matched code, the diagnosis information,
    the typical cases with their lengths, and the upper bound."""
    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.fmb import service

    day = parse_day(as_of)
    with session_scope(open_database(db)) as session:
        found = service.catalogue(session, day)
    if found is None:
        fail(f"no FMB version is in force on {day}: run `rehabkoll fmb import` first", code=1)
    report = describe(found, code)
    if output is ShowFormat.json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    console.print(
        f"{report['code']}: matched {report['matched_code'] or 'nothing'}; "
        f"upper bound {report['max_days'] if report['max_days'] is not None else 'none'} days "
        f"(FMB version {report['version']})",
        highlight=False,
    )
    for info in report["diagnoses"]:
        console.print(f"\n[b]{info['heading']}[/b] ({' '.join(info['codes'])})", highlight=False)
        for key, label in (
            ("guidance", "Insurance-medicine guidance"),
            ("functional_impairment", "Functional impairment"),
            ("activity_limitation", "Activity limitation"),
        ):
            if info[key]:
                console.print(f"[i]{label}:[/i] {info[key]}", highlight=False)
    if report["typical_cases"]:
        table = Table(title=f"Typical cases for {report['typical_cases_code']}")
        table.add_column("Id")
        table.add_column("Days", justify="right")
        table.add_column("Situation")
        for case in report["typical_cases"]:
            days = case["max_days"]
            table.add_row(case["id"], "–" if days is None else str(days), case["situation"])
        console.print(table)


def describe(found: Any, code: str) -> dict[str, Any]:
    """``fmb show``'s JSON: at least code, matched_code and max_days."""
    from rehabkoll.fmb import rules
    from rehabkoll.fmb.service import Catalogue

    assert isinstance(found, Catalogue)
    rec = rules.recommend_code(code, found.by_code)
    cases_code, cases = found.typical_cases(code)
    diagnosis_code, diagnoses = found.diagnoses(code)
    return {
        "code": code,
        "normalised_code": rules.normalise(code),
        "matched_code": rec.matched_code,
        "max_days": rec.max_days,
        "max_days_typical_case": rec.typical_case_id,
        "version": found.version.label,
        "built_at": found.version.built_at.isoformat(),
        "typical_cases_code": cases_code,
        "typical_cases": [
            {
                "id": c.id,
                "codes": list(c.codes),
                "situation": c.situation,
                "recommendation": c.recommendation,
                "max_days": c.max_days,
            }
            for c in cases
        ],
        "diagnoses_code": diagnosis_code,
        "diagnoses": [
            {
                "id": d.id,
                "heading": d.heading,
                "codes": list(d.codes),
                "guidance": d.guidance,
                "functional_impairment": d.functional_impairment,
                "activity_limitation": d.activity_limitation,
            }
            for d in diagnoses
        ],
    }


def print_batch_notices(db: str | None, batch_id: int) -> int:
    """Print an import batch's FMB notices (certificate ids, never a
    personnummer) and return their number."""
    from rich.text import Text

    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.fmb import intake

    with session_scope(open_database(db)) as session:
        found = intake.batch_notices(session, batch_id)
    for notice in found[:SHOWN_ERRORS]:
        console.print(
            Text.assemble(("FMB ", "yellow"), f"{notice.certificate_id}: {notice.text}"),
            highlight=False,
        )
    if len(found) > SHOWN_ERRORS:
        console.print(f"… and {len(found) - SHOWN_ERRORS} more over FMB's recommendation")
    return len(found)
