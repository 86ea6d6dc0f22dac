"""The work list as an Excel workbook (openpyxl): the chosen columns, in the
chosen order, of the filtered and sorted rows."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from rehabkoll.web.worklist import Column, WorkRow

_NATIVE = {"age", "days", "net_days", "certificates", "start", "end"}


def _value(column: Column, row: WorkRow) -> object:
    if column.key in _NATIVE:
        value: object = getattr(row, column.key)
        return value
    if column.key == "to_milestone":
        return row.days_to_milestone
    return column.text(row)


def workbook(
    rows: Sequence[WorkRow], columns: Sequence[Column], *, unit_name: str, as_of: date
) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Pågående sjukfall"
    sheet.append([f"Pågående sjukfall, {unit_name}, {as_of.isoformat()}"])
    sheet["A1"].font = Font(bold=True)
    sheet.append([c.label for c in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_value(c, row) for c in columns])
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = max(10, min(40, len(column.label) + 4))
        if column.key in ("start", "end"):
            for cell in sheet[letter][2:]:
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
