"""The agreement pages' charts: horizontal bars, one per item, each carrying
its number as text, with a title and a description for screen readers; drawn
like every other chart with Vega-Lite through ``lib.vega``.

The pages pass plain (label, value, text) items and get inline SVG."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from rehabkoll.lib import vega

Item = tuple[str, float, str]
"""(label, value, the value as text)."""

BAR = "#2c5d8f"
ROW = 24
PLOT_WIDTH = 300


def spec(items: Sequence[Item]) -> dict[str, Any]:
    """Bars of the items' values, in their order, each with its text after it."""
    import altair as alt

    rows = [
        {"label": label, "value": abs(value), "text": text, "tip": f"{label}: {text}"}
        for label, value, text in items
    ]
    y = alt.Y(
        "label:N",
        sort=[label for label, _, _ in items],
        title=None,
        axis=alt.Axis(labelLimit=190, labelFontSize=12, ticks=False, domain=False, aria=False),
    )
    # room after the longest bar for its text
    peak = max([abs(value) for _, value, _ in items] + [0.0]) or 1.0
    x = alt.X("value:Q", axis=None, scale=alt.Scale(domain=[0, peak * 1.45], nice=False))
    base = alt.Chart({"values": rows})
    bars = base.mark_bar(color=BAR, height=14).encode(
        y=y, x=x, description=alt.Description("tip:N")
    )
    texts = base.mark_text(align="left", dx=5, fontSize=12, color="#1d2329", aria=False).encode(
        y=y, x=x, text="text:N"
    )
    chart = alt.LayerChart(layer=[bars, texts]).properties(
        width=PLOT_WIDTH, height=max(len(rows), 1) * ROW
    )
    drawn: dict[str, Any] = chart.configure_view(stroke=None).to_dict(validate=False)
    return drawn


def hbars(chart_id: str, title: str, items: Sequence[Item]) -> Markup:
    description = "; ".join(f"{label}: {text}" for label, _, text in items)
    return Markup(
        vega.to_svg(
            spec(items),
            chart_id=chart_id,
            title=title,
            description=description,
            css_class="chart agreement-chart",
        )
    )
