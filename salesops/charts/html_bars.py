"""Bar charts drawn as plain HTML: a page's first charts without Vega (issue 21).

A cold new tab pays for its first Vega chart: Vega's ~25 scripts (~1 MB) fetched and
compiled with no code cache, then the spec parsed and its SVG built
(bench/results/browser-floor-kinds.json). A few bars need none of that: divs whose heights
(columns) or widths (rows) are the values' shares of the largest, each bar's value written
beside it and its full figures in its hover text (`title`), its label written under or
before it; parts of a bar stacked or side by side, dashed lines for a band's edges or a
benchmark, and a legend of the colours, as the Vega charts drew them.

Drawn with st.html, which sanitizes with DOMPurify's HTML profile: SVG would be dropped,
inline styles, `title` and ARIA attributes are kept. Every text is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import pandas as pd

from salesops.formatting import format_money, format_value

BAR_COLOUR = "#0068c9"  # Streamlit's first chart colour, as the Vega bars were drawn
VALUE_ROW = "1.25rem"  # room above the tallest bar for its value
SMALL = "font-size:0.75rem"
RULE = "border-left:2px dashed rgba(128,128,128,0.9)"  # seen on light and dark themes


@dataclass(frozen=True)
class Bar:
    """One bar: its label under it, value (its height), value as written above it, hover text."""

    label: str
    value: float
    shown: str
    tip: str


def _label(text: str) -> str:
    """Returns one bar's label cell, for the row of labels under a chart's columns."""
    return (
        f'<div style="flex:1 1 0;min-width:0;text-align:center;{SMALL};opacity:0.7">'
        f"{escape(text)}</div>"
    )


def bars_html(bars: Sequence[Bar], title: str, height_px: int = 220) -> str:
    """Returns `bars` as an HTML bar chart of `height_px` (bars from zero; negatives drawn flat).

    `title` names the chart for screen readers (role="figure"); the values and labels are
    text, so they are read (and found by the browser's search) as they are shown.
    """
    top = max([bar.value for bar in bars if bar.value > 0], default=0.0)
    columns, labels = [], []
    for bar in bars:
        share = bar.value / top if top > 0 and bar.value > 0 else 0.0
        columns.append(
            f'<div title="{escape(bar.tip)}" style="flex:1 1 0;min-width:0;display:flex;'
            'flex-direction:column;justify-content:flex-end;text-align:center">'
            f'<div style="font-size:0.75rem;white-space:nowrap">{escape(bar.shown)}</div>'
            f'<div style="height:calc((100% - {VALUE_ROW}) * {share:.4f});'
            f'background:{BAR_COLOUR};border-radius:2px 2px 0 0;margin:0 12%"></div></div>'
        )
        labels.append(_label(bar.label))
    return (
        f'<div role="figure" aria-label="{escape(title)}">'
        f'<div style="display:flex;gap:0.25rem;height:{height_px}px;'
        f'border-bottom:1px solid rgba(128,128,128,0.4)">{"".join(columns)}</div>'
        f'<div style="display:flex;gap:0.25rem;padding-top:0.25rem">{"".join(labels)}</div>'
        "</div>"
    )


@dataclass(frozen=True)
class Part:
    """One coloured piece of a bar: its value, colour, hover text, and value as written."""

    value: float
    colour: str
    tip: str
    shown: str = ""


@dataclass(frozen=True)
class Stack:
    """A bar made of parts (stacked, or side by side in a grouped chart), named `label`.

    `shown` is written beside the whole bar (a grouped chart writes each part's own).
    """

    label: str
    parts: tuple[Part, ...]
    shown: str = ""


@dataclass(frozen=True)
class Rule:
    """A dashed line across the bars at `value` (a band's edge, a benchmark), with its hover."""

    value: float
    tip: str


@dataclass(frozen=True)
class Chart:
    """What frames an HTML chart: its name, the legend's (name, colour)s, what its axis shows.

    `rules` are named in the legend by their hover text. `span` is the (low, high) of the
    axis the rules lie on when that is not the bars' values (a histogram's bands).
    """

    title: str
    legend: tuple[tuple[str, str], ...] = ()
    rules: tuple[Rule, ...] = ()
    axis: str = ""
    span: tuple[float, float] | None = None


def _share(value: float, low: float, top: float) -> float:
    """Returns `value`'s place between `low` and `top` as a fraction (0 outside or no span)."""
    if top <= low or value <= low:
        return 0.0
    return min((value - low) / (top - low), 1.0)


def _legend(chart: Chart) -> str:
    """Returns the legend row: a swatch per colour, a dashed mark per rule (empty if none)."""
    items = [
        f'<span style="display:inline-flex;align-items:center;gap:0.3rem">'
        f'<span style="width:0.7rem;height:0.7rem;background:{colour};border-radius:2px">'
        f"</span>{escape(name)}</span>"
        for name, colour in chart.legend
    ]
    items += [
        f'<span style="display:inline-flex;align-items:center;gap:0.3rem">'
        f'<span style="height:0.9rem;{RULE}"></span>{escape(rule.tip)}</span>'
        for rule in chart.rules
    ]
    if chart.axis:
        items.append(f"<span>{escape(chart.axis)}</span>")
    if not items:
        return ""
    return (
        f'<div style="display:flex;flex-wrap:wrap;gap:0.25rem 1rem;padding-top:0.4rem;{SMALL}">'
        f"{''.join(items)}</div>"
    )


def _rules(chart: Chart, low: float, top: float) -> str:
    """Returns the chart's dashed vertical lines, absolutely placed over a positioned box."""
    return "".join(
        f'<div title="{escape(rule.tip)}" style="position:absolute;top:0;bottom:0;'
        f'left:{_share(rule.value, low, top) * 100:.2f}%;{RULE}"></div>'
        for rule in chart.rules
    )


def rows_html(stacks: Sequence[Stack], chart: Chart) -> str:
    """Returns `stacks` as horizontal bars, one row each: label, bar (parts stacked), value.

    Widths are shares of the largest of the bars' totals and the rules' values, so a bar
    past a rule is drawn past it. Parts below zero are drawn empty.
    """
    totals = [sum(max(p.value, 0.0) for p in stack.parts) for stack in stacks]
    top = max([*totals, *(r.value for r in chart.rules), 0.0])
    cells = []
    for stack in stacks:
        parts = "".join(
            f'<div title="{escape(part.tip)}" style="height:100%;background:{part.colour};'
            f'width:{_share(part.value, 0.0, top) * 100:.2f}%"></div>'
            for part in stack.parts
        )
        cells.append(
            f'<div style="{SMALL};padding-right:0.5rem;white-space:nowrap">'
            f"{escape(stack.label)}</div>"
            f'<div style="position:relative;height:1.5rem">'
            f'<div style="position:absolute;left:0;right:0;top:0.2rem;bottom:0.2rem;'
            f'display:flex">{parts}</div>{_rules(chart, 0.0, top)}</div>'
            f'<div style="{SMALL};padding-left:0.5rem;white-space:nowrap">'
            f"{escape(stack.shown)}</div>"
        )
    return (
        f'<div role="figure" aria-label="{escape(chart.title)}">'
        '<div style="display:grid;grid-template-columns:max-content 1fr max-content;'
        f'align-items:center">{"".join(cells)}</div>{_legend(chart)}</div>'
    )


def columns_html(
    stacks: Sequence[Stack], chart: Chart, grouped: bool = False, height_px: int = 200
) -> str:
    """Returns `stacks` as vertical bars: parts stacked (or side by side if `grouped`).

    Heights are shares of the tallest bar (or part, grouped). Each bar's value (each part's,
    grouped) is written above it and its label below. The rules are drawn across the labels'
    axis, placed by `chart.span` (the labels' bars being equal steps of that span).
    """
    if grouped:
        heights = [max(p.value, 0.0) for s in stacks for p in s.parts]
    else:
        heights = [sum(max(p.value, 0.0) for p in s.parts) for s in stacks]
    top = max([*heights, 0.0])

    def bar(part: Part) -> str:
        return (
            f'<div title="{escape(part.tip)}" style="height:calc((100% - {VALUE_ROW}) * '
            f'{_share(part.value, 0.0, top):.4f});background:{part.colour}"></div>'
        )

    columns, labels = [], []
    for stack in stacks:
        if grouped:
            body = "".join(
                '<div style="flex:1 1 0;min-width:0;display:flex;flex-direction:column;'
                f'justify-content:flex-end;text-align:center"><div style="{SMALL};'
                f'white-space:nowrap">{escape(part.shown)}</div>{bar(part)}</div>'
                for part in stack.parts
            )
            inner = f'<div style="display:flex;gap:2px;height:100%;margin:0 8%">{body}</div>'
        else:
            inner = (
                '<div style="display:flex;flex-direction:column;justify-content:flex-end;'
                f'height:100%;margin:0 6%;text-align:center"><div style="{SMALL};'
                f'white-space:nowrap">{escape(stack.shown)}</div>'
                f"{''.join(bar(part) for part in reversed(stack.parts))}</div>"
            )
        columns.append(f'<div style="flex:1 1 0;min-width:0">{inner}</div>')
        labels.append(_label(stack.label))
    rules = _rules(chart, *chart.span) if chart.span else ""
    return (
        f'<div role="figure" aria-label="{escape(chart.title)}">'
        f'<div style="position:relative;display:flex;height:{height_px}px;'
        f'border-bottom:1px solid rgba(128,128,128,0.4)">{"".join(columns)}{rules}</div>'
        f'<div style="display:flex;padding-top:0.25rem">{"".join(labels)}</div>'
        f"{_legend(chart)}</div>"
    )


@dataclass(frozen=True)
class Span:
    """A floating bar from `start` to `end` (a waterfall's step), named `label` below it.

    `shown` is written above it in bold, `note` under that in small grey.
    """

    label: str
    start: float
    end: float
    colour: str
    tip: str
    shown: str = ""
    note: str = ""


def spans_html(spans: Sequence[Span], chart: Chart, low: float, height_px: int = 300) -> str:
    """Returns `spans` as floating vertical bars on an axis from `low` to above the highest end.

    The axis keeps an eighth of its height above the highest bar for the texts written
    above the bars; a bar of no height is drawn as a 1 px line.
    """
    high = max([max(s.start, s.end) for s in spans] + [low])
    top = high + (high - low) * 0.14 if high > low else low + 1.0
    columns, labels = [], []
    for span in spans:
        bottom = _share(min(span.start, span.end), low, top) * 100
        height = _share(max(span.start, span.end), low, top) * 100 - bottom
        columns.append(
            '<div style="flex:1 1 0;min-width:0;position:relative">'
            f'<div title="{escape(span.tip)}" style="position:absolute;left:18%;right:18%;'
            f"bottom:{bottom:.2f}%;height:max(1px,{height:.2f}%);background:{span.colour};"
            'border-radius:2px"></div>'
            f'<div style="position:absolute;left:0;right:0;bottom:calc({bottom + height:.2f}% + '
            f'2px);text-align:center;line-height:1.2"><div style="font-size:0.8rem;'
            f'font-weight:600;white-space:nowrap">{escape(span.shown)}</div>'
            f'<div style="{SMALL};opacity:0.7;white-space:nowrap">{escape(span.note)}</div>'
            "</div></div>"
        )
        labels.append(_label(span.label))
    return (
        f'<div role="figure" aria-label="{escape(chart.title)}">{_legend(chart)}'
        f'<div style="display:flex;height:{height_px}px;margin-top:0.4rem;'
        f'border-bottom:1px solid rgba(128,128,128,0.4)">{"".join(columns)}</div>'
        f'<div style="display:flex;padding-top:0.25rem">{"".join(labels)}</div></div>'
    )


def bookings_bars_html(frame: pd.DataFrame, currency: str) -> str:
    """Returns monthly bookings (won amount) as HTML bars, won and lost counts in each hover.

    `frame`: month, bookings, won, lost (salesops.kpis.evaluation.monthly_bookings). Each
    bar's value is written compact ("$1.23M"); its hover says the month, the full amount
    and the counts, as the Vega chart's tooltip did.
    """
    bars = [
        Bar(
            label=f"{month:%b %Y}",
            value=float(bookings),
            shown=format_value(bookings, "money", currency),
            tip=f"{month:%B %Y}: {format_money(bookings, currency, full=True)} booked · "
            f"{won:,} won, {lost:,} lost",
        )
        for month, bookings, won, lost in zip(
            pd.to_datetime(frame["month"]), frame["bookings"], frame["won"], frame["lost"],
            strict=True,
        )
    ]  # fmt: skip
    return bars_html(bars, "Bookings by month")
