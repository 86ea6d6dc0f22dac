"""Commands: ``users add|token|list|disable`` (local accounts)."""

from __future__ import annotations

import secrets
import sys
from typing import Annotated

import typer
from rich.table import Table

from rehabkoll.accounts.errors import AccountsError
from rehabkoll.accounts.roles import Role
from rehabkoll.cli_common import DbOption, console, fail

users = typer.Typer(
    name="users",
    help="Local user accounts: add, list, disable, and API tokens.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(users, name="users")


UsernameArgument = Annotated[str, typer.Argument(help="The user's login name.")]


@users.command("add")
def add(
    username: UsernameArgument,
    role: Annotated[Role, typer.Option("--role", help="What the user does.")],
    unit: Annotated[
        list[str] | None,
        typer.Option(
            "--unit",
            help="HSA id of a care unit the user works in; repeat for more. "
            "An analyst sees the statistics of these units' care providers.",
        ),
    ] = None,
    hsa_id: Annotated[
        str | None,
        typer.Option("--hsa-id", help="The user's own HSA id (a doctor's signing id)."),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from standard input."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Add a user. The password is read from standard input (never an argument,
    which other users of the machine could see). An ``integration`` user (a
    system posting RIVTA messages) needs no password: give it a token with
    ``users token``."""
    from rehabkoll.accounts import access, service
    from rehabkoll.db.session import open_database, session_scope

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif role == Role.INTEGRATION:
        # A system posting RIVTA messages uses an API token only: a password
        # nobody knows keeps it out of the web pages.
        password = secrets.token_urlsafe(32)
    else:
        fail("give the password on standard input, with --password-stdin")
    units = unit or []
    if access.needs_unit(role) and not units:
        fail(f"a {role} needs at least one --unit")
    if role == Role.DOCTOR and not hsa_id:
        fail("a doctor needs --hsa-id: it is how the doctor's own patients are found")
    try:
        with session_scope(open_database(db)) as session:
            user = service.create_user(
                session,
                username=username,
                role=role,
                unit_ids=units,
                password=password,
                hsa_id=hsa_id,
            )
            units_text = ", ".join(user.unit_ids) or "no unit"
    except (AccountsError, ValueError) as error:
        fail(str(error))
    console.print(f"Added {username} ({role}, {units_text}).", highlight=False)


@users.command("token")
def token(username: UsernameArgument, db: DbOption = None) -> None:
    """Print a new API token for the user (sent as ``Authorization: Bearer …``).
    Only its hash is kept: this is the one time it is shown."""
    from rehabkoll.accounts import service
    from rehabkoll.db.session import open_database, session_scope

    with session_scope(open_database(db)) as session:
        user = service.get_user(session, username=username)
        if user is None:
            fail(f"no user named {username!r}")
        if user.disabled:
            fail(f"{username} is disabled")
        value = service.issue_token(session, user=user)
    typer.echo(value)


@users.command("list")
def list_users(db: DbOption = None) -> None:
    """List the users with their roles and units."""
    from rehabkoll.accounts import service
    from rehabkoll.db.session import open_database, session_scope

    table = Table("username", "role", "units", "HSA id", "state", "created")
    with session_scope(open_database(db)) as session:
        for user in service.list_users(session):
            table.add_row(
                user.username,
                str(user.role),
                ", ".join(user.unit_ids),
                user.hsa_id or "",
                "disabled" if user.disabled else "active",
                user.created_at.strftime("%Y-%m-%d %H:%M"),
            )
    console.print(table)


@users.command("disable")
def disable(username: UsernameArgument, db: DbOption = None) -> None:
    """Disable the user: their sessions end and their tokens stop working."""
    from rehabkoll.accounts import service
    from rehabkoll.db.session import open_database, session_scope

    try:
        with session_scope(open_database(db)) as session:
            service.disable_user(session, username=username)
    except AccountsError as error:
        fail(str(error))
    console.print(f"Disabled {username}.", highlight=False)
