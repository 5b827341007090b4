"""The territory charts: the utilisation band and money in the database currency."""

from __future__ import annotations

import json
import re
from html import unescape

from salesops.charts.territory import FLAG_COLOURS, potential_per_hour_chart, utilisation_html
from salesops.territory.presentation import utilisation_bars
from tests.unit.territory.company import SETTINGS


def test_utilisation_bars_draw_covered_territories_and_the_band(metrics):
    html = utilisation_html(metrics, SETTINGS)
    tips = [unescape(t) for t in re.findall(r'title="([^"]*)"', html)]
    bars = [t for t in tips if ": utilisation " in t]
    covered = utilisation_bars(metrics).dropna(subset=["utilisation"])
    assert len(bars) == len(covered) == 3  # the uncovered territory has no utilisation to draw
    for row, tip in zip(covered.itertuples(), bars, strict=True):  # highest first
        assert tip.startswith(f"{row.territory} (") and f"utilisation {row.utilisation:.0%}" in tip
        assert tip.endswith(f"· {row.flag}")
        assert f">{row.utilisation:.0%}<" in html  # written beside its bar
    assert "under-loaded below 70%" in tips and "over-loaded above 110%" in tips  # the band
    # the band's lines at 70% and 110% of the axis, which reaches the largest utilisation
    top = max(covered["utilisation"].max(), 1.1)
    lines = [float(x) for x in re.findall(r"left:([0-9.]+)%", html)]
    assert {round(x, 1) for x in lines} == {round(70 / top, 1), round(110 / top, 1)}
    for flag in set(covered["flag"]):
        assert FLAG_COLOURS[flag] in html and f">{flag}</span>" in html  # in the legend


def test_potential_per_hour_money_follows_the_currency(metrics):
    dollars = json.dumps(potential_per_hour_chart(metrics, "USD").to_dict())
    assert '"format": "$,.3~s"' in dollars and '"format": "$,.0f"' in dollars
    euros = json.dumps(potential_per_hour_chart(metrics, "EUR").to_dict())
    assert '"format": "$' not in euros
    assert '"title": "per selling hour (EUR)"' in euros
