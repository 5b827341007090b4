"""Overview page UI: the headline each other page contributes, in page order.

Each function takes the Overview's Filters, draws at most a few st.metric tiles and a
link to its page, and handles its own empty state. HEADLINES lists them in page order.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from salesops.calendar import Period
from salesops.formatting import format_value
from salesops.kpis.team import team_comparison
from salesops.ui.filters import Filters
from salesops.ui.forecast import forecast_headline
from salesops.ui.pipeline_review import pipeline_review_headline
from salesops.ui.territory import territory_headline
from salesops.ui.time_allocation import time_headline

HEADLINES: list[tuple[str, Callable[[Filters], None]]] = [
    ("Forecast vs quota", forecast_headline),
    ("Territory balance", territory_headline),
    ("Rep time", time_headline),
    ("This week's pipeline", pipeline_review_headline),
]


def team_headline(period: Period, currency: str) -> None:
    """Draws a rep's win rate and bookings beside their team's totals (no colleague named)."""
    from salesops.ui.cache import cached_call

    comparison = cached_call(team_comparison, period)
    mine, team = comparison.mine, comparison.team
    st.caption(f"You beside your team's totals ({comparison.team_reps} reps, you included).")
    cols = st.columns(4)
    cols[0].metric("Your win rate", format_value(mine.win_rate.value, "ratio"), border=True)
    cols[1].metric("Team win rate", format_value(team.win_rate.value, "ratio"), border=True)
    cols[2].metric("Your bookings", format_value(mine.won_amount, "money", currency), border=True)
    cols[3].metric("Team bookings", format_value(team.won_amount, "money", currency), border=True)
