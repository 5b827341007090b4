"""Money axes as a browser draws them (Vega through vl-convert): distinct ticks, B for billions."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
import vl_convert

from salesops.charts.formats import money_axis


def _tick_labels(currency: str, low: float, high: float) -> list[str]:
    """Returns the y axis's tick labels of a chart spanning low..high, drawn to SVG."""
    frame = pd.DataFrame({"x": ["a", "b"], "y": [low, high]})
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x="x:N",
            y=alt.Y(
                "y:Q", scale=alt.Scale(zero=False, domain=[low, high]), axis=money_axis(currency)
            ),
        )
    )
    svg = vl_convert.vegalite_to_svg(chart.to_dict())
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    return [label for label in labels if label not in {"a", "b", "x", "y"}]


def test_a_zoomed_billions_axis_labels_each_tick_apart_in_billions():
    labels = _tick_labels("USD", 2.25e9, 2.6e9)  # the pipeline waterfall's zoomed axis
    assert len(labels) >= 4
    assert len(set(labels)) == len(labels), labels  # was "$2.5G" twice at two digits
    assert all(label.startswith("$") and label.endswith("B") for label in labels), labels
    assert "$2.5B" in labels


def test_millions_keep_their_prefix_and_other_currencies_their_symbol():
    assert "$300M" in _tick_labels("USD", 0, 500e6)
    euros = _tick_labels("EUR", 2.25e9, 2.6e9)
    assert euros and all(label.startswith("€") and label.endswith("B") for label in euros)
