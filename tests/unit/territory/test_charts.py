"""The territory charts: the utilisation band and money in the database currency."""

from __future__ import annotations

import json

from salesops.charts.territory import potential_per_hour_chart, utilisation_chart
from tests.unit.territory.company import SETTINGS


def test_utilisation_chart_draws_covered_territories_and_the_band(metrics):
    spec = utilisation_chart(metrics, SETTINGS).to_dict()
    datasets = list(spec["datasets"].values())
    bars = next(d for d in datasets if "territory" in d[0])
    assert len(bars) == 3  # the uncovered territory has no utilisation to draw
    edges = next(d for d in datasets if "edge" in d[0])
    assert [e["edge"] for e in edges] == [0.7, 1.1]


def test_potential_per_hour_money_follows_the_currency(metrics):
    dollars = json.dumps(potential_per_hour_chart(metrics, "USD").to_dict())
    assert '"format": "$,.3~s"' in dollars and '"format": "$,.0f"' in dollars
    euros = json.dumps(potential_per_hour_chart(metrics, "EUR").to_dict())
    assert '"format": "$' not in euros
    assert '"title": "per selling hour (EUR)"' in euros
