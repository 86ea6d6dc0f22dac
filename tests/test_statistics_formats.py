"""How reports are written for people: decimal commas, the CSV for Swedish
Excel, the Excel workbook, the web table folded by group, and the charts."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from rehabkoll.statistics import charts, formats
from rehabkoll.statistics.query import Query, Scope
from rehabkoll.statistics.reports import REPORTS, Report, Row, assemble
from rehabkoll.statistics.suppression import Mark

UNIT = Scope.parse("unit:U1")


def grouped_report(months: int = 2) -> Report:
    # Two diagnosis groups over ``months`` months: psychiatric 3 women and 1 man,
    # musculoskeletal 2 women and 0 men, the same every month.
    first = date(2026, 1, 1)
    last = date(2026, months, 1)
    query = Query(UNIT, first, last)
    counts: dict[tuple[date, str | None], list[int]] = {}
    for m in range(1, months + 1):
        counts[(date(2026, m, 1), "psychiatric")] = [3, 1]
        counts[(date(2026, m, 1), "musculoskeletal")] = [2, 0]
    return assemble(counts, query, REPORTS["diagnosis-groups"])


def test_decimal_writes_a_comma_and_whole_numbers_as_they_are() -> None:
    assert formats.decimal(12.25, 1) == "12,2"  # round half to even: 12.25 is 12.2499… in binary
    assert formats.decimal(1.5) == "1,5"
    assert formats.decimal(0.333, 2) == "0,33"
    assert formats.decimal(7) == "7"
    assert formats.decimal(1234.5) == "1\u00a0234,5"  # a non-breaking space between thousands
    assert formats.decimal(None) == "–"


@settings(max_examples=50)
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_decimal_reads_back_as_the_number_rounded(value: float) -> None:
    # Two forms of one number: the Swedish text, read back with a point and
    # without the thousands spaces, is the value to within half a hundredth.
    text = formats.decimal(value, 2)
    assert "." not in text
    back = float(text.replace("\u00a0", "").replace(",", ".").replace("−", "-"))
    assert abs(back - value) <= 0.005 + 1e-9 * abs(value)


def test_charts_write_decimals_with_a_comma_and_leave_other_text() -> None:
    assert charts.decimal("12.5 d") == "12,5 d"
    assert charts.decimal("<5") == "<5"
    assert charts.decimal("2026-01") == "2026-01"


def test_the_csv_for_excel_has_a_bom_semicolons_swedish_headers_and_ja_nej() -> None:
    report = grouped_report(1)
    body = formats.to_excel_csv(report)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads å, ä, ö right
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Månad", "Grupp", "Kvinnor", "Män", "Totalt", "Kvinnor per man", "Dolda tal"]
    psychiatric = next(r for r in rows if r[1] == "Psykiatriska diagnoser (F)")
    # 3 women, 1 man: 3,00 women per man, with a comma; exact figures, nothing withheld.
    assert psychiatric == ["2026-01", "Psykiatriska diagnoser (F)", "3", "1", "4", "3,00", "nej"]
    musculoskeletal = next(r for r in rows if r[1].startswith("Muskuloskeletala"))
    assert musculoskeletal[5] == ""  # no men: no ratio


def test_the_csv_for_excel_says_ja_for_a_withheld_row() -> None:
    query = Query(UNIT, date(2026, 1, 1), date(2026, 1, 1))
    row = Row(date(2026, 1, 1), None, 2, 10, 12, (Mark.PRIMARY, Mark.SHOWN, Mark.SECONDARY))
    report = Report("cases-per-month", "Pågående sjukfall per månad", query, [row], False)
    text = formats.to_excel_csv(report).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1] == ["2026-01", "<5", "10", "x", "", "ja"]


def test_excel_has_numbers_as_numbers_degrees_as_numbers_and_wide_columns() -> None:
    query = Query(UNIT, date(2026, 1, 1), date(2026, 1, 1))
    report = assemble({(date(2026, 1, 1), "50"): [3, 2]}, query, REPORTS["degrees"])
    sheet = load_workbook(io.BytesIO(formats.to_xlsx(report))).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    fifty = next(r for r in rows if r[1] == 50)
    assert fifty[2:6] == (3, 2, 5, 1.5)  # 3 women per 2 men
    assert sheet.column_dimensions["B"].width >= 10
    assert sheet.column_dimensions["C"].width >= 12


def test_a_grouped_table_shows_the_last_month_and_folds_each_group() -> None:
    table = formats.web_table(grouped_report(3))
    assert [line.month for line in table.latest] == [date(2026, 3, 1)] * len(table.latest)
    assert table.latest[-1].total
    psychiatric = next(s for s in table.sections if s.label == "Psykiatriska diagnoser (F)")
    assert [line.cells for line in psychiatric.lines] == [("3", "1", "4")] * 3
    assert formats.web_table(grouped_report(1)).sections == []  # one month: nothing to fold


def test_a_line_chart_tells_women_from_men_by_dash_and_shape_and_marks_the_current_month() -> None:
    pts = [charts.Point("2026-01", 3.5, 1, "3,5", "1"), charts.Point("2026-02", 4, None, "4", "<5")]
    spec = charts.lines(pts, y_title="Antal", current="2026-02").to_dict()  # validated by Altair
    line, dots, rule, text = spec["layer"]
    assert line["encoding"]["strokeDash"]["scale"]["range"] == [[1, 0], [7, 4]]
    assert dots["encoding"]["shape"]["scale"]["range"] == ["circle", "square"]
    assert rule["mark"]["type"] == "rule"
    assert text["mark"]["type"] == "text"
    assert "pågående månad, ej komplett" in str(spec["datasets"])


def test_the_svg_has_a_title_a_description_and_a_focusable_value_with_its_text() -> None:
    pts = [charts.Point("Psykiatriska diagnoser (F)", 12, None, "12", "<5")]
    svg = charts.to_svg(
        charts.bars(pts, x_title="Antal"), chart_id="c1", title="Titel", description="Beskr"
    )
    assert '<title id="c1-t">Titel</title>' in svg
    assert '<desc id="c1-d">Beskr</desc>' in svg
    # The women's bar: focusable, its exact text in aria-label and in a <title> for hover.
    assert re.search(
        r'aria-label="Psykiatriska diagnoser \(F\), kvinnor: 12" tabindex="0"[^>]*>'
        r"<title>Psykiatriska diagnoser \(F\), kvinnor: 12</title>",
        svg,
    )
    # The men's value is withheld: no bar to focus, only its text beside the axis.
    assert "män: &lt;5" not in svg.split("</desc>")[1]
    assert "M &lt;5" in svg
    assert "X-axis" not in svg  # no English descriptions of the axes


def test_the_png_for_the_pdf_is_drawn_by_the_same_library() -> None:
    pts = [charts.Point("2026-01", 3, 1, "3", "1")]
    assert charts.to_png(charts.lines(pts, y_title="Antal"), scale=1).startswith(b"\x89PNG")
