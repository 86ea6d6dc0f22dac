"""Commands: ``stats`` (every report), ``population import``, ``cohort create`` and
``cohort report``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rehabkoll.cases.engine import DEFAULT_GAP
from rehabkoll.cli_common import DbOption, GapOption, console, fail, parse_day
from rehabkoll.statistics.formats import OutputFormat
from rehabkoll.statistics.query import Filters, InvalidQueryError, Query, Scope, parse_month
from rehabkoll.statistics.reports import REPORT_NAMES
from rehabkoll.statistics.suppression import DEFAULT_CUTOFF

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from rehabkoll.statistics.cohorts import CohortReport
    from rehabkoll.statistics.reports import Report

population_app = typer.Typer(help="The insured population that rates are counted per.")
cohort_app = typer.Typer(help="Cohort follow-up: long cases and their plans for closing.")

ScopeOption = Annotated[
    str,
    typer.Option("--scope", help="unit:HSA-ID (its own certificates), provider:HSA-ID, national."),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", help="table for people; json, csv or xlsx (needs --output)."),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", help="Write to this file instead of the terminal.")
]


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)
    app.add_typer(population_app, name="population")
    app.add_typer(cohort_app, name="cohort")


def stats(
    report: Annotated[str, typer.Argument(help=f"One of: {', '.join(REPORT_NAMES)}.")],
    scope: ScopeOption,
    from_month: Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")],
    to_month: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM.")],
    gap: GapOption = DEFAULT_GAP,
    output_format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    db: DbOption = None,
    periods: Annotated[
        Path | None,
        typer.Option("--periods", help="Read certificate periods from this Parquet file."),
    ] = None,
    population_file: Annotated[
        Path | None,
        typer.Option("--population", help="rates: population CSV instead of the database."),
    ] = None,
    chapter: Annotated[
        str | None,
        typer.Option(
            "--chapter",
            help="Only this ICD-10 chapter (F, V or F00-F99); "
            "diagnosis-chapters then counts its three-character categories.",
        ),
    ] = None,
    diagnosis_group: Annotated[
        str | None, typer.Option("--diagnosis-group", help="Only this diagnosis group.")
    ] = None,
    age_group: Annotated[
        str | None, typer.Option("--age-group", help="Only ages, e.g. 31-35.")
    ] = None,
    length_group: Annotated[
        str | None, typer.Option("--length-group", help="Only lengths, e.g. 91-180.")
    ] = None,
    suppress: Annotated[
        bool,
        typer.Option(
            "--suppress", help="Publish with small-number suppression (always for national)."
        ),
    ] = False,
    cutoff: Annotated[
        int, typer.Option("--cutoff", min=1, help="Smallest number shown.")
    ] = DEFAULT_CUTOFF,
) -> None:
    """A statistics report, month by month, women and men (docs/statistics.md)."""
    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.statistics import population, service

    try:
        query = Query(
            Scope.parse(scope),
            parse_month(from_month),
            parse_month(to_month),
            gap=gap,
            filters=Filters(diagnosis_group, chapter, age_group, length_group),
            suppress=suppress,
            cutoff=cutoff,
        )
        insured = None
        if population_file is not None:
            insured = population.insured_of_rows(population.read_csv(population_file), query.scope)
        if periods is not None and db is None and report != "coordination":
            result = service.run(report, query, periods=periods, population=insured)
        else:
            with session_scope(open_database(db)) as session:
                _require_scope(session, query.scope)
                result = service.run(
                    report, query, session=session, periods=periods, population=insured
                )
    except (InvalidQueryError, population.InvalidPopulationError) as err:
        fail(str(err))
    _write(result, output_format, output)


def _require_scope(session: Session, scope: Scope) -> None:
    """An unknown unit or provider is an error (exit 2), not an empty report."""
    from rehabkoll.certificates.models import CareProvider, Unit
    from rehabkoll.statistics.query import ScopeKind

    model = {ScopeKind.UNIT: Unit, ScopeKind.PROVIDER: CareProvider}.get(scope.kind)
    if model is not None and session.get(model, scope.id) is None:
        word = "care unit" if scope.kind is ScopeKind.UNIT else "care provider"
        fail(f"--scope: no {word} {scope.id!r} in the register (see `rehabkoll units`)")


def _write(report: Report, output_format: OutputFormat, output: Path | None) -> None:
    from rehabkoll.statistics import formats

    if output_format is OutputFormat.xlsx:
        if output is None:
            fail("--format xlsx needs --output FILE.xlsx")
        output.write_bytes(formats.to_xlsx(report))
        return
    if output_format is OutputFormat.table and output is None:
        console.print(formats.to_table(report))
        return
    text = formats.to_csv(report) if output_format is OutputFormat.csv else formats.to_json(report)
    if output_format is OutputFormat.table:
        text = formats.to_csv(report)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text, encoding="utf-8")


@population_app.command("import")
def population_import(
    file: Annotated[Path, typer.Argument(help="CSV: provider_id,year,sex,age_from,age_to,insured")],
    db: DbOption = None,
) -> None:
    """Import the insured population; replaces the rows of each provider and year in the file."""
    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.statistics import population

    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        rows = population.read_csv(file)
    except population.InvalidPopulationError as err:
        fail(f"{file}: {err}")
    with session_scope(open_database(db)) as session:
        stored = population.store(session, rows)
    console.print(f"Population: {stored} rows stored.", highlight=False)


@cohort_app.command("create")
def cohort_create(
    name: Annotated[str, typer.Argument(help="A name for the cohort.")],
    scope: ScopeOption,
    as_of: Annotated[
        str, typer.Option("--as-of", help="The day the cases are ongoing, YYYY-MM-DD.")
    ],
    min_days: Annotated[int, typer.Option("--min-days", min=1, help="Shortest case length.")] = 365,
    gap: GapOption = DEFAULT_GAP,
    db: DbOption = None,
) -> None:
    """Make a cohort: the cases ongoing on a day and at least --min-days long."""
    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.statistics import cohorts

    try:
        parsed = Scope.parse(scope)
        with session_scope(open_database(db)) as session:
            cohort = cohorts.create(
                session, name=name, scope=parsed, as_of=parse_day(as_of), min_days=min_days, gap=gap
            )
            size = len(cohort.members)
    except (InvalidQueryError, cohorts.CohortError) as err:
        fail(str(err))
    console.print(f"Cohort {name!r}: {size} cases ongoing on {as_of} of at least {min_days} days.")


@cohort_app.command("report")
def cohort_report(
    name: Annotated[str, typer.Argument(help="The cohort's name.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Report as of this day (default today).")
    ] = None,
    output_format: FormatOption = OutputFormat.table,
    show_list: Annotated[
        bool, typer.Option("--list", help="List the cases still without a plan (patient data).")
    ] = False,
    db: DbOption = None,
) -> None:
    """The cohort's share with a plan for closing or closed, women and men, month by month."""
    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.statistics import cohorts

    try:
        with session_scope(open_database(db)) as session:
            result = cohorts.report(session, name=name, as_of=parse_day(as_of) if as_of else None)
    except cohorts.CohortError as err:
        fail(str(err))
    if output_format is OutputFormat.json:
        typer.echo(
            json.dumps(cohort_json(result, with_list=show_list), ensure_ascii=False, indent=2)
        )
        return
    if output_format is not OutputFormat.table:
        fail("cohort report: --format table or json")
    _print_cohort(result, with_list=show_list)


def cohort_json(result: CohortReport, *, with_list: bool) -> dict[str, object]:
    data: dict[str, object] = {
        "name": result.name,
        "scope": result.scope,
        "created_as_of": result.created_as_of.isoformat(),
        "min_days": result.min_days,
        "as_of": result.as_of.isoformat(),
        "size": result.size,
        "with_plan": result.with_plan,
        "closed": result.closed,
        "plan_or_closed": result.done,
        "share": round(result.share, 4),
        "women": {"size": result.by_sex["F"][0], "plan_or_closed": result.by_sex["F"][1]},
        "men": {"size": result.by_sex["M"][0], "plan_or_closed": result.by_sex["M"][1]},
        "months": [
            {"day": d.isoformat(), "plan_or_closed": n, "share": round(s, 4)}
            for d, n, s in result.movement
        ],
    }
    if with_list:
        data["without_plan"] = [
            {
                "patient_id": s.member.patient_id,
                "care_provider_id": s.member.care_provider_id,
                "unit_id": s.member.unit_id,
                "case_start": s.member.case_start.isoformat(),
                "days": s.days,
            }
            for s in result.open_cases
        ]
    return data


def _print_cohort(result: CohortReport, *, with_list: bool) -> None:
    from rich.table import Table

    console.print(
        f"[b]{result.name}[/b] ({result.scope}): cases ongoing on {result.created_as_of} "
        f"of at least {result.min_days} days, as of {result.as_of}\n"
        f"  size {result.size}; plan for closing {result.with_plan}; closed {result.closed}; "
        f"plan or closed {result.done} = {result.share:.0%}",
        highlight=False,
    )
    for sex, name in (("F", "women"), ("M", "men")):
        size, done = result.by_sex[sex]
        ratio = f"{done / size:.0%}" if size else "–"
        console.print(f"  {name}: {size}, plan or closed {done} ({ratio})", highlight=False)
    table = Table(title="Share with a plan or closed, month by month")
    for header in ("Day", "Plan or closed", "Share"):
        table.add_column(header)
    for day, done, share in result.movement:
        table.add_row(day.isoformat(), str(done), f"{share:.0%}")
    console.print(table)
    if with_list:
        cases = Table(title=f"Cases without a plan: {len(result.open_cases)}")
        for header in ("Unit", "Patient", "Case start", "Days"):
            cases.add_column(header)
        for s in result.open_cases:
            cases.add_row(
                s.member.unit_id, s.member.patient_id, s.member.case_start.isoformat(), str(s.days)
            )
        console.print(cases)
