"""Charts (diagram) of women and men, drawn with one library: Vega-Lite through
Altair, rendered on the server by vl-convert (``lib.vega``: SVG for pages, PNG
for the PDF). No JavaScript and no CDN: the page gets finished SVG
(docs/statistics.md says why this library).

Never colour alone: women are a solid line with circles or a filled bar, men a
dashed line with squares or a pale bar with a dashed outline, and every bar
carries its value as text ("K 12", "M 9"). Every mark of a value has a
``<title>`` (shown on hover) and is focusable with an ``aria-label`` (the page's
script shows the same text on focus). A withheld value is drawn as nothing and
written ``<5`` or ``x``. The chart has a title and a description for screen
readers, and every page shows the table below it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rehabkoll.lib.vega import LOCALE, to_png, to_svg
from rehabkoll.statistics.reports import Report, Row
from rehabkoll.statistics.suppression import Mark, display

if TYPE_CHECKING:
    import altair as alt

WOMEN, MEN = "Kvinnor", "Män"
COLOURS = ("#6a1b9a", "#1b5e20")  # dark purple, dark green: 3:1 on white and apart in grey
WIDTH = 960
__all__ = [
    "LOCALE",
    "Point",
    "bars",
    "describe",
    "group_points",
    "lines",
    "points",
    "to_png",
    "to_svg",
]


@dataclass(frozen=True, slots=True)
class Point:
    """One category (a month or a group) with women's and men's values."""

    label: str
    women: float | None  # None: withheld or missing
    men: float | None
    women_text: str
    men_text: str


def points(report: Report, *, group: str | None = None) -> list[Point]:
    """One point per month of a report without groups, or of one group."""
    return [
        _point(report, row.month.strftime("%Y-%m"), row)
        for row in report.rows
        if row.group == group
    ]


def group_points(report: Report, month_index: int = -1) -> list[Point]:
    """One point per group (total row left out) in one month, the last by default."""
    months = sorted({row.month for row in report.rows})
    if not months:
        return []
    month = months[month_index]
    return [
        _point(report, report.label(row.group), row)
        for row in report.rows
        if row.month == month and row.group != "total"
    ]


def _point(report: Report, label: str, row: Row) -> Point:
    cutoff = report.query.cutoff
    women = None if row.marks[0] is not Mark.SHOWN else row.women
    men = None if row.marks[1] is not Mark.SHOWN else row.men
    return Point(
        label,
        women,
        men,
        decimal(display(row.women, row.marks[0], cutoff=cutoff)),
        decimal(display(row.men, row.marks[1], cutoff=cutoff)),
    )


def decimal(text: str) -> str:
    """A number written with a decimal comma (``1.5`` → ``1,5``); other text as is."""
    return re.sub(r"(?<=\d)\.(?=\d)", ",", text)


def _records(pts: Sequence[Point]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for order, p in enumerate(pts):
        for sex, letter, value, text in (
            (WOMEN, "K", p.women, p.women_text),
            (MEN, "M", p.men, p.men_text),
        ):
            out.append(
                {
                    "x": p.label,
                    "order": order,
                    "sex": sex,
                    "value": value,
                    "label": f"{letter} {text}",
                    "tip": f"{p.label}, {sex.lower()}: {text}",
                }
            )
    return out


def _sex_scales() -> dict[str, Any]:
    import altair as alt

    domain = [WOMEN, MEN]
    return {
        "color": alt.Color(
            "sex:N",
            title="Kön",
            scale=alt.Scale(domain=domain, range=list(COLOURS)),
            legend=alt.Legend(orient="top", symbolSize=120, labelFontSize=13, aria=False),
        ),
        "description": alt.Description("tip:N"),
    }


def lines(pts: Sequence[Point], *, y_title: str, current: str | None = None) -> alt.LayerChart:
    """Month by month: women a solid line with circles, men dashed with squares.
    ``current``: the label of the month still under way, marked on the chart."""
    import altair as alt

    scales = _sex_scales()
    data = {"values": _records(pts)}
    x = alt.X(
        "x:O",
        title="Månad",
        sort=None,
        axis=alt.Axis(labelAngle=-45, labelOverlap="greedy", labelFontSize=12, aria=False),
    )
    y = alt.Y("value:Q", title=y_title, axis=alt.Axis(labelFontSize=12, aria=False))
    base = alt.Chart(data).transform_filter("isValid(datum.value)")
    line = base.mark_line(strokeWidth=2.5, aria=False).encode(
        x=x,
        y=y,
        color=scales["color"],
        strokeDash=alt.StrokeDash(
            "sex:N",
            scale=alt.Scale(domain=[WOMEN, MEN], range=[[1, 0], [7, 4]]),
            legend=None,
        ),
    )
    dots = base.mark_point(filled=True, size=70, opacity=1).encode(
        x=x,
        y=y,
        color=scales["color"],
        shape=alt.Shape(
            "sex:N",
            title="Kön",
            scale=alt.Scale(domain=[WOMEN, MEN], range=["circle", "square"]),
            legend=alt.Legend(orient="top", symbolSize=120, labelFontSize=13, aria=False),
        ),
        description=scales["description"],
    )
    layers: list[Any] = [line, dots]
    if current is not None and any(p.label == current for p in pts):
        mark = {"values": [{"x": current, "text": "pågående månad, ej komplett"}]}
        layers.append(
            alt.Chart(mark)
            .mark_rule(strokeDash=[2, 2], color="#555", aria=False)
            .encode(x=alt.X("x:O", sort=None))
        )
        layers.append(
            alt.Chart(mark)
            .mark_text(align="right", dx=-4, dy=-4, baseline="top", fontSize=12, aria=False)
            .encode(x=alt.X("x:O", sort=None), y=alt.value(0), text="text:N")
        )
    return alt.LayerChart(layer=layers).properties(width=WIDTH - 120, height=320)


def bars(pts: Sequence[Point], *, x_title: str, plot_width: int = WIDTH - 380) -> alt.LayerChart:
    """Horizontal bars, a pair (women above men) per group, each with its value;
    women's bars filled, men's pale with a dashed outline."""
    import altair as alt

    scales = _sex_scales()
    data = {"values": _records(pts)}
    y = alt.Y(
        "x:N",
        title=None,
        sort=list(dict.fromkeys(p.label for p in pts)),
        axis=alt.Axis(labelLimit=300, labelFontSize=12, aria=False),
    )
    y_offset = alt.YOffset("sex:N", scale=alt.Scale(domain=[WOMEN, MEN]))
    x = alt.X("value:Q", title=x_title, axis=alt.Axis(labelFontSize=12, aria=False))
    base = alt.Chart(data)
    bar = (
        base.transform_filter("isValid(datum.value)")
        .mark_bar(strokeWidth=1.5)
        .encode(
            y=y,
            yOffset=y_offset,
            x=x,
            color=scales["color"],
            stroke=alt.Stroke(
                "sex:N", scale=alt.Scale(domain=[WOMEN, MEN], range=list(COLOURS)), legend=None
            ),
            fillOpacity=alt.FillOpacity(
                "sex:N", scale=alt.Scale(domain=[WOMEN, MEN], range=[1, 0.25]), legend=None
            ),
            strokeDash=alt.StrokeDash(
                "sex:N", scale=alt.Scale(domain=[WOMEN, MEN], range=[[1, 0], [4, 2]]), legend=None
            ),
            description=scales["description"],
        )
    )
    text = (
        base.transform_calculate(value="isValid(datum.value) ? datum.value : 0")
        .mark_text(align="left", dx=4, fontSize=11, aria=False)
        .encode(y=y, yOffset=y_offset, x=alt.X("value:Q"), text="label:N")
    )
    height = max(len(pts), 1) * 34
    return alt.LayerChart(layer=[bar, text]).properties(width=plot_width, height=height)


def describe(pts: Sequence[Point]) -> str:
    """Every value in words, for the chart's description."""
    return "; ".join(f"{p.label}: kvinnor {p.women_text}, män {p.men_text}" for p in pts)
