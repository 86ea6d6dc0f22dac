"""The patient page's timeline of a case (tidslinje), drawn like every other
chart with Vega-Lite through ``lib.vega``.

What it shows: each certificate period as a bar whose height is its degree,
labelled with the degree where it is wide enough; the rehabilitation chain's
milestones (day 30, 90, 180, 365) as dashed lines labelled "Dag N", each label
on the first row where it overlaps no other (``label_rows``); a "today" marker
and, below it, its own row for the label; and,
with a recommendation, the day FMB's recommended length ends (the axis drawn
out to it when the case is shorter). The axis is in days from the case's
first day, labelled with the first and the last date (2026-11-05), so no time
zone or locale of the renderer can move a date.

It is drawn twice, 720 and 340 px wide, each with its labels laid out for its
width; the page shows the narrow one on small screens (``timeline-narrow`` in
app.css), so that text stays readable and nothing overlaps at 390 px.
Everything it shows is also in its description for screen readers, and the
milestone dates are written out below it on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup

from rehabkoll.lib import vega

BAR = "#2c5d8f"
MILESTONE = "#b2182b"
TODAY = "#111111"
FMB = "#8a4b00"
WIDTHS = {"wide": 720, "narrow": 340}
"""Plot widths in px: the page's full width and a phone's."""
FONT = 13
CHAR_WIDTH = 0.62
"""A generous width of one character of the labels' font, in font sizes."""
LABEL_PAD = 6
"""Space kept between two labels on the same row, px."""
DEGREE_MIN_WIDTH = 44
"""A bar narrower than this carries no degree label ("100 %" is about 40 px;
the bar's title and the description still have it)."""

# Vertical layout in px, from the top: a row per line of milestone labels (as
# many as needed so that none overlap), the bars, a row for the "today" label
# and one for FMB's, then the axis with the first and the last date.
ROW_HEIGHT = 15
BARS_HEIGHT = 70


@dataclass(frozen=True, slots=True)
class Span:
    """One certificate period on the timeline."""

    start: date
    end: date
    degree: int
    certificate: str


def _merged(spans: Sequence[Span]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for s in sorted(spans, key=lambda s: s.start):
        if merged and s.start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], s.end))
        else:
            merged.append((s.start, s.end))
    return merged


def milestone_dates(spans: Sequence[Span], days: Sequence[int]) -> dict[int, date]:
    """The calendar day on which the case reaches each day number, counting the
    days in the union of its periods (day 1 is the case's first day)."""
    found: dict[int, date] = {}
    counted = 0
    for start, end in _merged(spans):
        length = (end - start).days + 1
        for n in days:
            if n not in found and counted < n <= counted + length:
                found[n] = start + timedelta(days=n - counted - 1)
        counted += length
    return found


def recommended_end(spans: Sequence[Span], days: int) -> date | None:
    """The last day of a recommended length of ``days`` counted like the
    milestones; past the case's end, calendar days after its last day."""
    if days <= 0:
        return None
    reached = milestone_dates(spans, [days])
    if days in reached:
        return reached[days]
    covered = sum((end - start).days + 1 for start, end in _merged(spans))
    return max(s.end for s in spans) + timedelta(days=days - covered)


def text_width(text: str, font: int = FONT) -> float:
    """About how wide ``text`` is drawn, in px (rather more than less)."""
    return len(text) * font * CHAR_WIDTH


@dataclass(frozen=True, slots=True)
class Label:
    """A label on the drawing: its anchor ``x`` (px), alignment, the px it
    covers (``left`` to ``right``) and its row (0 the top one)."""

    text: str
    x: float
    align: str
    left: float
    right: float
    row: int = 0


def place(text: str, x: float, width: float) -> Label:
    """A label centred on ``x``, or growing inwards near an end of the
    drawing, so that it stays inside ``0..width``."""
    w = text_width(text)
    if x < w / 2:
        return Label(text, x, "left", x, x + w)
    if x > width - w / 2:
        return Label(text, x, "right", x - w, x)
    return Label(text, x, "center", x - w / 2, x + w / 2)


def label_rows(labels: Sequence[Label], pad: float = LABEL_PAD) -> list[Label]:
    """The labels (ascending by ``x``), each on the first row where it keeps
    ``pad`` px from the label before it there; on a new row when no row has
    room. Labels on one row therefore never overlap."""
    ends: list[float] = []
    placed = []
    for label in labels:
        row = next((r for r, end in enumerate(ends) if label.left >= end + pad), len(ends))
        if row == len(ends):
            ends.append(label.right)
        else:
            ends[row] = label.right
        placed.append(Label(label.text, label.x, label.align, label.left, label.right, row))
    return placed


@dataclass(frozen=True, slots=True)
class Layout:
    """Where everything of one timeline goes at one width (px; days as offsets
    from the first day, ``total`` days in all)."""

    first: date
    last: date
    width: int
    milestones: list[tuple[int, Label]]
    """(days from the first day, label) of each milestone reached."""
    today: tuple[int, Label] | None
    fmb: tuple[int, Label] | None
    rows: int

    @property
    def total(self) -> int:
        return max((self.last - self.first).days + 1, 1)

    @property
    def bars_top(self) -> int:
        return self.rows * ROW_HEIGHT + 22

    @property
    def bars_bottom(self) -> int:
        return self.bars_top + BARS_HEIGHT

    @property
    def height(self) -> int:
        return self.bars_bottom + 2 * ROW_HEIGHT + 6

    def row_y(self, row: int) -> float:
        return row * ROW_HEIGHT + ROW_HEIGHT / 2

    def x(self, day: date) -> int:
        return (day - self.first).days


def layout(
    spans: Sequence[Span],
    milestones: Sequence[int],
    today: date | None,
    fmb_days: int | None,
    width: int,
) -> Layout:
    """Lay one timeline out at ``width`` px (pure: tested without drawing)."""
    reached = milestone_dates(spans, milestones)
    fmb_end = recommended_end(spans, fmb_days) if fmb_days is not None else None
    first = min(s.start for s in spans)
    last = max(s.end for s in spans)
    last = max(last, fmb_end or last)
    total = max((last - first).days + 1, 1)

    def px(offset: float) -> float:
        return offset * width / total

    ordered = sorted(reached.items())
    offsets = [(day - first).days for _, day in ordered]
    labels = label_rows(
        [place(f"Dag {n}", px(o + 0.5), width) for (n, _), o in zip(ordered, offsets, strict=True)]
    )
    shown_today = None
    if today is not None and first <= today <= last:
        o = (today - first).days
        shown_today = (o, place("I dag", px(o + 0.5), width))
    shown_fmb = None
    if fmb_end is not None:
        o = (fmb_end - first).days + 1
        shown_fmb = (o, place(f"FMB {fmb_days} d", px(o), width))
    return Layout(
        first,
        last,
        width,
        list(zip(offsets, labels, strict=True)),
        shown_today,
        shown_fmb,
        max([label.row + 1 for label in labels], default=1),
    )


def spec(
    spans: Sequence[Span],
    milestones: Sequence[int],
    today: date | None,
    *,
    fmb_days: int | None,
    width: int,
) -> dict[str, Any]:
    """The Vega-Lite spec of one case's timeline at ``width`` px, written out
    as plain data (building it through Altair's classes cost more than
    drawing it: 0.3 s under load, against well under 1 ms)."""
    lay = layout(spans, milestones, today, fmb_days, width)
    x_axis = {
        "values": [0, lay.total],
        "labelExpr": f"datum.value == 0 ? '{lay.first.isoformat()}' : '{lay.last.isoformat()}'",
        "labelFlush": True,
        "labelFontSize": FONT,
        "labelColor": "#1d2329",
        "title": None,
        "grid": False,
        "aria": False,
    }
    x_scale = {"domain": [0, lay.total], "nice": False, "zero": False}
    y_degree = {
        "field": "degree",
        "type": "quantitative",
        "scale": {"domain": [0, 100], "range": [lay.bars_bottom, lay.bars_top]},
        "axis": None,
    }

    def x(field: str) -> dict[str, Any]:
        return {"field": field, "type": "quantitative", "scale": x_scale, "axis": x_axis}

    periods = [
        {
            "x": lay.x(s.start),
            "x2": lay.x(s.end) + 1,
            "degree": s.degree,
            "text": f"{s.degree} %",
            "tip": f"{s.start.isoformat()}–{s.end.isoformat()}: {s.degree} %",
            "wide": ((s.end - s.start).days + 1) * width / lay.total >= DEGREE_MIN_WIDTH,
        }
        for s in sorted(spans, key=lambda s: s.start)
    ]
    layers: list[dict[str, Any]] = [
        {
            "name": "periods",
            "data": {"values": periods},
            "mark": {"type": "rect", "color": BAR, "stroke": "#ffffff", "strokeWidth": 1},
            "encoding": {
                "x": x("x"),
                "x2": {"field": "x2"},
                "y": y_degree,
                "y2": {"datum": 0},
                "description": {"field": "tip", "type": "nominal"},
            },
        },
        {
            "name": "degrees",
            "data": {"values": [p for p in periods if p["wide"]]},
            "transform": [{"calculate": "(datum.x + datum.x2) / 2", "as": "mid"}],
            "mark": {
                "type": "text",
                "dy": -8,
                "fontSize": FONT - 1,
                "color": "#1d2329",
                "aria": False,
            },
            "encoding": {
                "x": x("mid"),
                "y": y_degree,
                "text": {"field": "text", "type": "nominal"},
            },
        },
    ]
    marks = [(offset + 0.5, label, lay.row_y(label.row)) for offset, label in lay.milestones]
    layers += _markers(
        "milestone",
        marks,
        x,
        MILESTONE,
        top=lay.row_y(lay.rows - 1) + 7,
        bottom=lay.bars_bottom + 4,
        dash=[4, 2],
    )
    below = lay.bars_bottom + ROW_HEIGHT / 2 + 4
    if lay.today is not None:
        offset, label = lay.today
        layers += _markers(
            "today",
            [(offset + 0.5, label, below)],
            x,
            TODAY,
            top=lay.bars_top - 6,
            bottom=below - 7,
            bold=True,
        )
    if lay.fmb is not None:
        offset, label = lay.fmb
        layers += _markers(
            "fmb",
            [(offset, label, below + ROW_HEIGHT)],
            x,
            FMB,
            top=lay.bars_top - 6,
            bottom=below + ROW_HEIGHT - 7,
            bold=True,
        )
    return {
        "width": width,
        "height": lay.height,
        "padding": {"left": 4, "right": 8, "top": 2, "bottom": 2},
        "config": {"view": {"stroke": None}},
        "layer": layers,
    }


def _markers(
    name: str,
    items: list[tuple[float, Label, float]],
    x: Callable[[str], dict[str, Any]],
    colour: str,
    *,
    top: float,
    bottom: float,
    dash: list[int] | None = None,
    bold: bool = False,
) -> list[dict[str, Any]]:
    """A vertical line per (offset, label, label's y) from ``top`` to ``bottom``
    px, and the label as it was placed; the marks' classes in the SVG start
    with ``name`` (``fmb_rule_marks``, ``today_label_center_marks``)."""
    if not items:
        return []
    rows = [
        {"x": offset, "y": y, "text": label.text, "align": label.align}
        for offset, label, y in items
    ]
    layers: list[dict[str, Any]] = [
        {
            "name": f"{name}_rule",
            "data": {"values": rows},
            "mark": {
                "type": "rule",
                "color": colour,
                "strokeWidth": 2.5 if bold else 1.5,
                "strokeDash": dash or [1, 0],
                "aria": False,
            },
            "encoding": {"x": x("x"), "y": {"value": top}, "y2": {"value": bottom}},
        }
    ]
    for align in ("left", "center", "right"):
        chosen = [row for row in rows if row["align"] == align]
        if chosen:
            layers.append(
                {
                    "name": f"{name}_label_{align}",
                    "data": {"values": chosen},
                    "mark": {
                        "type": "text",
                        "align": align,
                        "baseline": "middle",
                        "fontSize": FONT,
                        "fontWeight": "bold" if bold else "normal",
                        "color": colour,
                        "aria": False,
                    },
                    "encoding": {
                        "x": x("x"),
                        "y": {"field": "y", "type": "quantitative", "scale": None},
                        "text": {"field": "text", "type": "nominal"},
                    },
                }
            )
    return layers


def description(
    spans: Sequence[Span],
    milestones: Sequence[int],
    today: date | None,
    fmb_days: int | None,
) -> str:
    """Everything the timeline shows, in words, for screen readers."""
    reached = milestone_dates(spans, milestones)
    parts = [f"{s.start.isoformat()} till {s.end.isoformat()}: {s.degree} %" for s in spans]
    parts += [f"dag {n}: {d.isoformat()}" for n, d in sorted(reached.items())]
    fmb_end = recommended_end(spans, fmb_days) if fmb_days is not None else None
    last = max([s.end for s in spans] + ([fmb_end] if fmb_end else []))
    if today is not None and min(s.start for s in spans) <= today <= last:
        parts.append(f"i dag: {today.isoformat()}")
    if fmb_end is not None:
        parts.append(f"FMB:s rekommenderade längd slutar {fmb_end.isoformat()}")
    return "; ".join(parts)


def timeline(
    chart_id: str,
    title: str,
    spans: Sequence[Span],
    milestones: Sequence[int],
    today: date | None = None,
    *,
    fmb_days: int | None = None,
) -> Markup:
    """The case's timeline as inline SVG, wide and narrow (see the module)."""
    if not spans:
        return Markup("")
    text = description(spans, milestones, today, fmb_days)
    drawn = [
        vega.to_svg(
            spec(spans, milestones, today, fmb_days=fmb_days, width=width),
            chart_id=f"{chart_id}-{size}",
            title=title,
            description=text,
            css_class=f"timeline timeline-{size}",
        )
        for size, width in WIDTHS.items()
    ]
    return Markup("".join(drawn))
