"""Options and helpers shared by every command of the command line."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated, NoReturn

import typer
from rich.console import Console

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (SQLAlchemy form). Default: REHABKOLL_DATABASE_URL, "
        "else the SQLite file rehabkoll.db in the current folder.",
        show_default=False,
    ),
]
GapOption = Annotated[
    int,
    typer.Option(
        "--gap",
        min=0,
        max=90,
        help="Days without a certificate that may lie between two certificates of one case.",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="The day to look from, YYYY-MM-DD. Default: today.",
        show_default=False,
    ),
]

console = Console()
err_console = Console(stderr=True)

SHOWN_ERRORS = 50
"""How many rejected lines, or notices, a command prints before it summarises the rest."""


def fail(message: str, code: int = 2) -> NoReturn:
    """Print an error the user can act on and stop."""
    err_console.print(f"[bold red]Error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def parse_day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--as-of: {text!r} is not a date in the form YYYY-MM-DD")


def interactive() -> bool:
    """Whether to draw progress bars (a terminal on stderr)."""
    return sys.stderr.isatty()
