"""Line charts over time drawn as an SVG image: a page's first charts without Vega (issue 21).

A cold new tab pays for its first Vega chart (Vega's ~25 scripts, ~1 MB, compiled with no
code cache; bench/results/page-draw.md); HTML bars (salesops.charts.html_bars) removed it
from the pages whose first charts are bars. This draws the line charts the same way: one
SVG of the lines (a gap where a value is undefined, never a zero), an optional shaded band
(an interval's low to high), an optional dashed benchmark line, horizontal grid lines at
round ticks, and the axis labels, legend and hover texts as HTML around it. Each period has
a hover column (an HTML `title`) over the drawing, saying its date and every value in full.
The chart is one element with role="img" whose aria-label summarises it.

Colours: the lines' own (seen on light and dark themes), mid-grey with some transparency
for grid lines and the benchmark, text in the theme's colour (inherited).

The plot stretches to the page's width (preserveAspectRatio="none", strokes not scaled)
while its height stays `height_px`, so labels are HTML, not SVG text (which would
stretch), and points are zero-length round-capped strokes (drawn as circles at any width).
Pages draw it with st.html, whose sanitizer drops inline SVG but keeps an <img> of a data
URI: the drawing is that image (each line one path, its points' marks another), so no
page sends HTML through Streamlit's Markdown (`unsafe_allow_html`), whose HTML parser is
loaded and run on first use at a cost that grows with an SVG's nodes (the Forecast's band
had 650). Every text is escaped here, `$` included (Markdown would read it as maths).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TypeVar
from urllib.parse import quote

import pandas as pd

from salesops.formatting import EM_DASH, format_date, format_money, format_value, is_undefined

WIDTH = 1000.0  # the plot's user units across (stretched to the page's width)
PAD_X = 12.0  # room at each end for a point's mark
PAD_TOP = 10.0  # px above the top tick (its label's half height)
PAD_BOTTOM = 2.0
GRID = "rgba(128,128,128,0.25)"
AXIS = "rgba(128,128,128,0.6)"
RULE = "rgba(128,128,128,0.9)"
SMALL = "font-size:0.75rem"
LINE_COLOUR = "#0068c9"  # Streamlit's first chart colour (html_bars.BAR_COLOUR)
MANY_POINTS = 80  # above this many periods a line's points are not marked (the hovers stay)
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60)
MOST_X_LABELS = 8
Point = TypeVar("Point")


@dataclass(frozen=True)
class Line:
    """One series: its name (legend, hovers), a value per period (None/NaN: undefined).

    `dashed` lines and `marker` shapes ("circle", "square") tell series apart without colour.
    """

    name: str
    values: tuple[float | None, ...]
    colour: str = LINE_COLOUR
    dashed: bool = False
    marker: str = "circle"


@dataclass(frozen=True)
class Band:
    """A shaded band from `lower` to `upper` per period (an interval), named in the legend."""

    name: str
    lower: tuple[float | None, ...]
    upper: tuple[float | None, ...]
    colour: str = LINE_COLOUR


@dataclass(frozen=True)
class Benchmark:
    """A dashed horizontal line at `value`, named `label` in the legend and its hover."""

    value: float
    label: str


@dataclass(frozen=True)
class LineChart:
    """A line chart over periods `x` (month starts, week starts or days, in time order).

    `unit` formats values (salesops.formatting units; money in `currency`); `period` is
    "month", "week" or "day" for the hovers' dates; `notes` an optional text per period
    added to its hover (why a month is undefined).
    """

    title: str
    x: tuple[pd.Timestamp, ...]
    lines: tuple[Line, ...]
    unit: str
    currency: str
    band: Band | None = None
    benchmark: Benchmark | None = None
    period: str = "month"
    notes: tuple[str, ...] = ()
    height_px: int = 240


def _number(value: object) -> float | None:
    """Returns `value` as a float, or None when undefined (None, NaN, NaT)."""
    return None if is_undefined(value) else float(value)  # type: ignore[arg-type]


def esc(value: str) -> str:
    """Returns `value` escaped for HTML and Markdown (`$` as an entity)."""
    return escape(value).replace("$", "&#36;")


def full(value: float | None, unit: str, currency: str) -> str:
    """Returns a value as a hover says it: money in full ("$1,234,000"), else as on a tile."""
    if unit == "money":
        return format_money(value, currency, full=True)
    return format_value(value, unit, currency)


def when(stamp: pd.Timestamp, period: str) -> str:
    """Returns a period's date as a hover says it: "March 2026", "Week of 2 Mar 2026"."""
    if period == "month":
        return f"{stamp:%B %Y}"
    if period == "week":
        return f"Week of {format_date(stamp)}"
    return format_date(stamp)


def nice_step(span: float, count: int = 4) -> float:
    """Returns a round step (1, 2, 2.5 or 5 times a power of ten) near `span` / `count`."""
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if raw <= m * power * (1 + 1e-9))


def y_ticks(values: Sequence[float]) -> list[float]:
    """Returns round ticks covering `values` and zero (as Vega-Lite's default scale does)."""
    low, high = min([*values, 0.0]), max([*values, 0.0])
    if high == low:
        high = low + 1.0
    step = nice_step(high - low)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(i * step, 12) for i in range(first, last + 1)]


def tick_label(value: float, unit: str, currency: str, step: float) -> str:
    """Returns an axis label: money compact, a ratio as a percent to the step's precision."""
    if unit == "money":
        return format_money(value, currency)
    if unit == "ratio":
        decimals = 0 if abs(step * 100 - round(step * 100)) < 1e-9 else 1
        return f"{value * 100:.{decimals}f}%"
    return format_value(value, unit, currency)


def x_ticks(first: pd.Timestamp, last: pd.Timestamp) -> tuple[list[pd.Timestamp], str]:
    """Returns month starts to label between `first` and `last`, and their strftime format.

    Every 1, 2, 3, 6, 12, 24 or 60 months (aligned on January), at most eight labels.
    """
    months = (last.year - first.year) * 12 + last.month - first.month
    step = next((s for s in MONTH_STEPS if months / s < MOST_X_LABELS), MONTH_STEPS[-1])
    start = pd.Timestamp(first.year, first.month, 1)
    if start < first.normalize():
        start += pd.DateOffset(months=1)
    ticks = []
    stamp = start
    while stamp <= last:
        index = stamp.year * 12 + stamp.month - 1
        if index % step == 0:
            ticks.append(stamp)
        stamp += pd.DateOffset(months=1)
    return ticks, ("%Y" if step >= 12 else "%b %Y")


def _runs(points: Sequence[Point | None]) -> list[list[Point]]:
    """Returns the runs of consecutive defined points (an undefined one ends a run)."""
    runs: list[list[Point]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _path(run: Sequence[tuple[float, float]]) -> str:
    """Returns an SVG path through `run`'s points (x, y)."""
    return "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in run)


def _legend_mark(line: Line) -> str:
    """Returns a legend swatch: a short stroke, dashed or not, with the line's marker."""
    style = "dashed" if line.dashed else "solid"
    dot = ""
    if line.marker:
        radius = "50%" if line.marker == "circle" else "1px"
        dot = (
            f'<span style="position:absolute;left:0.45rem;top:-0.2rem;width:0.45rem;'
            f'height:0.45rem;border-radius:{radius};background:{line.colour}"></span>'
        )
    return (
        f'<span style="position:relative;display:inline-block;width:1.4rem;height:0;'
        f'border-top:2px {style} {line.colour}">{dot}</span>'
    )


def _summary(chart: LineChart) -> str:
    """Returns the chart in words for screen readers: span, each line's ends and extremes."""
    parts = [
        f"{chart.title}, {when(chart.x[0], chart.period)} to {when(chart.x[-1], chart.period)}."
    ]
    for line in chart.lines:
        defined = [(x, v) for x, v in zip(chart.x, map(_number, line.values), strict=True)
                   if v is not None]  # fmt: skip
        if not defined:
            parts.append(f"{line.name}: no value.")
            continue
        (x0, v0), (x1, v1) = defined[0], defined[-1]
        low = min(defined, key=lambda p: p[1])
        high = max(defined, key=lambda p: p[1])
        words = f"{line.name}: {full(v0, chart.unit, chart.currency)} "
        words += f"({when(x0, chart.period)}) to {full(v1, chart.unit, chart.currency)} "
        words += f"({when(x1, chart.period)}), lowest {full(low[1], chart.unit, chart.currency)}"
        words += f", highest {full(high[1], chart.unit, chart.currency)}"
        missing = len(chart.x) - len(defined)
        if missing:
            words += f"; no value in {missing} {chart.period}{'s' if missing > 1 else ''}"
        parts.append(words + ".")
    if chart.benchmark is not None:
        parts.append(f"{chart.benchmark.label}.")
    return " ".join(parts)


@dataclass(frozen=True)
class _Plot:
    """Where values and periods fall on the plot: y in px from the top, x in user units."""

    ticks: list[float]
    height: float
    first: pd.Timestamp
    span: float  # seconds from the first period to the last

    def y(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return PAD_TOP + (high - value) / (high - low) * (self.height - PAD_TOP - PAD_BOTTOM)

    def x(self, stamp: pd.Timestamp) -> float:
        share = (stamp - self.first).total_seconds() / self.span if self.span > 0 else 0.5
        return PAD_X + share * (WIDTH - 2 * PAD_X)


def _grid(chart: LineChart, plot: _Plot) -> tuple[str, str]:
    """Returns the grid lines (SVG) and the y axis's labels (HTML), one per tick."""
    step = plot.ticks[1] - plot.ticks[0]
    lines, labels = [], []
    for tick in plot.ticks:
        y = plot.y(tick)
        lines.append(
            f'<line x1="0" x2="{WIDTH:.0f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{AXIS if tick == 0 else GRID}" stroke-width="1" '
            'vector-effect="non-scaling-stroke"/>'
        )
        labels.append(
            f'<div style="position:absolute;right:0.4rem;top:{y - 8:.1f}px;line-height:16px;'
            f'white-space:nowrap">{esc(tick_label(tick, chart.unit, chart.currency, step))}</div>'
        )
    return "".join(lines), "".join(labels)


def _band(band: Band, xs: Sequence[float], plot: _Plot) -> str:
    """Returns the band's shaded areas, one per run of periods with both edges defined."""
    edges = [
        None if lo is None or hi is None else (xs[i], plot.y(lo), plot.y(hi))
        for i, (lo, hi) in enumerate(
            zip(map(_number, band.lower), map(_number, band.upper), strict=True)
        )
    ]
    areas = []
    for run in _runs(edges):
        outline = [(x, hi) for x, _, hi in run] + [(x, lo) for x, lo, _ in reversed(run)]
        areas.append(
            f'<path d="{_path(outline)}Z" fill="{band.colour}" fill-opacity="0.25" stroke="none"/>'
        )
    return "".join(areas)


def _benchmark(benchmark: Benchmark, plot: _Plot) -> str:
    """Returns the benchmark's dashed rule (its name is in the legend and the summary)."""
    level = plot.y(benchmark.value)
    return (
        f'<line x1="0" x2="{WIDTH:.0f}" y1="{level:.1f}" y2="{level:.1f}" stroke="{RULE}" '
        'stroke-width="1.5" stroke-dasharray="4 4" vector-effect="non-scaling-stroke"/>'
    )


def _x_labels(plot: _Plot, last: pd.Timestamp) -> str:
    """Returns the x axis's labels (HTML), placed at their dates' share of the width."""
    dates, fmt = x_ticks(plot.first, last)
    if not dates:  # less than a month: the first and last periods' dates
        dates, fmt = sorted({plot.first, last}), ""
    return "".join(
        f'<div style="position:absolute;left:{plot.x(d) / WIDTH * 100:.2f}%;top:0.15rem;'
        'transform:translateX(-50%);white-space:nowrap">'
        f"{esc(f'{d:{fmt}}' if fmt else format_date(d))}</div>"
        for d in dates
    )


def _legend(chart: LineChart) -> str:
    item = '<span style="display:inline-flex;align-items:center;gap:0.35rem">'
    items = [f"{item}{_legend_mark(line)}{esc(line.name)}</span>" for line in chart.lines]
    if chart.band is not None:
        items.append(
            f'{item}<span style="width:1.4rem;height:0.7rem;background:{chart.band.colour};'
            f'opacity:0.3"></span>{esc(chart.band.name)}</span>'
        )
    if chart.benchmark is not None:
        items.append(
            f'{item}<span style="width:1.4rem;height:0;border-top:2px dashed {RULE}"></span>'
            f"{esc(chart.benchmark.label)}</span>"
        )
    return (
        '<div style="display:flex;flex-wrap:wrap;gap:0.25rem 1rem;padding:0.3rem 0 0 4.5rem">'
        f"{''.join(items)}</div>"
    )


def _layout(chart: LineChart) -> tuple[_Plot, list[float]] | None:
    """Returns the chart's plot and each period's x on it, or None when no value is defined.

    The y axis's ticks cover every defined value, the band's edges and the benchmark.
    """
    band = chart.band
    defined = [v for line in chart.lines for v in map(_number, line.values) if v is not None]
    if band is not None:
        defined += [v for v in map(_number, (*band.lower, *band.upper)) if v is not None]
    if not chart.x or not defined:
        return None
    if chart.benchmark is not None:
        defined.append(chart.benchmark.value)
    first, last = pd.Timestamp(chart.x[0]), pd.Timestamp(chart.x[-1])
    plot = _Plot(y_ticks(defined), float(chart.height_px), first, (last - first).total_seconds())
    return plot, [plot.x(pd.Timestamp(s)) for s in chart.x]


def _figure(chart: LineChart, plot: _Plot, y_labels: str, drawing: str) -> str:
    """Returns the chart's HTML around `drawing` (the plot itself, as tall as `plot`).

    The summary for screen readers, the y axis's labels beside the drawing, the x axis's
    under it, and the legend.
    """
    return (
        f'<div role="img" aria-label="{esc(_summary(chart))}" style="{SMALL};line-height:1.2">'
        f'<div style="display:flex"><div style="position:relative;flex:0 0 4.5rem;'
        f'height:{plot.height:.0f}px;opacity:0.75">{y_labels}</div>'
        f'<div style="flex:1 1 auto;min-width:0">{drawing}'
        '<div style="position:relative;height:1.3rem;opacity:0.75">'
        f"{_x_labels(plot, pd.Timestamp(chart.x[-1]))}</div></div></div>{_legend(chart)}</div>"
    )


IMAGE_MARGIN = 4.0  # px the image reaches beyond the plot, above and below (points' marks)
SVG_NS = "http://www.w3.org/2000/svg"


def _image_lines(line: Line, xs: Sequence[float], plot: _Plot) -> str:
    """Returns a line's stretches (broken where undefined) as one path, its marks as another.

    With more than MANY_POINTS periods only isolated points are marked (they have no line).
    """
    values = [_number(v) for v in line.values]
    points = [None if v is None else (xs[i], plot.y(v)) for i, v in enumerate(values)]
    dash = ' stroke-dasharray="6 4"' if line.dashed else ""
    stretches = "".join(_path(run) for run in _runs(points) if len(run) > 1)
    drawn = ""
    if stretches:
        drawn = (
            f'<path d="{stretches}" fill="none" stroke="{line.colour}" stroke-width="2"{dash} '
            'stroke-linejoin="round" vector-effect="non-scaling-stroke"/>'
        )
    many = len(points) > MANY_POINTS
    marks = []
    for i, point in enumerate(points):
        alone = (i == 0 or points[i - 1] is None) and (
            i == len(points) - 1 or points[i + 1] is None
        )
        if point is not None and line.marker and (alone or not many):
            marks.append(f"M{point[0]:.1f} {point[1]:.1f}h0")
    if marks:
        cap = "round" if line.marker == "circle" else "square"
        drawn += (
            f'<path d="{"".join(marks)}" stroke="{line.colour}" stroke-width="7" '
            f'stroke-linecap="{cap}" vector-effect="non-scaling-stroke"/>'
        )
    return drawn


def _image(svg: str, height: float) -> str:
    """Returns the plot's SVG as an <img> (a data URI) filling the plot's box, and a bit more.

    It reaches IMAGE_MARGIN px above and below the plot so a point's mark on its edge is
    whole (an image is clipped to its box).
    """
    top = -IMAGE_MARGIN
    tall = height + 2 * IMAGE_MARGIN
    document = (
        f'<svg xmlns="{SVG_NS}" viewBox="0 {top:.0f} {WIDTH:.0f} {tall:.0f}" '
        f'preserveAspectRatio="none">{svg}</svg>'
    ).replace('"', "'")
    source = "data:image/svg+xml," + quote(document, safe=" '=:/,.-()")
    return (
        f'<img alt="" src="{source}" style="position:absolute;left:0;top:{top:.0f}px;'
        f'width:100%;height:{tall:.0f}px;max-width:none">'
    )


def _hover_columns(chart: LineChart, xs: Sequence[float]) -> str:
    """Returns one HTML hover column per period (its `title`), reaching halfway to its neighbours.

    They lie over the whole plot in a row, each as wide as its share of the plot's width.
    """
    edges = [0.0] + [(a + b) / 2 for a, b in zip(xs, xs[1:], strict=False)] + [WIDTH]
    columns = "".join(
        f'<div title="{esc(_hover(chart, i, pd.Timestamp(stamp)))}" '
        f'style="flex:{edges[i + 1] - edges[i]:.2f}"></div>'
        for i, stamp in enumerate(chart.x)
    )
    return f'<div style="position:absolute;inset:0;display:flex">{columns}</div>'


def line_chart_image_html(chart: LineChart) -> str:
    """Returns `chart` as HTML for st.html: the drawing an SVG image, the hovers HTML.

    The grid, band and lines are one SVG image (each line one path, its points' marks
    another); each period's hover is an HTML column over it (`title`: its date and every
    value in full); the axis labels, legend and a summary for screen readers (aria-label)
    around it. With no defined value at all, a sentence saying so, not empty axes.
    """
    layout = _layout(chart)
    if layout is None:
        return (
            f'<div role="img" aria-label="{esc(chart.title)}: no value to chart">'
            f'<div style="{SMALL};opacity:0.7">No value to chart.</div></div>'
        )
    plot, xs = layout
    grid, y_labels = _grid(chart, plot)
    svg = grid
    if chart.band is not None:
        svg += _band(chart.band, xs, plot)
    if chart.benchmark is not None:
        svg += _benchmark(chart.benchmark, plot)
    svg += "".join(_image_lines(line, xs, plot) for line in chart.lines)
    drawing = (
        f'<div style="position:relative;height:{plot.height:.0f}px">{_image(svg, plot.height)}'
        f"{_hover_columns(chart, xs)}</div>"
    )
    return _figure(chart, plot, y_labels, drawing)


def _hover(chart: LineChart, index: int, stamp: pd.Timestamp) -> str:
    """Returns period `index`'s hover: its date, each line's value in full, the band, a note."""
    parts = [
        f"{line.name} {full(_number(line.values[index]), chart.unit, chart.currency)}"
        for line in chart.lines
        if _number(line.values[index]) is not None or len(chart.lines) == 1
    ]
    band = chart.band
    if band is not None:
        lo, hi = _number(band.lower[index]), _number(band.upper[index])
        if lo is not None and hi is not None:
            parts.append(
                f"{band.name} {full(lo, chart.unit, chart.currency)} to "
                f"{full(hi, chart.unit, chart.currency)}"
            )
    words = f"{when(stamp, chart.period)}: " + (" · ".join(parts) or EM_DASH)
    note = chart.notes[index] if index < len(chart.notes) else ""
    return f"{words} ({note})" if note else words
