"""Server-rendered SVG charts: no script, no external asset, readable by screen readers.

Each chart is an inline <svg role="img"> named by its <title> and described by its <desc>
(the text summary); the page puts the same figures in a data table next to it. Series differ
by line pattern and marker shape as well as colour, and every bar carries its value as text,
so that nothing is encoded by colour alone. Colours have at least 3:1 contrast on white.
Presentation attributes only (no style attribute): the CSP forbids inline styles.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

_ids = itertools.count(1)

#: (colour, dash pattern, marker) per series: distinguishable without colour.
SERIES_STYLES = (
    ("#0b5394", "", "circle"),
    ("#a33a00", "8 5", "square"),
    ("#2d6a1f", "2 4", "triangle"),
)
INK, GRID, BAR = "#1a1a1a", "#b0b0b0", "#0b5394"


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    #: (x, y) points; y None where the figure is hidden or unknown (the line breaks there).
    points: Sequence[tuple[float, float | None]]


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        return (f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} '
                f'{x + 5:.1f},{y + 4:.1f}" fill="{colour}"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def line_chart(
    title: Any,
    description: Any,
    series: Sequence[Series],
    *,
    x_label: Any,
    y_label: Any,
    x_max: float,
    y_max: float = 1.0,
    x_ticks: Sequence[float] = (),
    y_ticks: Sequence[float] = (0, 0.25, 0.5, 0.75, 1.0),
    y_format: str = "{:.0%}",
) -> Markup:
    """Return an SVG line chart of one or more series (a legend names each by its pattern)."""
    uid = next(_ids)
    width, height = 640, 340
    left, right, top, bottom = 56, 16, 16, 92
    plot_w, plot_h = width - left - right, height - top - bottom

    def sx(x: float) -> float:
        return left + plot_w * x / x_max

    def sy(y: float) -> float:
        return top + plot_h * (1 - y / y_max)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="chart{uid}-title chart{uid}-desc" class="chart" '
        f'focusable="false">',
        f'<title id="chart{uid}-title">{escape(title)}</title>',
        f'<desc id="chart{uid}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for tick in y_ticks:
        y = sy(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                     f'fill="{INK}">{escape(y_format.format(tick))}</text>')
    for tick in x_ticks:
        x = sx(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" '
                     f'y2="{top + plot_h + 5}" stroke="{INK}"/>')
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
                     f'font-size="12" fill="{INK}">{tick:g}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" '
                 f'y2="{top + plot_h}" stroke="{INK}"/>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{INK}"/>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h + 36}" '
                 f'text-anchor="middle" font-size="13" fill="{INK}">{escape(x_label)}</text>')
    parts.append(f'<text x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" font-size="13" '
                 f'fill="{INK}" transform="rotate(-90 14 {top + plot_h / 2:.1f})">'
                 f'{escape(y_label)}</text>')
    for number, one in enumerate(series):
        colour, dash, marker = SERIES_STYLES[number % len(SERIES_STYLES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        segment: list[str] = []
        segments: list[list[str]] = [segment]
        for x, y in one.points:
            if y is None:
                segment = []
                segments.append(segment)
                continue
            segment.append(f"{sx(x):.1f},{sy(y):.1f}")
            parts.append(_marker(marker, sx(x), sy(y), colour))
        for points in segments:
            if len(points) > 1:
                parts.append(f'<polyline points="{" ".join(points)}" fill="none" '
                             f'stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
        # Legend: the pattern, the marker and the name, one line per series.
        ly = top + plot_h + 56 + 18 * number
        lx = left + 8 + (number // 2) * 0
        parts.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 36}" y2="{ly - 4}" '
                     f'stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
        parts.append(_marker(marker, lx + 18, ly - 4, colour))
        parts.append(f'<text x="{lx + 44}" y="{ly}" font-size="13" fill="{INK}">'
                     f'{escape(one.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(
    title: Any,
    description: Any,
    bars: Sequence[tuple[str, float | None, str]],
    *,
    x_max: float | None = None,
    reference: tuple[float, str] | None = None,
) -> Markup:
    """Return an SVG horizontal bar chart; each bar is (label, value or None, value text).

    A None value (hidden or unknown) draws no bar, only its text. `reference` draws a labelled
    dashed line (for example the 0.8 ratio).
    """
    uid = next(_ids)
    row_h, label_w, width = 30, 210, 640
    top = 8
    height = top + row_h * max(1, len(bars)) + (28 if reference else 12)
    values = [v for _, v, _ in bars if v is not None]
    scale_max = x_max or (max(values) if values else 1) or 1
    plot_w = width - label_w - 110
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="chart{uid}-title chart{uid}-desc" class="chart" '
        f'focusable="false">',
        f'<title id="chart{uid}-title">{escape(title)}</title>',
        f'<desc id="chart{uid}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for i, (label, value, text) in enumerate(bars):
        y = top + i * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" font-size="13" '
                     f'fill="{INK}">{escape(label)}</text>')
        bar_w = 0.0 if value is None else plot_w * min(value, scale_max) / scale_max
        if value is not None:
            parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{bar_w:.1f}" '
                         f'height="{row_h - 10}" fill="{BAR}"/>')
        parts.append(f'<text x="{label_w + bar_w + 6:.1f}" y="{y + 19}" font-size="13" '
                     f'fill="{INK}">{escape(text)}</text>')
    if reference is not None:
        value, text = reference
        x = label_w + plot_w * min(value, scale_max) / scale_max
        bottom = top + row_h * max(1, len(bars))
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="{INK}" '
                     f'stroke-width="1.5" stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="middle" font-size="12" '
                     f'fill="{INK}">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
