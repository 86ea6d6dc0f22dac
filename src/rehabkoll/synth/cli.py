"""The ``synth`` command: a synthetic region or country of certificates."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rehabkoll.cli_common import console, err_console, fail, interactive
from rehabkoll.synth.options import COUNTRY_INSURED, DEFAULT_REGION, OutputFormat

if TYPE_CHECKING:
    from rehabkoll.synth.run import Summary

DEMO_INSURED = 20_000


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root command line."""
    app.command("synth")(synth)


def synth(
    out: Annotated[
        str,
        typer.Option("--out", help="File to write; '-' writes JSON Lines to standard output."),
    ],
    insured: Annotated[
        int | None,
        typer.Option(
            "--insured",
            min=1,
            help=f"Insured people aged 16–64. Default {DEMO_INSURED:,}, "
            f"or {COUNTRY_INSURED:,} with --country.",
            show_default=False,
        ),
    ] = None,
    years: Annotated[
        int, typer.Option("--years", min=1, max=20, help="Years of certificates up to --end-date.")
    ] = 3,
    end_date: Annotated[
        str | None,
        typer.Option(
            "--end-date",
            help="Last day of the generated period, YYYY-MM-DD (nothing is signed after it). "
            "Default: today.",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Same seed, same output.")] = 1,
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            help="jsonl: certificates and revocations for 'import'; parquet: the periods "
            "table of the effective certificates for 'build-cases'; rivta: the same "
            "region as RIVTA XML messages in a zip, for 'import'.",
        ),
    ] = OutputFormat.jsonl,
    truth: Annotated[
        Path | None,
        typer.Option(
            "--truth",
            help="Also write, per case, the known chance that it lasts more than 90 days "
            "(CSV, or Parquet when the name ends in .parquet).",
            show_default=False,
        ),
    ] = None,
    country: Annotated[
        bool,
        typer.Option("--country", help="All 21 regions, the insured spread by population."),
    ] = False,
    region: Annotated[
        str,
        typer.Option("--region", help="Which region to generate (without --country)."),
    ] = DEFAULT_REGION,
) -> None:
    """Generate synthetic certificates from the documented model (docs/synthetic-data.md)."""
    from rehabkoll.certificates.schema import EARLIEST_DATE, LATEST_DATE, MAX_DAYS_AHEAD
    from rehabkoll.synth import model
    from rehabkoll.synth.run import Plan, country_plan, region_plan, synthesize

    try:
        last = date.fromisoformat(end_date) if end_date else date.today()
    except ValueError:
        fail(f"--end-date: {end_date!r} is not a date in the form YYYY-MM-DD")
    target = None if out == "-" else Path(out)
    if target is None and output_format is OutputFormat.parquet:
        fail("--out: Parquet cannot go to standard output; give a file name")
    if output_format is OutputFormat.rivta:
        if target is None:
            fail("--out: RIVTA XML goes into a zip file; give a file name")
        from rehabkoll.exchange.synthetic import register_path, write_rivta_zip

        jsonl = target.with_name(target.name + ".jsonl.tmp")
        synth(
            out=str(jsonl),
            insured=insured,
            years=years,
            end_date=end_date,
            seed=seed,
            output_format=OutputFormat.jsonl,
            truth=truth,
            country=country,
            region=region,
        )
        written = write_rivta_zip(jsonl, target)
        console.print(
            f"Wrote {written:,} RIVTA messages to {target}, and the people's names "
            f"(which RIVTA messages do not carry) to {register_path(target)} "
            "for 'patients names'.",
            highlight=False,
        )
        return
    plan: Plan
    if country:
        count = COUNTRY_INSURED if insured is None else insured
        plan = country_plan(insured=count, years=years, end_date=last, seed=seed)
    else:
        try:
            plan = region_plan(
                insured=insured or DEMO_INSURED,
                years=years,
                end_date=last,
                seed=seed,
                region=region,
            )
        except KeyError as err:
            fail(f"--region: {err.args[0]}")
    history = plan.first_date - timedelta(days=model.MAX_CASE_DAYS)
    if history < EARLIEST_DATE or last > LATEST_DATE - timedelta(days=MAX_DAYS_AHEAD):
        fail(
            f"--end-date, --years: the certificates (with five years of history before "
            f"the first year) must lie between {EARLIEST_DATE} and {LATEST_DATE}"
        )
    for path in (target, truth):
        if path is not None and not path.parent.exists():
            fail(f"{path}: the folder {path.parent} does not exist")

    if interactive():
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with Progress(
            TextColumn("Generating"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("people"),
            TimeElapsedColumn(),
            console=err_console,
        ) as bar:
            task = bar.add_task("synth", total=plan.insured)
            summary = synthesize(
                plan,
                out=target,
                output_format=output_format,
                truth=truth,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    else:
        summary = synthesize(plan, out=target, output_format=output_format, truth=truth)
    _report(summary, target, output_format)


def _report(summary: Summary, target: Path | None, output_format: OutputFormat) -> None:
    written = (
        f"{summary.periods:,} periods of effective certificates"
        if output_format is OutputFormat.parquet
        else f"{summary.lines:,} lines"
    )
    err_console.print(
        f"{summary.insured:,} insured in {summary.regions} region(s), "
        f"{summary.first_date} – {summary.end_date}: {summary.cases:,} cases, "
        f"{summary.certificates:,} certificates ({summary.replacements:,} replacements, "
        f"{summary.revocations:,} revoked, {summary.test_certificates:,} test); "
        f"{written} to {target or 'standard output'}"
        + (f"; {summary.truth_rows:,} truth rows" if summary.truth_rows else ""),
        highlight=False,
    )
