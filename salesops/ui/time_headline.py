"""The Overview's rep-time headline: team selling share against the one-third benchmark."""

from __future__ import annotations

import streamlit as st

from salesops.formatting import EM_DASH, format_value
from salesops.time_report import time_report
from salesops.ui.cache import cached_call, settings
from salesops.ui.filters import Filters
from salesops.ui.nav import page_link


def time_headline(filters: Filters) -> None:
    """Draws the team selling share vs the benchmark and a link to the Rep time page."""
    config = settings()
    report = cached_call(time_report, filters.period, filters.scope, config, "W")
    team = report.team
    share = team.selling_share.value
    left, middle, right = st.columns(3)
    left.metric(
        "Team selling share",
        format_value(share, "ratio"),
        delta=None if share is None else f"{(share - team.benchmark) * 100:+.1f} pp vs 1/3",
        help="Selling hours / all hours logged; the benchmark is one hour in three.",
        border=True,
    )
    if share is None:
        left.caption(f"{EM_DASH} {team.selling_share.reason}")
    middle.metric(
        "Reps below one-third",
        f"{team.reps_below_benchmark} of {team.reps_with_time}",
        border=True,
    )
    right.metric(
        "Back-office share of hours",
        format_value(team.back_office_share.value, "ratio"),
        border=True,
    )
    page_link(
        "pages/time_allocation.py",
        "Rep time allocation: where the hours go and what freeing them is worth",
        ":material/schedule:",
    )
