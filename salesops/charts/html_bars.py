"""Bar charts drawn as plain HTML: the Overview's bookings by month without Vega (issue 21).

A cold new tab pays for its first Vega chart: Vega's ~25 scripts (~1 MB) fetched and
compiled with no code cache, then the spec parsed and its SVG built
(bench/results/browser-floor-kinds.json). Twelve bars need none of that: a flex row of
divs whose heights are the values' shares of the largest, each bar's value written above
it and its full figures in its hover text (`title`), the months written below.

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


@dataclass(frozen=True)
class Bar:
    """One bar: its label under it, value (its height), value as written above it, hover text."""

    label: str
    value: float
    shown: str
    tip: str


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
        labels.append(
            '<div style="flex:1 1 0;min-width:0;text-align:center;font-size:0.75rem;'
            f'opacity:0.7">{escape(bar.label)}</div>'
        )
    return (
        f'<div role="figure" aria-label="{escape(title)}">'
        f'<div style="display:flex;gap:0.25rem;height:{height_px}px;'
        f'border-bottom:1px solid rgba(128,128,128,0.4)">{"".join(columns)}</div>'
        f'<div style="display:flex;gap:0.25rem;padding-top:0.25rem">{"".join(labels)}</div>'
        "</div>"
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
