"""A report written out: JSON rows, CSV (for Swedish Excel, and raw for
machines), an Excel workbook, a web table, or a terminal table.

Withheld cells are ``null`` with ``"suppressed": true`` in JSON and ``<5`` (a
small number) or ``x`` (withheld to protect another cell) in CSV, Excel and
tables. People's formats write decimals with a comma; the raw CSV and JSON
with a point.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
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


def decimal(value: float | int | None, digits: int = 1) -> str:
    """A number as a Swede writes it (``lib.formats.number``): decimal comma,
    ``digits`` decimals for a float (``12.25`` → ``12,2``), whole numbers as
    they are, a non-breaking space between thousands; None → ``–``."""
    from rehabkoll.lib.formats import number

    return number(value, None if isinstance(value, int) else digits)


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


@dataclass(frozen=True, slots=True)
class Line:
    """One row of a web table: its label, women, men, total and the ratio."""

    month: date
    label: str
    cells: tuple[str, str, str]
    ratio: str
    total: bool = False


@dataclass
class Section:
    """One group's months (folded on the page), summed up by its last month."""

    label: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class WebTable:
    """The table under a chart. Without groups: every month (``flat``). With
    groups: the chart's month group by group (``latest``) and, for more than
    one month, each group's months in a section of its own."""

    flat: list[Line] = field(default_factory=list)
    latest: list[Line] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def web_table(report: Report) -> WebTable:
    def line(row: Row) -> Line:
        return Line(
            row.month,
            report.label(row.group) if report.grouped else row.month.strftime("%Y-%m"),
            (
                display_cell(report, row, 0),
                display_cell(report, row, 1),
                display_cell(report, row, 2),
            ),
            ratio(row),
            row.group == "total",
        )

    if not report.grouped:
        return WebTable(flat=[line(row) for row in report.rows])
    months = sorted({row.month for row in report.rows})
    table = WebTable(latest=[line(row) for row in report.rows if row.month == months[-1]])
    if len(months) > 1:
        sections: dict[str | None, Section] = {}
        for row in report.rows:
            section = sections.setdefault(row.group, Section(report.label(row.group)))
            section.lines.append(line(row))
        table.sections = list(sections.values())
    return table


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


EXCEL_HEADERS = ("Månad", "Grupp", "Kvinnor", "Män", "Totalt", "Kvinnor per man", "Dolda tal")


def to_excel_csv(report: Report) -> bytes:
    """CSV that Swedish Excel opens as columns: UTF-8 with BOM, semicolons,
    Swedish headers and group names, decimal commas, ``ja``/``nej``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    headers = EXCEL_HEADERS if report.grouped else tuple(h for h in EXCEL_HEADERS if h != "Grupp")
    writer.writerow(headers)
    for row in report.rows:
        group = [report.label(row.group)] if report.grouped else []
        writer.writerow(
            [
                row.month.strftime("%Y-%m"),
                *group,
                *_cells(report, row),
                ratio(row),
                "ja" if row.suppressed else "nej",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _plain(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def to_xlsx(report: Report) -> bytes:
    """A workbook: title, scope and note, then one row per month (and group);
    numbers as numbers (Excel shows them with the reader's decimal comma),
    degrees as numbers (25, 50 …), withheld cells as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = report.name[:31]
    sheet.append([report.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"Urval: {report.query.scope}", _note(report)])
    headers = SWEDISH if report.grouped else tuple(h for h in SWEDISH if h != "Grupp")
    sheet.append([*headers, "Kvinnor per man"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        if cell.value not in ("Månad", "Grupp"):
            cell.alignment = Alignment(horizontal="right")
    for row in report.rows:
        group: list[object] = []
        if report.grouped:
            group = [_group_cell(report, row.group)]
        values: list[object] = [
            v if mark is Mark.SHOWN else display(v, mark, cutoff=report.query.cutoff)
            for v, mark in zip((row.women, row.men, row.total), row.marks, strict=True)
        ]
        shown = row.marks[0] is Mark.SHOWN and row.marks[1] is Mark.SHOWN
        women_per_man = (
            round(row.women / row.men, 2) if shown and row.men and row.women is not None else None
        )
        sheet.append([row.month.strftime("%Y-%m"), *group, *values, women_per_man])
        for cell in sheet[sheet.max_row][len(group) + 1 :]:
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
            elif isinstance(cell.value, str):
                cell.alignment = Alignment(horizontal="right")
    widths = {"A": 10}
    if report.grouped:
        longest = max((len(report.label(r.group)) for r in report.rows), default=10)
        widths["B"] = min(max(longest, 10), 70) + 2
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    first_number = 3 if report.grouped else 2
    for index in range(first_number, first_number + 4):
        sheet.column_dimensions[chr(ord("A") + index - 1)].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _group_cell(report: Report, key: str | None) -> object:
    """The group's name; a degree (25, 50, 75, 100) as its number."""
    if report.name == "degrees" and key is not None and key.isdigit():
        return int(key)
    return report.label(key)


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
