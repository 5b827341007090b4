"""The territory charts label money in the database currency."""

from __future__ import annotations

import json

from salesops.charts.territory import potential_vs_capacity, workload_bars
from tests.unit.territory.company import TEAM


def test_money_axis_and_tooltips_follow_the_currency(metrics):
    dollars = json.dumps(potential_vs_capacity(metrics, TEAM, "USD").to_dict())
    assert '"format": "$,.2s"' in dollars and '"format": "$,.0f"' in dollars
    euros = json.dumps(potential_vs_capacity(metrics, TEAM, "EUR").to_dict())
    assert '"format": "$' not in euros
    assert "\\u20ac" in euros or "€" in euros  # the axis labels carry the euro sign
    assert '"title": "per hour (EUR)"' in euros


def test_workload_bars_have_a_bar_per_measure_and_territory(metrics):
    spec = workload_bars(metrics).to_dict()
    assert len(spec["datasets"][next(iter(spec["datasets"]))]) == 2 * len(metrics)
