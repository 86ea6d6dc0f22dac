"""Database errors that say what went wrong without the data it went wrong on.

Engines are made with ``hide_parameters=True``, so an error's text and a
traceback never list the values of a statement (personnummer, names). A
PostgreSQL error brings more: its detail line repeats the values of the row
(``Key (id)=(19121212-1212) already exists``, ``Failing row contains (…)``),
and some primary messages end with the value they refused (``invalid input
syntax for type date: "…"``). ``scrub`` rewrites such an error, before it is
raised: the primary message without a value at its end, and where the error
arose (SQLSTATE, table, column, constraint), never the detail. SQLite's
messages name the constraint and the column only, and are kept.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import StatementError


def protect(engine: Engine) -> None:
    """Scrub every error of ``engine`` (see the module's docstring)."""
    event.listen(engine, "handle_error", scrub)


def scrub(context: ExceptionContext) -> None:
    original = context.original_exception
    diag = getattr(original, "diag", None)
    if diag is None or getattr(diag, "sqlstate", None) is None:
        return  # raised by the driver itself (a NUL byte, a lost connection): no server text
    original.args = (_described(diag),)
    error = context.sqlalchemy_exception
    if isinstance(error, StatementError):
        kind = f"{type(original).__module__}.{type(original).__name__}"
        error.args = (f"({kind}) {original.args[0]}",)


_QUOTED_VALUE = re.compile(r':\s*".*"\s*$', re.DOTALL)


def _described(diag: Any) -> str:
    where = [
        f"{name} {value}"
        for name, value in (
            ("table", diag.table_name),
            ("column", diag.column_name),
            ("constraint", diag.constraint_name),
            ("type", diag.datatype_name),
        )
        if value
    ]
    primary = _QUOTED_VALUE.sub(": (value not shown)", diag.message_primary or "database error")
    return f"{primary} (SQLSTATE {', '.join([diag.sqlstate, *where])}; values not shown)"
