"""Headlines other pages contribute to the Overview: one small function per page.

Each function takes the Overview's Filters, draws at most a few st.metric tiles and a
link to its page, and handles its own empty state. HEADLINES lists them in page order.
"""

from __future__ import annotations

from collections.abc import Callable

from salesops.ui.filters import Filters

HEADLINES: list[tuple[str, Callable[[Filters], None]]] = []
