"""Server-rendered SVG charts of a report. Never colour alone: women and men
differ by fill pattern (the layout's ``pat-women``/``pat-men``), by line style
and marker shape (circle, square), every value is written out, and every
chart has a title and a text description for screen readers. A withheld value
is drawn as nothing and written ``<5`` or ``x``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from rehabkoll.statistics.reports import Report, Row
from rehabkoll.statistics.suppression import Mark, display

SERIES = (("women", "Kvinnor", "K"), ("men", "Män", "M"))


@dataclass(frozen=True, slots=True)
class Point:
    label: str
    women: float | None  # None: withheld
    men: float | None
    women_text: str
    men_text: str


def points(report: Report, *, group: str | None = None) -> list[Point]:
    """One point per month of a report without groups, or of one group."""
    out = []
    for row in report.rows:
        if row.group != group:
            continue
        out.append(_point(report, row.month.strftime("%Y-%m"), row))
    return out


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
        display(row.women, row.marks[0], cutoff=cutoff),
        display(row.men, row.marks[1], cutoff=cutoff),
    )


def _head(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg class="chart stats" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]


def _legend(x: int, *, lines: bool) -> str:
    if lines:
        return (
            f'<g class="legend"><line x1="{x}" y1="10" x2="{x + 22}" y2="10" stroke="#7b3294" '
            f'stroke-width="2"/><circle cx="{x + 11}" cy="10" r="3.5" fill="#7b3294"/>'
            f'<text x="{x + 28}" y="14">Kvinnor (K, heldragen, cirkel)</text>'
            f'<line x1="{x + 230}" y1="10" x2="{x + 252}" y2="10" stroke="#1b7837" '
            f'stroke-width="2" stroke-dasharray="6 3"/><rect x="{x + 237}" y="6.5" width="7" '
            f'height="7" fill="#1b7837"/><text x="{x + 258}" y="14">Män (M, streckad, '
            f"kvadrat)</text></g>"
        )
    return (
        f'<g class="legend"><rect x="{x}" y="4" width="14" height="12" fill="url(#pat-women)" '
        f'stroke="#222" stroke-width="0.5"/><text x="{x + 18}" y="14">Kvinnor (K)</text>'
        f'<rect x="{x + 110}" y="4" width="14" height="12" fill="url(#pat-men)" '
        f'stroke="#222" stroke-width="0.5"/><text x="{x + 128}" y="14">Män (M)</text></g>'
    )


def _describe(pts: Sequence[Point]) -> str:
    return "; ".join(f"{p.label}: kvinnor {p.women_text}, män {p.men_text}" for p in pts)


def bars(chart_id: str, title: str, pts: Sequence[Point]) -> Markup:
    """Horizontal bars, a pair (women, men) per group, each with its value."""
    label_w, area, row_h, top = 220, 300, 34, 30
    height = top + row_h * max(len(pts), 1) + 10
    width = label_w + area + 60
    peak = max([1.0] + [v for p in pts for v in (p.women, p.men) if v is not None])
    parts = _head(chart_id, title, _describe(pts), width, height)
    parts.append(_legend(label_w, lines=False))
    for i, p in enumerate(pts):
        y = top + i * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" class="lbl">'
            f"{escape(p.label[:38])}</text>"
        )
        for j, (key, name, letter) in enumerate(SERIES):
            value = p.women if key == "women" else p.men
            text = p.women_text if key == "women" else p.men_text
            w = 0.0 if value is None else round(area * value / peak, 1)
            by = y + j * 14
            if w > 0:
                parts.append(
                    f'<rect x="{label_w}" y="{by}" width="{w}" height="12" '
                    f'fill="url(#pat-{key})" stroke="#222" stroke-width="0.5">'
                    f"<title>{escape(p.label)}, {name.lower()}: {escape(text)}</title></rect>"
                )
            parts.append(
                f'<text x="{label_w + w + 4}" y="{by + 10}" class="num">'
                f"{letter} {escape(text)}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def lines(chart_id: str, title: str, pts: Sequence[Point]) -> Markup:
    """Month by month: women a solid line with circles, men dashed with squares."""
    left, top, plot_w, plot_h = 50, 30, 560, 200
    width, height = left + plot_w + 20, top + plot_h + 50
    peak = max([1.0] + [v for p in pts for v in (p.women, p.men) if v is not None])
    step = plot_w / max(len(pts) - 1, 1)
    parts = _head(chart_id, title, _describe(pts), width, height)
    parts.append(_legend(left, lines=True))
    for frac in (0, 0.5, 1):
        y = top + plot_h - frac * plot_h
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{left + plot_w}" y2="{y}" stroke="#ccc"/>'
            f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" class="num">'
            f"{peak * frac:.0f}</text>"
        )
    every = max(1, len(pts) // 12)
    for i, p in enumerate(pts):
        if i % every == 0:
            parts.append(
                f'<text x="{left + i * step}" y="{top + plot_h + 16}" text-anchor="middle" '
                f'class="lbl">{escape(p.label)}</text>'
            )
    for key, name, _ in SERIES:
        colour = "#7b3294" if key == "women" else "#1b7837"
        dash = "" if key == "women" else ' stroke-dasharray="6 3"'
        coords: list[tuple[float, float] | None] = []
        for i, p in enumerate(pts):
            value = p.women if key == "women" else p.men
            text = p.women_text if key == "women" else p.men_text
            if value is None:
                coords.append(None)
                continue
            x, y = left + i * step, top + plot_h - plot_h * value / peak
            coords.append((x, y))
            tip = f"<title>{escape(p.label)}, {name.lower()}: {escape(text)}</title>"
            if key == "women":
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">{tip}</circle>'
                )
            else:
                parts.append(
                    f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" '
                    f'fill="{colour}">{tip}</rect>'
                )
        path = _path(coords)
        if path:
            parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _path(coords: Sequence[tuple[float, float] | None]) -> str:
    out, pen = [], "M"
    for c in coords:
        if c is None:
            pen = "M"
            continue
        out.append(f"{pen}{c[0]:.1f},{c[1]:.1f}")
        pen = "L"
    return " ".join(out)
