"""The monthly report of a unit (månadsrapport) as PDF: the month's ongoing
cases, women and men, by diagnosis group, length, age and degree, and the long
cases; exact counts, for the unit's own users."""

from __future__ import annotations

from datetime import date

from fpdf import FPDF
from sqlalchemy.orm import Session

from rehabkoll.statistics import service
from rehabkoll.statistics.query import Query, Scope
from rehabkoll.statistics.reports import Report

SECTIONS = ("cases-per-month", "long-cases", "diagnosis-groups", "lengths", "age-groups", "degrees")


def _text(value: str) -> str:
    """The core PDF fonts know Latin-1 (å, ä, ö) but not the dashes of the labels."""
    return value.replace("–", "-").replace("—", "-").encode("latin-1", "replace").decode("latin-1")


def unit_month(session: Session, *, unit_id: str, unit_name: str, month: date) -> bytes:
    query = Query(Scope.parse(f"unit:{unit_id}"), month, month)
    pdf = FPDF(format="A4")
    pdf.set_title(_text(f"Sjukskrivningar {unit_name} {month:%Y-%m}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _text(f"Sjukskrivningar vid {unit_name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(
        0,
        6,
        _text(f"Månadsrapport {month:%Y-%m}. Enhetens egna intyg, exakta tal, kvinnor och män."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    for name in SECTIONS:
        _section(pdf, service.run(name, query, session=session))
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(
        0,
        4,
        _text(
            "Ett sjukfall räknas i varje månad som någon av dess intygsperioder täcker. "
            "Diagnos och grad: det senast signerade intyget som täcker månaden. Längd: "
            "dagar med intyg från sjukfallets start till månadens sista sjukskrivna dag. "
            "Regler: docs/statistics.md."
        ),
    )
    return bytes(pdf.output())


def _section(pdf: FPDF, report: Report) -> None:
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, _text(report.title), new_x="LMARGIN", new_y="NEXT")
    widths = (90, 25, 25, 25, 25)
    pdf.set_font("Helvetica", "B", 9)
    for width, head in zip(widths, ("", "Kvinnor", "Män", "Totalt", "K/M"), strict=True):
        pdf.cell(width, 6, _text(head), border="B", align="R" if head else "L")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for row in report.rows:
        label = report.label(row.group) if report.grouped else "Pågående sjukfall"
        ratio = f"{row.women / row.men:.2f}" if row.women is not None and row.men else "-"
        cells = (label, _num(row.women), _num(row.men), _num(row.total), ratio)
        bold = row.group == "total"
        pdf.set_font("Helvetica", "B" if bold else "", 9)
        for width, value in zip(widths, cells, strict=True):
            pdf.cell(width, 5, _text(value), align="L" if width == 90 else "R")
        pdf.ln()
    pdf.ln(3)


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"
