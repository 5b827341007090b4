"""Headlines other pages contribute to the Overview: one small function per page.

Each function takes the Overview's Filters, draws at most a few st.metric tiles and a
link to its page, and handles its own empty state. HEADLINES lists them in page order.
"""

from __future__ import annotations

from collections.abc import Callable

from salesops.ui.filters import Filters
from salesops.ui.forecast import forecast_headline
from salesops.ui.territory import territory_headline
from salesops.ui.time_allocation import time_headline


def pipeline_review_headline(filters: Filters) -> None:
    """Draws the last complete week's net pipeline change and slipped value, company-wide.

    The Overview's territory/segment filters do not apply: the review scopes by people.
    """
    from datetime import UTC, datetime

    import streamlit as st

    from salesops.formatting import format_change
    from salesops.repository import Repository
    from salesops.review_report import default_week, review_waterfall
    from salesops.ui.cache import cached_call, settings
    from salesops.ui.nav import page_link

    bounds = cached_call(Repository.history_bounds)
    if bounds["last"] is None:
        st.caption("No opportunity history yet.")
        return
    week = default_week(datetime.now(UTC).date(), bounds["last"])
    waterfall = cached_call(review_waterfall, week)
    currency = settings().currency
    net, slipped = float(waterfall.net_change), float(waterfall.slipped)
    left, right = st.columns(2)
    left.metric(
        f"Net pipeline change, {week.label}",
        format_change(net, "money", currency),
        help=f"Closing minus opening {waterfall.quarter.label} pipeline for the week.",
        border=True,
    )
    right.metric(
        "Slipped out of the quarter",
        format_change(slipped, "money", currency),
        help=f"{waterfall.deals.get('slipped', 0)} deal(s) moved their close out of "
        f"{waterfall.quarter.label}.",
        border=True,
    )
    page_link(
        "pages/pipeline_review.py",
        "Pipeline review: the waterfall and the deals",
        ":material/event_note:",
    )


HEADLINES: list[tuple[str, Callable[[Filters], None]]] = [
    ("Forecast vs quota", forecast_headline),
    ("Territory balance", territory_headline),
    ("Rep time", time_headline),
    ("This week's pipeline", pipeline_review_headline),
]
