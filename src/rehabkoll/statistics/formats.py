"""A report written out: JSON rows, CSV, an Excel workbook, or a terminal table.

Withheld cells are ``null`` with ``"suppressed": true`` in JSON and ``<5`` (a
small number) or ``x`` (withheld to protect another cell) in CSV, Excel and
tables.
"""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum
from typing import TYPE_CHECKING

from rehabkoll.statistics.suppression import Mark, display

if TYPE_CHECKING:  # the command line imports OutputFormat from here when it starts
    from rich.table import Table

    from rehabkoll.statistics.reports import Report, Row


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


HEADERS = ("month", "group", "women", "men", "total", "suppressed")
SWEDISH = ("Månad", "Grupp", "Kvinnor", "Män", "Totalt")


def display_cell(report: Report, row: Row, index: int) -> str:
    """The text of one cell (0 women, 1 men, 2 total) for a page or a table."""
    values = (row.women, row.men, row.total)
    return display(values[index], row.marks[index], cutoff=report.query.cutoff)


def ratio(row: Row) -> str:
    """Women per man (K/M), when both are shown and men are not zero."""
    if row.marks[0] is not Mark.SHOWN or row.marks[1] is not Mark.SHOWN:
        return ""
    if not row.men or row.women is None:
        return ""
    return f"{row.women / row.men:.2f}".replace(".", ",")


def to_json(report: Report) -> str:
    return json.dumps([row.as_json() for row in report.rows], ensure_ascii=False, indent=2)


def _cells(report: Report, row: Row) -> list[str]:
    return [
        display(value, mark, cutoff=report.query.cutoff)
        for value, mark in zip((row.women, row.men, row.total), row.marks, strict=True)
    ]


def to_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADERS if report.grouped else [h for h in HEADERS if h != "group"])
    for row in report.rows:
        group = [row.group or ""] if report.grouped else []
        values = [
            display(v, mark, cutoff=report.query.cutoff) if mark is not Mark.SHOWN else _plain(v)
            for v, mark in zip((row.women, row.men, row.total), row.marks, strict=True)
        ]
        writer.writerow([row.month.strftime("%Y-%m"), *group, *values, str(row.suppressed).lower()])
    return buffer.getvalue()


def _plain(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = report.name[:31]
    sheet.append([report.title])
    sheet.append([f"Urval: {report.query.scope}", _note(report)])
    headers = SWEDISH if report.grouped else tuple(h for h in SWEDISH if h != "Grupp")
    sheet.append(list(headers))
    for row in report.rows:
        group: list[object] = [report.label(row.group)] if report.grouped else []
        values: list[object] = [
            v if mark is Mark.SHOWN else display(v, mark, cutoff=report.query.cutoff)
            for v, mark in zip((row.women, row.men, row.total), row.marks, strict=True)
        ]
        sheet.append([row.month.strftime("%Y-%m"), *group, *values])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _note(report: Report) -> str:
    if not report.query.published:
        return "Exakta tal (för vårdgivarens egna användare)"
    return (
        f"Färre än {report.query.cutoff} visas som <{report.query.cutoff}; "
        "x = dold för att skydda en annan cell"
    )


def to_table(report: Report) -> Table:
    from rich.table import Table

    table = Table(title=f"{report.title} — {report.query.scope}", caption=_note(report))
    for header in SWEDISH if report.grouped else [h for h in SWEDISH if h != "Grupp"]:
        table.add_column(header, justify="left" if header in ("Månad", "Grupp") else "right")
    for row in report.rows:
        group = [report.label(row.group)] if report.grouped else []
        table.add_row(
            row.month.strftime("%Y-%m"),
            *group,
            *_cells(report, row),
            style="bold" if row.group == "total" else None,
        )
    return table
