"""Commands: ``risk train``, ``risk evaluate`` and ``risk score``."""

from __future__ import annotations

import json
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from rehabkoll.cases.cli import AsOption, PurposeOption, UnitOption
from rehabkoll.cli_common import AsOfOption, DbOption, console, fail, parse_day

risk_app = typer.Typer(
    name="risk",
    help="The risk that a sick-leave case lasts more than 90 days (decision support).",
    no_args_is_help=True,
)


class ReportFormat(StrEnum):
    json = "json"
    html = "html"
    pdf = "pdf"


class ScoreFormat(StrEnum):
    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    app.add_typer(risk_app)


def _provider(scope: str | None) -> str | None:
    if scope is None or scope == "all":
        return None
    kind, _, value = scope.partition(":")
    if kind != "provider" or not value:
        fail(f"--scope: {scope!r} is not 'all' or 'provider:ID'")
    return value


def _day(text: str, option: str) -> object:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not a date in the form YYYY-MM-DD")


@risk_app.command("train")
def train(
    as_of: AsOfOption = None,
    scope: Annotated[
        str | None,
        typer.Option("--scope", help="'provider:ID' to learn from one care provider's cases."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Same data and seed, same model.")] = 1,
    db: DbOption = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Learn only from cases started on or after this day, YYYY-MM-DD (e.g. a "
            "year after the data begins, so that every case's 12 months of history are "
            "there and no case is in only because it lasted into the data).",
        ),
    ] = None,
) -> None:
    """Learn the model from the cases whose outcome is known on --as-of and store it
    as the newest version (the one in force)."""
    from datetime import date

    from rehabkoll.audit import cli_reads
    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.risk import model, runs

    day = parse_day(as_of)
    provider = _provider(scope)
    first = _day(since, "--since") if since is not None else None
    assert first is None or isinstance(first, date)
    began = time.perf_counter()
    try:
        with session_scope(open_database(db)) as session:
            trained = runs.train(
                session,
                as_of=day,
                seed=seed,
                provider=provider,
                since=first,
                who=cli_reads.reader(session, as_user=None, purpose=None),
            )
            version, meta = trained.version, trained.meta
    except model.TooFewCasesError as err:
        fail(f"nothing stored: {err}")
    seconds = time.perf_counter() - began
    console.print(
        f"Risk model version {version} stored: {meta['n']:,} cases with a known outcome on "
        f"{day} ({meta['positives']:,} longer than 90 days; {meta['censored_left_out']:,} "
        f"still open left out), {meta['calibration']} calibration on {meta['n_calibration']:,} "
        f"held-out cases, seed {seed}; {seconds:.1f} s.",
        highlight=False,
    )


@risk_app.command("evaluate")
def evaluate(
    start: Annotated[str, typer.Option("--from", help="First start day of the cases, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last start day of the cases, YYYY-MM-DD.")],
    as_of: AsOfOption = None,
    version: Annotated[
        int | None, typer.Option("--version", help="Model version. Default: the one in force.")
    ] = None,
    output: Annotated[ReportFormat, typer.Option("--format", help="json, html or pdf.")] = (
        ReportFormat.json
    ),
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write. Default: standard output.")
    ] = None,
    db: DbOption = None,
    truth: Annotated[
        Path | None,
        typer.Option(
            "--truth",
            help="Truth file of 'rehabkoll synth --truth' (CSV or Parquet): adds the "
            "oracle's AUC and the model's gap to it.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Judge a model on cases started from --from to --to whose outcome is known on
    --as-of: AUC, Brier score, calibration error, overall, by sex and by diagnosis
    group. Meant for a period after the training's --as-of (temporal validation)."""
    from datetime import date

    from rehabkoll.audit import cli_reads
    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.risk import evaluation, runs, service

    first, last = _day(start, "--from"), _day(end, "--to")
    assert isinstance(first, date)
    assert isinstance(last, date)
    if last < first:
        fail("--to: comes before --from")
    day = parse_day(as_of)
    try:
        with session_scope(open_database(db)) as session:
            done = runs.evaluate(
                session,
                first=first,
                last=last,
                as_of=day,
                version=version,
                who=cli_reads.reader(session, as_user=None, purpose=None),
            )
    except (service.NoModelError, service.DamagedModelError) as err:
        fail(str(err))
    result, known = done.result, done.known
    if truth is not None:
        try:
            oracle = evaluation.read_truth(truth)
        except (ValueError, KeyError) as err:
            fail(f"--truth: {err}")
        evaluation.add_oracle(
            result,
            [(e.patient_id, e.start.isoformat()) for e in known],
            [int(e.outcome or 0) for e in known],
            [str(e.features["sex"]) for e in known],
            oracle,
        )
    if output is ReportFormat.pdf:
        _write_pdf(result, out)
    else:
        text = (
            json.dumps(result, indent=2, ensure_ascii=False)
            if output is ReportFormat.json
            else evaluation.to_html(result)
        )
        if out is None:
            typer.echo(text)
        else:
            out.write_text(text, encoding="utf-8")
            console.print(f"Written to {out}", highlight=False)
    if not result["temporal"]:
        console.print(
            f"Note: --from {first} is not after the training's as-of day "
            f"{result['trained_as_of']}: "
            "this is not a temporal validation.",
            style="yellow",
            highlight=False,
        )


def _write_pdf(result: dict[str, Any], out: Path | None) -> None:
    """The PDF report to --out (written whole, then moved into place) or to
    standard output's bytes."""
    import os
    import sys

    from rehabkoll.risk import report_pdf

    body = report_pdf.to_pdf(result)
    if out is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(body)
    os.replace(partial, out)
    console.print(f"Written to {out}", highlight=False)


@risk_app.command("score")
def score(
    unit: UnitOption,
    as_of: AsOfOption = None,
    output: Annotated[ScoreFormat, typer.Option("--format", help="table or json.")] = (
        ScoreFormat.table
    ),
    db: DbOption = None,
    as_user: AsOption = None,
    purpose: PurposeOption = None,
) -> None:
    """The risk of each ongoing case of the unit: more than 90 days up to day 90,
    more than 180 days up to day 180, more than 365 days up to day 365; with the
    diagnosis average and the three features that raise or lower it most. Every
    patient is logged as read."""
    from rehabkoll.audit import cli_reads
    from rehabkoll.audit.models import Action
    from rehabkoll.config import get_settings
    from rehabkoll.db.session import open_database, session_scope
    from rehabkoll.risk import service
    from rehabkoll.risk.categories import parse_thresholds

    day = parse_day(as_of)
    try:
        thresholds = parse_thresholds(get_settings().risk_thresholds)
    except ValueError as err:
        fail(str(err))
    try:
        with session_scope(open_database(db)) as session:
            who = cli_reads.reader(session, as_user=as_user, purpose=purpose)
            cli_reads.require_unit(session, unit)
            scored = service.score_cases(session, unit_id=unit, as_of=day, thresholds=thresholds)
            cli_reads.log_read(
                session,
                who,
                unit_id=unit,
                patient_ids=[s.patient_id for s in scored],
                action=Action.WORKLIST_VIEW,
                detail=f"rehabkoll risk score, {day}",
            )
    except (cli_reads.UnknownReaderError, cli_reads.UnknownUnitError) as err:
        fail(str(err))
    except (service.NoModelError, service.DamagedModelError) as err:
        fail(str(err))
    if output is ScoreFormat.json:
        typer.echo(json.dumps([s.as_json() for s in scored], indent=2, ensure_ascii=False))
        return
    table = Table(title=f"Risk of a long case (the question of each case's day), {unit} on {day}")
    columns = ("Patient", "Start", "Diagnosis", "Risk", "Category", "Diagnosis avg", "Later", "Why")
    for column in columns:
        table.add_column(column)
    for s in scored:
        table.add_row(
            s.patient_id,
            s.start.isoformat(),
            s.diagnosis,
            "ej beräknad" if s.current is None else f"{s.current:.0%} {s.question}",
            s.current_category or "",
            f"{s.diagnosis_average:.0%} ({s.diagnosis_cases})",
            ", ".join(f"after {y} d: {p:.0%}" for y, p in s.later),
            "; ".join(s.explanation),
        )
    console.print(table)
