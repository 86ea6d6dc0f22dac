"""The agreement pages' charts: simple horizontal SVG bars, one per item, each
carrying its number, with a text title and description for screen readers.

Kept apart on purpose: when the project settles on one charting library
(issue 14), only this module changes; the pages pass plain (label, value,
text) items."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

Item = tuple[str, float, str]
"""(label, value, the value as text)."""


def hbars(chart_id: str, title: str, items: Sequence[Item]) -> Markup:
    label_w, bar_area, row_h, top = 190, 300, 22, 8
    width = label_w + bar_area + 130
    height = top + row_h * len(items) + 8
    peak = max([0.0] + [abs(v) for _, v, _ in items]) or 1.0
    desc = "; ".join(f"{label}: {text}" for label, _, text in items)
    parts = [
        f'<svg class="chart agreement-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for i, (label, value, text) in enumerate(items):
        y = top + i * row_h
        w = round(bar_area * abs(value) / peak, 1)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end" class="lbl">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="14" fill="url(#pat-all)"/>'
            f'<text x="{label_w + w + 6}" y="{y + 14}" class="val">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
