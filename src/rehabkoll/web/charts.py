"""The patient page's timeline of certificate periods, drawn as SVG. Every
other chart (statistics, the overview) is drawn by ``statistics.charts`` with
Vega-Lite; the timeline is still hand-drawn (see docs/web.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from markupsafe import Markup

PATTERNS = """<svg class="defs" width="0" height="0" aria-hidden="true" focusable="false"><defs>
<pattern id="pat-all" width="6" height="6" patternUnits="userSpaceOnUse">
<rect width="6" height="6" fill="#2c5d8f"/></pattern>
</defs></svg>"""
"""Fill patterns, put once on every page by the layout."""


@dataclass(frozen=True, slots=True)
class Span:
    """One certificate period on the timeline."""

    start: date
    end: date
    degree: int
    certificate: str


def recommended_end(spans: Sequence[Span], days: int) -> date | None:
    """The last day of a recommended length of ``days`` counted like the
    milestones; past the case's end, calendar days after its last day."""
    if days <= 0:
        return None
    reached = milestone_dates(spans, [days])
    if days in reached:
        return reached[days]
    covered = sum(1 for _ in _covered_days(spans))
    return max(s.end for s in spans) + timedelta(days=days - covered)


def _covered_days(spans: Sequence[Span]) -> set[date]:
    found: set[date] = set()
    for s in spans:
        found.update(s.start + timedelta(days=n) for n in range((s.end - s.start).days + 1))
    return found


def milestone_dates(spans: Sequence[Span], days: Sequence[int]) -> dict[int, date]:
    """The calendar day on which the case reaches each day number, counting the
    days in the union of its periods (day 1 is the case's first day)."""
    merged: list[tuple[date, date]] = []
    for s in sorted(spans, key=lambda s: s.start):
        if merged and s.start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], s.end))
        else:
            merged.append((s.start, s.end))
    found: dict[int, date] = {}
    counted = 0
    for start, end in merged:
        length = (end - start).days + 1
        for n in days:
            if n not in found and counted < n <= counted + length:
                found[n] = start + timedelta(days=n - counted - 1)
        counted += length
    return found


MILESTONE_GAP = 70
"""Milestone labels closer than this (in the drawing's units) go on two rows."""


def label_rows(xs: Sequence[float], gap: float = MILESTONE_GAP) -> list[int]:
    """A row (0 or 1) per label at ``xs`` (ascending) so that labels on the same
    row are at least ``gap`` apart where two rows allow it."""
    last: list[float] = [-1e9, -1e9]
    rows = []
    for x in xs:
        row = 0 if x - last[0] >= gap else 1 if x - last[1] >= gap else 0
        last[row] = x
        rows.append(row)
    return rows


def timeline(
    chart_id: str,
    title: str,
    spans: Sequence[Span],
    milestones: Sequence[int],
    today: date | None = None,
    *,
    fmb_days: int | None = None,
) -> Markup:
    """Periods as bars whose height follows the degree, each labelled with its
    degree; the rehabilitation chain's milestones as labelled lines (on two
    rows where they would overlap) and a "today" marker when today falls in
    the drawing; with ``fmb_days``, a marker at the day FMB's recommended
    length ends (past the case's end when the case is shorter, the axis drawn
    out to it)."""
    if not spans:
        return Markup("")
    first = min(s.start for s in spans)
    last = max(s.end for s in spans)
    reached = milestone_dates(spans, milestones)
    fmb_end = recommended_end(spans, fmb_days) if fmb_days is not None else None
    if fmb_end is not None and fmb_end > last:
        last = fmb_end
    total = max((last - first).days + 1, 1)
    left, width, top, plot_h = 10, 680, 46, 60
    scale = width / total

    def x(day: date) -> float:
        return round(left + (day - first).days * scale, 1)

    desc = "; ".join(
        f"{s.start.isoformat()} till {s.end.isoformat()}: {s.degree} %" for s in spans
    ) + "".join(f"; dag {n}: {d.isoformat()}" for n, d in sorted(reached.items()))
    if today is not None and first <= today <= last:
        desc += f"; i dag: {today.isoformat()}"
    below = 14 if fmb_end is not None else 0  # a row for the FMB marker's label
    parts = [
        f'<svg class="timeline" viewBox="0 0 {left * 2 + width} {top + plot_h + 34 + below}" '
        'role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + width}" y2="{top + plot_h}" '
        'stroke="#222"/>',
    ]
    for s in sorted(spans, key=lambda s: s.start):
        h = plot_h * s.degree / 100
        x0, x1 = x(s.start), x(s.end + timedelta(days=1))
        parts.append(
            f'<rect x="{x0}" y="{top + plot_h - h}" width="{max(x1 - x0, 1)}" height="{h}" '
            f'fill="url(#pat-all)" stroke="#fff" stroke-width="1">'
            f"<title>{s.start.isoformat()}–{s.end.isoformat()}: {s.degree} %</title></rect>"
        )
        if x1 - x0 > 26:
            parts.append(
                f'<text x="{(x0 + x1) / 2}" y="{top + plot_h - h - 3}" text-anchor="middle" '
                f'class="num">{s.degree} %</text>'
            )
    ordered = sorted(reached.items())
    rows = label_rows([x(day) for _, day in ordered])
    for (n, day), row in zip(ordered, rows, strict=True):
        mx = x(day)
        ty = top - 16 - 14 * row
        anchor = "start" if mx < left + 30 else "end" if mx > left + width - 30 else "middle"
        parts.append(
            f'<line x1="{mx}" y1="{ty + 4}" x2="{mx}" y2="{top + plot_h + 4}" '
            'stroke="#b2182b" stroke-dasharray="4 2" stroke-width="1.5"/>'
            f'<text x="{mx}" y="{ty}" text-anchor="{anchor}" class="ms">Dag {n}</text>'
        )
    if today is not None and first <= today <= last:
        tx = x(today)
        anchor = "start" if tx < left + 30 else "end" if tx > left + width - 30 else "middle"
        parts.append(
            f'<line x1="{tx}" y1="{top - 4}" x2="{tx}" y2="{top + plot_h + 8}" '
            'stroke="#111" stroke-width="2.5"/>'
            f'<text x="{tx}" y="{top + plot_h + 30}" text-anchor="{anchor}" class="today">'
            "I dag</text>"
        )
    if fmb_end is not None:
        fx = x(fmb_end + timedelta(days=1))
        label = f"FMB {fmb_days} d"
        # the label beside the marker near either end, so that it stays inside
        anchor = "start" if fx < left + 60 else "end" if fx > left + width - 60 else "middle"
        parts.append(
            f'<g class="fmb-end"><title>FMB:s rekommenderade längd, {fmb_days} dagar: '
            f"till och med {fmb_end.isoformat()}</title>"
            f'<line x1="{fx}" y1="{top - 4}" x2="{fx}" y2="{top + plot_h + 4}" '
            'stroke="#8a4b00" stroke-width="2.5"/>'
            f'<text x="{fx}" y="{top + plot_h + 44}" text-anchor="{anchor}" class="ms fmb-ms" '
            f'fill="#8a4b00">{label}</text></g>'
        )
        desc = f"{desc}; FMB:s rekommenderade längd slutar {fmb_end.isoformat()}"
        parts[2] = f'<desc id="{chart_id}-d">{escape(desc)}</desc>'
    parts.append(
        f'<text x="{left}" y="{top + plot_h + 18}" class="lbl">{first.isoformat()}</text>'
        f'<text x="{left + width}" y="{top + plot_h + 18}" text-anchor="end" class="lbl">'
        f"{last.isoformat()}</text></svg>"
    )
    return Markup("".join(parts))
