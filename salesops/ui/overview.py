"""Overview page UI: bookings against quota, and the headline each other page contributes.

Each headline function takes the Overview's Filters, draws one plain sentence (coloured by
whether it is good or bad news, grey when the change is trivial), its figures as one
figure table (salesops.ui.figure_table) and a link to its page, and handles its own empty
state. HEADLINES lists them in page order; a feature adds its headline there (the quarter
call and cash have their own slots on the Overview page).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from salesops.calendar import Period
from salesops.charts.html_bars import bookings_bars_html
from salesops.formatting import format_value
from salesops.kpis.attainment import bookings_vs_quota, pace_words
from salesops.kpis.team import team_comparison
from salesops.kpis.won_amounts import SAID_ABOVE
from salesops.repository import Repository
from salesops.ui.cache import cached_call, prefetch, settings
from salesops.ui.call import prefetch_call_panel
from salesops.ui.cash import cash_overview_headline, prefetch_cash_headline
from salesops.ui.download import download_csv
from salesops.ui.filters import Filters
from salesops.ui.forecast import forecast_headline, prefetch_monthly_forecast
from salesops.ui.kpis import draw_tiles, tile_cell
from salesops.ui.markdown import md
from salesops.ui.pipeline_review import pipeline_review_headline, prefetch_review_headline
from salesops.ui.territory import prefetch_territory_headline, territory_headline
from salesops.ui.time_allocation import prefetch_time_headline, time_headline

HEADLINES: list[tuple[str, Callable[[Filters], None]]] = [
    ("Forecast vs quota", forecast_headline),
    ("Territory balance", territory_headline),
    ("Rep time", time_headline),
    ("What changed this week", pipeline_review_headline),
    ("Order to cash", cash_overview_headline),
]
BOOKINGS_DEFINITION = (
    "Won amount closed from the start of the period to the latest day of data, against the "
    "whole period's quota; the pace is the share of the period gone."
)
# What each section reads, started together at the top of the Overview (prefetch_sections).
PREFETCHES: list[Callable[[Filters], None]] = [
    lambda filters: prefetch(bookings_vs_quota, _as_of(), filters.scope),
    prefetch_call_panel,
    lambda filters: prefetch_monthly_forecast(filters.scope),
    prefetch_territory_headline,
    prefetch_time_headline,
    prefetch_review_headline,
    prefetch_cash_headline,
]


def prefetch_sections(filters: Filters) -> None:
    """Starts every Overview section's reads at once (salesops.ui.cache.prefetch).

    Cold, the sections' reads then run side by side instead of one after another as each
    section is drawn; warm, their results are cached and prefetch starts nothing.
    """
    for start in PREFETCHES:
        start(filters)


def _as_of() -> date:
    """Returns the latest day of data, which bookings are counted to."""
    return cached_call(Repository.data_bounds)["last"]


def bookings_headline(filters: Filters) -> None:
    """Draws bookings quarter to date and year to date against quota, with attainment and pace.

    Counted to the data's latest day for the Overview's territory, segment, team and rep.
    Two HTML tiles (salesops.ui.kpis.tile_cell, no st.metric: issue 21): the share of quota
    and the pace sentence green ahead of pace, red behind, grey on pace, the definition
    under them. Where won deals carry no amount the tiles are "—" and one sentence says why.
    """
    config = settings()
    as_of = _as_of()
    qtd, ytd = cached_call(bookings_vs_quota, as_of, filters.scope)
    cells = []
    for figures in (qtd, ytd):
        sentence, tone = pace_words(figures, config.currency, config.change_noise_pp)
        attainment = figures.attainment.value
        said = [] if attainment is None else [f"{attainment:.0%} of quota"]
        if figures.undefined is None:  # else said once for both tiles, below
            said.append(sentence)
        cells.append(
            tile_cell(
                f"Bookings, {figures.label}",
                format_value(figures.booked.value, "money", config.currency),
                said,
                tone,
                definition=BOOKINGS_DEFINITION,
            )
        )
    draw_tiles(cells, per_row=2)
    amounts = qtd.amounts
    if amounts.reason is not None:
        st.info(amounts.reason)  # once for both tiles
    elif amounts.caption is not None:
        st.caption(amounts.caption)
    st.caption(f"To {as_of.day} {as_of:%b %Y}, the latest day of data · {md(filters.scope_label)}.")


def bookings_chart(bookings: pd.DataFrame, filters: Filters) -> None:
    """Draws bookings by month, or why they are undefined (won deals without amounts)."""
    config = settings()
    # the headline's read (same cache entry) carries the scope's won-deal amounts
    amounts = cached_call(bookings_vs_quota, _as_of(), filters.scope)[0].amounts
    if amounts.reason is not None:
        st.caption(SAID_ABOVE)  # the bookings headline above says why in full
        return
    if not bookings["won"].any():  # not a flat $0 line: say there is nothing to chart
        first, last = bookings["month"].min(), bookings["month"].max()
        st.info(
            f"No deal was won from {first:%b %Y} to {last:%b %Y}: no bookings to chart. "
            "Pick another period in the sidebar, or import closed deals with their close dates."
        )
        return
    # HTML bars, not a Vega chart: a cold tab's first Vega chart cost it ~0.5 s (issue 21)
    st.html(bookings_bars_html(bookings, config.currency))
    if amounts.caption is not None:
        st.caption(amounts.caption)
    download_csv(bookings, "bookings_by_month.csv", key="overview.download_bookings")


def team_headline(period: Period, currency: str) -> None:
    """Draws a rep's win rate and bookings beside their team's totals (no colleague named).

    Four HTML tiles in a row (salesops.ui.kpis.tile_cell), as the KPI tiles above them.
    """
    comparison = cached_call(team_comparison, period)
    mine, team = comparison.mine, comparison.team
    st.caption(f"You beside your team's totals ({comparison.team_reps} reps, you included).")
    draw_tiles(
        [
            tile_cell("Your win rate", format_value(mine.win_rate.value, "ratio")),
            tile_cell("Team win rate", format_value(team.win_rate.value, "ratio")),
            tile_cell("Your bookings", format_value(mine.won_amount, "money", currency)),
            tile_cell("Team bookings", format_value(team.won_amount, "money", currency)),
        ]
    )
