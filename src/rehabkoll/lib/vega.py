"""The one way the project draws a chart: a Vega-Lite spec (built with Altair)
rendered on the server by vl-convert, as inline SVG for pages and PNG for
PDFs. No JavaScript and no CDN: the page gets finished SVG.

Rendering costs about 0.06 s a chart on a quiet machine (more when loaded),
so the SVG is kept in a small LRU cache keyed by the hash of the spec: the
same chart asked again (the same patient's page, the same report) is drawn
once. The accessibility text (title, description, focusable marks) is added
after the cache, so two pages may show the same drawing under other ids.

Never colour alone, every value as text: that is for the callers
(``statistics.charts``, ``web.timeline``, ``web.agreement_charts``).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import altair as alt

LOCALE: Literal["sv-SE"] = "sv-SE"  # decimal comma, non-breaking space between thousands
CACHE_SIZE = 512
"""Rendered charts kept (an SVG is 5-50 kB: at most some 25 MB)."""

_cache: OrderedDict[str, str] = OrderedDict()
_lock = threading.Lock()
_stats = {"hits": 0, "misses": 0}


def spec_of(chart: alt.TopLevelMixin | dict[str, Any]) -> dict[str, Any]:
    """The Vega-Lite spec of an Altair chart (a dict is taken as the spec)."""
    return chart if isinstance(chart, dict) else chart.to_dict(validate=False)


def spec_hash(spec: dict[str, Any]) -> str:
    """A stable key for a spec: the SHA-256 of its canonical JSON."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def raw_svg(chart: alt.TopLevelMixin | dict[str, Any]) -> str:
    """The chart as vl-convert draws it, from the cache when drawn before."""
    spec = spec_of(chart)
    key = spec_hash(spec)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            _stats["hits"] += 1
            return found
    import vl_convert

    svg = str(vl_convert.vegalite_to_svg(spec, format_locale=LOCALE, time_format_locale=LOCALE))
    with _lock:
        _stats["misses"] += 1
        _cache[key] = svg
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return svg


def cache_info() -> dict[str, int]:
    """Hits, misses and size of the cache (for tests and benchmarks)."""
    with _lock:
        return {**_stats, "size": len(_cache)}


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _stats.update(hits=0, misses=0)


def to_svg(
    chart: alt.TopLevelMixin | dict[str, Any],
    *,
    chart_id: str,
    title: str,
    description: str,
    css_class: str = "chart stats",
) -> str:
    """The chart as accessible inline SVG that scales with its box: a title and a
    description for screen readers, and each mark that has a ``description``
    focusable with its text on hover and focus."""
    svg = raw_svg(chart)
    svg = re.sub(r'<rect width="\d+" height="\d+" fill="white"/>', "", svg, count=1)
    svg = re.sub(r'\swidth="\d+(\.\d+)?" height="\d+(\.\d+)?"', "", svg, count=1)
    head = (
        f'<svg class="{css_class}" id="{chart_id}" role="group" '
        f'aria-labelledby="{chart_id}-t" aria-describedby="{chart_id}-d" '
    )
    svg = svg.replace(' class="marks"', "", 1).replace("<svg ", head, 1)
    svg = re.sub(
        r"(<svg [^>]*>)",
        lambda m: (
            f'{m.group(1)}<title id="{chart_id}-t">{html.escape(title)}</title>'
            f'<desc id="{chart_id}-d">{html.escape(description)}</desc>'
        ),
        svg,
        count=1,
    )
    return _focusable(svg)


_MARK = re.compile(r'<(path|rect)([^>]*?)aria-label="([^"]*)"([^>]*?)/>')


def _focusable(svg: str) -> str:
    """Each mark with a value: an image with its text, keyboard focus and a
    ``<title>``. Vega's other symbols without a text lose their role, so that
    no image is left without a name."""

    def mark(m: re.Match[str]) -> str:
        tag, before, label, after = m.groups()
        before = before.replace('role="graphics-symbol"', 'role="img"')
        after = after.replace('role="graphics-symbol"', 'role="img"')
        return (
            f'<{tag}{before}aria-label="{label}" tabindex="0"{after}><title>{label}</title></{tag}>'
        )

    svg = _MARK.sub(mark, svg)
    return svg.replace(' role="graphics-symbol"', "")


def to_png(chart: alt.TopLevelMixin | dict[str, Any], *, scale: float = 2.0) -> bytes:
    """The chart as PNG, for a PDF."""
    import vl_convert

    return bytes(
        vl_convert.vegalite_to_png(
            spec_of(chart), scale=scale, format_locale=LOCALE, time_format_locale=LOCALE
        )
    )
