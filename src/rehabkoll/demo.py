"""``rehabkoll demo``: a synthetic demo region, imported into a SQLite file,
with demo users, served by the web application. What `make demo` runs."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from rehabkoll import demo_risk
from rehabkoll.accounts.roles import Role
from rehabkoll.cases.engine import CaseRow
from rehabkoll.cli_common import console, err_console, interactive

if TYPE_CHECKING:
    from rich.progress import Progress
    from sqlalchemy import Engine

DEMO_USERS = (
    ("koordinator", Role.COORDINATOR, "Karin Demo-Lindqvist"),
    ("doktor", Role.DOCTOR, "Erik Demo-Holm"),
    ("chef", Role.MANAGER, "Lena Demo-Berg"),
    ("analytiker", Role.ANALYST, "Omar Demo-Nilsson"),
    ("admin", Role.ADMIN, "Admin Demo"),
    ("samordnare", Role.REGION_COORDINATOR, "Sofia Demo-Ek"),
    ("nationell", Role.NATIONAL_COORDINATOR, "Nils Demo-Strand"),
)
NO_UNIT = (Role.ADMIN, Role.REGION_COORDINATOR, Role.NATIONAL_COORDINATOR)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    folder: Annotated[
        Path, typer.Option("--dir", help="Folder for the demo database and files.")
    ] = Path("demo"),
    insured: Annotated[
        int, typer.Option("--insured", min=1000, help="Insured people in the demo region.")
    ] = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same region.")] = 1,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the web application at the end.")
    ] = True,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
) -> None:
    """Set up a synthetic demo region and serve it (what `make demo` runs).

    Generates the region, imports it, creates demo users, shows a unit's work
    list and serves the web application. The region's certificates run up to
    today, so the work list is today's. A second run reuses the database;
    delete the folder to start over.
    """
    from rehabkoll.db.session import open_database

    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{(folder / 'rehabkoll-demo.db').resolve()}"
    engine = open_database(url)
    today = date.today()
    fresh = _certificate_count(engine) == 0
    if fresh:
        _generate_and_import(engine, folder, insured=insured, seed=seed, today=today)
    _load_population(engine, insured=insured, seed=seed, today=today)
    _fmb(engine)
    demo_risk.train_once(engine, today)  # the Risk column, once
    unit_id, unit_name, rows = _busiest_unit(engine, today)
    if fresh:
        _exchange(engine, folder / "certificates.jsonl", rows, today)
    passwords = _demo_users(engine, unit_id, rows)
    _demo_coordination(engine, unit_id, rows, today)
    _agreement(engine, today, insured)
    _show(unit_name, unit_id, rows, passwords)
    if serve:
        import uvicorn

        from rehabkoll.web.app import create_app

        console.print(
            f"\nrehabkoll is running on [bold]http://{host}:{port}/[/]  (Ctrl-C stops it)"
        )
        uvicorn.run(create_app(url), host=host, port=port, log_level="warning")


def _certificate_count(engine: Engine) -> int:
    from sqlalchemy import func, select

    from rehabkoll.certificates import models
    from rehabkoll.db.session import session_scope

    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(models.Certificate)) or 0


def _generate_and_import(
    engine: Engine, folder: Path, *, insured: int, seed: int, today: date
) -> None:
    from rehabkoll.certificates.service import import_stream
    from rehabkoll.synth.options import OutputFormat
    from rehabkoll.synth.run import region_plan, synthesize

    source = folder / "certificates.jsonl"
    plan = region_plan(insured=insured, years=3, end_date=today, seed=seed)
    with _progress() as progress:
        task = progress.add_task("Generating a synthetic region", total=None)
        summary = synthesize(
            plan,
            out=source,
            output_format=OutputFormat.jsonl,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    console.print(
        f"Generated {summary.certificates:,} certificates of {summary.cases:,} sick-leave cases "
        f"for {summary.insured:,} insured people → {source}"
    )
    if _import_as_rivta(engine, source):
        return
    with _progress() as progress, source.open("rb") as stream:
        task = progress.add_task("Importing", total=source.stat().st_size)
        _, result = import_stream(
            engine,
            stream,
            source=str(source),
            progress=lambda consumed: progress.update(task, advance=consumed),
        )
    console.print(
        f"Imported: {result.stored:,} stored, {result.unchanged:,} unchanged, "
        f"{result.rejected:,} rejected."
    )


def _import_as_rivta(engine: Engine, source: Path) -> bool:
    """The region as RIVTA XML through the SOAP endpoints' storing function,
    names from the population register (demo_exchange.import_region); False
    without the national schemas (then the JSON Lines are imported)."""
    from rehabkoll import demo_exchange
    from rehabkoll.exchange.safexml import schemas_dir

    if not schemas_dir().is_dir():
        console.print(f"Region imported as JSON Lines: no RIVTA schemas in {schemas_dir()}.")
        return False
    with _progress() as progress:
        task = progress.add_task("Importing as RIVTA XML", total=None)
        done = demo_exchange.import_region(
            engine, source, lambda n: progress.update(task, completed=n)
        )
    console.print(
        f"Imported {done.messages:,} RIVTA messages: {done.stored:,} stored, "
        f"{done.unchanged:,} unchanged, {done.ignored:,} ignored, {done.rejected:,} rejected; "
        f"{done.names:,} names from the population register."
    )
    return True


def _fmb(engine: Engine) -> None:
    """Socialstyrelsen's FMB from the reference data, where it is (importing
    the same build again changes nothing), so the work list shows its column."""
    from rehabkoll.config import get_settings
    from rehabkoll.db.session import session_scope
    from rehabkoll.fmb import reading, service

    settings = get_settings()
    source = settings.fmb_location()
    if not settings.fmb_source and not Path(source, "typfall.json").is_file():
        console.print(f"FMB not loaded: no {source}/typfall.json (set REHABKOLL_DATA_DIR).")
        return
    with session_scope(engine) as session:
        result = service.import_data(session, reading.read([source]))
    console.print(
        f"FMB {result.built_at:%Y-%m-%d}: {result.typical_cases} typical cases, "
        f"{result.diagnoses} diagnosis entries ({result.outcome})."
    )


def _exchange(engine: Engine, source: Path, rows: list[CaseRow], today: date) -> None:
    """Försäkringskassan's messages and statements, through the SOAP endpoints' function."""
    from rehabkoll import demo_exchange
    from rehabkoll.exchange.safexml import schemas_dir

    if not schemas_dir().is_dir():
        console.print(
            f"RIVTA messages not posted: no schemas in {schemas_dir()} "
            "(set REHABKOLL_DATA_DIR or REHABKOLL_RIVTA_SCHEMAS)."
        )
        return

    certs = demo_exchange.latest_certificates(source, (r.lead_certificate_id for r in rows))
    posted = demo_exchange.post(engine, demo_exchange.messages(rows, certs, today))
    console.print(
        f"Posted RIVTA messages (SendMessageToCare, RegisterCertificate of statements): "
        f"{posted.stored:,} stored, {posted.unchanged:,} unchanged, {posted.refused:,} refused."
    )


def _load_population(engine: Engine, *, insured: int, seed: int, today: date) -> None:
    """The region's insured people per year (provider and primary care centres),
    so that "Per 1 000 försäkrade" works; kept if a population is there already."""
    from sqlalchemy import func, select

    from rehabkoll.db.session import session_scope
    from rehabkoll.statistics.models import Population
    from rehabkoll.statistics.population import PopulationRow, store
    from rehabkoll.synth.insured import insured_rows
    from rehabkoll.synth.run import region_plan

    with session_scope(engine) as session:
        if session.scalar(select(func.count()).select_from(Population)):
            return
        plan = region_plan(insured=insured, years=3, end_date=today, seed=seed)
        rows = [PopulationRow(*row) for row in insured_rows(plan)]
        store(session, rows)
    console.print(f"Insured population loaded: {len(rows)} rows (rehabkoll population import).")


def _progress() -> Progress:
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        console=err_console,
        disable=not interactive(),
    )


def _busiest_unit(engine: Engine, today: date) -> tuple[str, str, list[CaseRow]]:
    """The unit with the most ongoing cases today, its name and its work list."""
    from sqlalchemy import func, select

    from rehabkoll.cases import service as cases
    from rehabkoll.certificates import models
    from rehabkoll.db.session import session_scope

    with session_scope(engine) as session:
        units = session.execute(
            select(models.Unit.id, models.Unit.name)
            .join(models.Certificate, models.Certificate.unit_id == models.Unit.id)
            .where(models.Certificate.effective.is_(True), models.Certificate.end >= today)
            .group_by(models.Unit.id, models.Unit.name)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        rows = cases.work_list(session, unit_id=units[0], as_of=today)
    return units[0], units[1], rows


def _demo_users(engine: Engine, unit_id: str, rows: list[CaseRow]) -> dict[str, str]:
    """Create the demo users (or give them new passwords) and return the passwords."""
    from rehabkoll.accounts import service as accounts
    from rehabkoll.db.session import session_scope

    doctors = sorted(
        {r.doctor_id for r in rows}, key=lambda d: -sum(r.doctor_id == d for r in rows)
    )
    passwords: dict[str, str] = {}
    with session_scope(engine) as session:
        for username, role, full_name in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            user = accounts.get_user(session, username=username)
            if user is None:
                accounts.create_user(
                    session,
                    username=username,
                    role=role,
                    unit_ids=[] if role in NO_UNIT else [unit_id],
                    password=password,
                    hsa_id=doctors[0] if role is Role.DOCTOR and doctors else None,
                    full_name=full_name,
                )
            else:
                accounts.set_password(session, user=user, password=password)
            passwords[username] = password
    return passwords


def _demo_coordination(engine: Engine, unit_id: str, rows: list[CaseRow], today: date) -> None:
    """The coordination records the unit's coordinators would have written by now."""
    from rehabkoll.accounts import service as accounts
    from rehabkoll.db.session import session_scope
    from rehabkoll.demo_coordination import seed_unit

    with session_scope(engine) as session:
        user = accounts.get_user(session, username="koordinator")
        written = (
            seed_unit(session, unit_id=unit_id, rows=rows, user=user, today=today) if user else 0
        )
    if written:
        console.print(f"Wrote {written:,} coordination records of the unit's ongoing cases.")


def _agreement(engine: Engine, today: date, insured: int) -> None:
    """The agreement follow-up's demo data (rehabkoll.agreement.demo_data)."""
    from rehabkoll.accounts import service as accounts
    from rehabkoll.agreement import demo_data
    from rehabkoll.db.session import session_scope

    with session_scope(engine) as session:
        national = accounts.get_user(session, username="nationell")
        region_user = accounts.get_user(session, username="samordnare")
        if national is not None and region_user is not None:
            demo_data.setup(
                session, today=today, insured=insured, national=national, region_user=region_user
            )


def _show(unit_name: str, unit_id: str, rows: list[CaseRow], passwords: dict[str, str]) -> None:
    from rehabkoll.lib import diagnosis_texts

    table = Table(title=f"{unit_name} ({unit_id}): {len(rows)} ongoing cases today, the first 10")
    for header in ("Start", "End", "Days", "Net days", "Degree", "Diagnosis", "Days left"):
        table.add_column(header, justify="right" if header != "Diagnosis" else "left")
    for row in sorted(rows, key=lambda r: r.days, reverse=True)[:10]:
        table.add_row(
            row.start.isoformat(),
            row.end.isoformat(),
            str(row.days),
            f"{row.net_days:g}",
            f"{row.degree} %" if row.degree else "–",
            f"{row.diagnosis} {diagnosis_texts.text(row.diagnosis)}",
            str(row.days_left),
        )
    console.print(table)
    users = Table(title="Demo users (new passwords each run)")
    users.add_column("User")
    users.add_column("Name")
    users.add_column("Role")
    users.add_column("Password")
    for username, role, full_name in DEMO_USERS:
        users.add_row(username, full_name, role.label, passwords[username])
    console.print(users)
