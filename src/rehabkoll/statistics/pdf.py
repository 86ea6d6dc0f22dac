"""The monthly report of a unit (månadsrapport) as PDF: the month's ongoing
cases, women and men, by diagnosis group, length, age and degree, and the long
cases; exact counts, for the unit's own users. Each section has its chart,
drawn by the same library as the pages (``charts.to_png``), above its table;
the first shows the twelve months up to the report's month."""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING

from fpdf import FPDF
from sqlalchemy.orm import Session

from rehabkoll.statistics import charts, service
from rehabkoll.statistics.formats import decimal
from rehabkoll.statistics.query import Query, Scope
from rehabkoll.statistics.reports import Report

if TYPE_CHECKING:
    import altair as alt

SECTIONS = ("cases-per-month", "long-cases", "diagnosis-groups", "lengths", "age-groups", "degrees")


def latin1(value: str) -> str:
    """The core PDF fonts know Latin-1 (å, ä, ö) but not the dashes of the labels."""
    return value.replace("–", "-").replace("—", "-").encode("latin-1", "replace").decode("latin-1")


def unit_month(session: Session, *, unit_id: str, unit_name: str, month: date) -> bytes:
    scope = Scope.parse(f"unit:{unit_id}")
    query = Query(scope, month, month)
    year_before = date(month.year - 1, month.month, 1)
    trend = service.run(
        "cases-per-month",
        Query(scope, date(year_before.year + (month.month == 12), month.month % 12 + 1, 1), month),
        session=session,
    )
    pdf = FPDF(format="A4")
    pdf.set_title(latin1(f"Sjukskrivningar {unit_name} {month:%Y-%m}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, latin1(f"Sjukskrivningar vid {unit_name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(
        0,
        6,
        latin1(f"Månadsrapport {month:%Y-%m}. Enhetens egna intyg, exakta tal, kvinnor och män."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    _chart(
        pdf,
        charts.lines(charts.points(trend), y_title="Pågående sjukfall"),
        "De senaste tolv månaderna",
    )
    for name in SECTIONS:
        report = service.run(name, query, session=session)
        if report.grouped:
            _chart(pdf, charts.bars(charts.group_points(report), x_title="Antal"), report.title)
        _section(pdf, report)
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 5, "Källor och hur talen räknas", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(0, 4, latin1(SOURCES.format(unit=unit_name, day=date.today().isoformat())))
    return bytes(pdf.output())


SOURCES = (
    "Källa: de läkarintyg för sjukpenning som läkare vid {unit} har skrivit och som finns i "
    "rehabkoll (uttag {day}). Intyg från andra vårdenheter eller vårdgivare räknas inte. "
    "Ett sjukfall är en patients intyg i följd hos samma vårdgivare, med högst fem dagar "
    "utan intyg emellan. Ett sjukfall räknas i varje månad som något av dess intyg täcker. "
    "Diagnos och sjukskrivningsgrad är de från det senast skrivna intyget som täcker "
    "månaden. Längden är antalet dagar med intyg från sjukfallets början till månadens "
    "sista sjukskrivna dag. Talen är exakta och är bara för enhetens egna medarbetare; "
    "de är inte röjandeskyddade och ska inte publiceras. K/M: antal kvinnor per man."
)


def _chart(pdf: FPDF, chart: alt.TopLevelMixin, title: str) -> None:
    """A chart as an image, 180 mm wide, on a new page when it would not fit."""
    png = charts.to_png(chart)
    if pdf.get_y() > 190:
        pdf.add_page()
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(png), w=180)
    pdf.ln(2)


def _section(pdf: FPDF, report: Report) -> None:
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, latin1(report.title), new_x="LMARGIN", new_y="NEXT")
    widths = (90, 25, 25, 25, 25)
    pdf.set_font("Helvetica", "B", 9)
    for width, head in zip(widths, ("", "Kvinnor", "Män", "Totalt", "K/M"), strict=True):
        pdf.cell(width, 6, latin1(head), border="B", align="R" if head else "L")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for row in report.rows:
        label = report.label(row.group) if report.grouped else "Pågående sjukfall"
        ratio = decimal(row.women / row.men, 2) if row.women is not None and row.men else "-"
        cells = (label, _num(row.women), _num(row.men), _num(row.total), ratio)
        bold = row.group == "total"
        pdf.set_font("Helvetica", "B" if bold else "", 9)
        for width, value in zip(widths, cells, strict=True):
            pdf.cell(width, 5, latin1(value), align="L" if width == 90 else "R")
        pdf.ln()
    pdf.ln(3)


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return decimal(value) if isinstance(value, float) else str(value)
