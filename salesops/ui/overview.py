"""Overview page UI: the headline each other page contributes, in page order.

Each function takes the Overview's Filters, draws at most a few st.metric tiles and a
link to its page, and handles its own empty state. HEADLINES lists them in page order.
"""

from __future__ import annotations

from collections.abc import Callable

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
