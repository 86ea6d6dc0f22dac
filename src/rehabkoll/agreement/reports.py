"""The allocation and a region's follow-up as Excel workbooks and PDF files, in
Swedish (openpyxl and fpdf2, as the rest of the project)."""

from __future__ import annotations

import io

from rehabkoll.agreement.allocation_file import AllocationOutput
from rehabkoll.agreement.followup import RegionView
from rehabkoll.agreement.indicators import BY_KEY
from rehabkoll.agreement.regions import REGIONS, name


def kronor(value: int) -> str:
    """12 345 678 kr with a space as the thousands separator (Swedish)."""
    return f"{value:,}".replace(",", " ") + " kr"


def number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:g}".replace(".", ",")


def _latin(text: str) -> str:
    """The core PDF fonts know Latin-1 (å, ä, ö) but not dashes and the like."""
    text = text.replace("–", "-").replace("—", "-").replace("−", "-").replace("\u202f", " ")
    return text.encode("latin-1", "replace").decode("latin-1")


def region_totals(result: AllocationOutput) -> dict[str, int]:
    totals = dict.fromkeys(sorted({r.region for r in result.rows}), 0)
    for row in result.rows:
        totals[row.region] += row.amount
    return totals


def allocation_pdf(result: AllocationOutput, titles: dict[str, str], published: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(_latin(f"Fördelning {result.year}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(
        0, 10, _latin(f"Överenskommelsen {result.year}: fördelning"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", "", 9)
    state = f"Publicerad {published}" if published else "Preliminär (inte publicerad)"
    setting = "behålls" if result.unearned == "kept" else "fördelas om"
    pdf.multi_cell(
        0, 5,
        _latin(f"{state}. Efter folkmängd, hela kronor, största rester; "
               f"ej intjänade medel {setting}."),
        new_x="LMARGIN", new_y="NEXT",
    )  # fmt: skip
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(20, 6, "Kod", border=1)
    pdf.cell(100, 6, "Region", border=1)
    pdf.cell(50, 6, "Totalt", border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    totals = region_totals(result)
    for code, total in totals.items():
        pdf.cell(20, 6, code, border=1)
        pdf.cell(100, 6, _latin(name(code)), border=1)
        pdf.cell(50, 6, _latin(kronor(total)), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(120, 6, "Summa utbetalt", border=1)
    pdf.cell(
        50,
        6,
        _latin(kronor(sum(totals.values()))),
        border=1,
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.cell(0, 6, _latin("Per utbetalning"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for unpaid in result.unpaid:
        paid = sum(r.amount for r in result.rows if r.part == unpaid.part)
        pdf.multi_cell(
            0, 5,
            _latin(f"{titles.get(unpaid.part, unpaid.part)}: utbetalt {kronor(paid)}, "
                   f"ej utbetalt {kronor(unpaid.amount)}"),
            new_x="LMARGIN", new_y="NEXT",
        )  # fmt: skip
    return bytes(pdf.output())


def followup_xlsx(view: RegionView) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Villkor"
    sheet.append([f"{name(view.region)} – överenskommelsen {view.agreement.year}"])
    sheet.append(["Villkor", "Titel", "Status", "Motivering", "Underlag (versioner)"])
    for c in view.conditions:
        reason = c.in_force.reason if c.in_force else ""
        sheet.append(
            [c.condition.number, c.condition.title, c.status.label, reason, len(c.evidence)]
        )
    indicators = book.create_sheet("Indikatorer")
    indicators.append(["Indikator", "Period", "Kvinnor", "Män", "Alla", "Underlag"])
    for key, values in view.indicators.items():
        for v in values:
            indicators.append([BY_KEY[key].label, v.window, v.women, v.men, v.all, v.detail])
    money = book.create_sheet("Pengar")
    money.append(["Utbetalning", "Kronor"])
    for _, title, amount in view.money.rows:
        money.append([title, amount])
    money.append(["Totalt", view.money.total])
    if view.money.unavailable:
        money.append([view.money.unavailable])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def followup_pdf(view: RegionView) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    title = f"{name(view.region)}: överenskommelsen {view.agreement.year}"
    pdf.set_title(_latin(title))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, _latin(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 8, "Villkor", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for c in view.conditions:
        line = f"{c.condition.number}. {c.condition.title}: {c.status.label}"
        if c.in_force:
            line += f" ({c.in_force.reason})"
        pdf.multi_cell(0, 5, _latin(line), new_x="LMARGIN", new_y="NEXT")
        for check in c.checks:
            verdict = {True: "uppfyller", False: "uppfyller inte", None: "-"}[check.met]
            threshold = (
                "" if check.threshold is None else f" {check.comparison} {number(check.threshold)}"
            )
            pdf.multi_cell(
                0, 5,
                _latin(f"   {check.info.label}: {number(check.value)} {check.info.unit}"
                       f"{threshold}: {verdict}"),
                new_x="LMARGIN", new_y="NEXT",
            )  # fmt: skip
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 8, "Indikatorer (helår)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for key, values in view.indicators.items():
        if values:
            v = values[0]
            pdf.multi_cell(
                0, 5,
                _latin(f"{BY_KEY[key].label}: kvinnor {number(v.women)}, män {number(v.men)}, "
                       f"alla {number(v.all)} {BY_KEY[key].unit} {v.detail}"),
                new_x="LMARGIN", new_y="NEXT",
            )  # fmt: skip
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 8, "Pengar", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for _, payment, amount in view.money.rows:
        pdf.multi_cell(0, 5, _latin(f"{payment}: {kronor(amount)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0, 5, _latin(f"Totalt: {kronor(view.money.total)}"), new_x="LMARGIN", new_y="NEXT"
    )
    if view.money.unavailable:
        pdf.multi_cell(0, 5, _latin(view.money.unavailable), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


__all__ = ["REGIONS", "allocation_pdf", "followup_pdf", "followup_xlsx", "kronor"]
