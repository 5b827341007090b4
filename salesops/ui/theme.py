"""The app's few style rules: full labels where Streamlit would cut them short.

Selected filter values (territory names such as "North America West Enterprise") wrap
instead of ending in "…" in the sidebar's narrow multiselects, and tab rows wrap instead
of hiding tabs behind a scroll arrow; so do the chosen values of any multiselect (the Rep
time what-if's activities) instead of scrolling out of sight. Tile labels and deltas, and
checkbox and toggle labels, wrap onto a second line instead of ending in "…"; a tile's
value shrinks with a narrow tile (five to a row at 1280 px) instead of being cut
("$103.…"). Only static CSS, never user text.
"""

from __future__ import annotations

import streamlit as st

CSS = """
<style>
[data-testid="stMultiSelect"] [data-tag] { max-width: 100%; height: auto; }
[data-testid="stMultiSelect"] [data-tag] > span[title] {
  white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.25;
}
[data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap; row-gap: 0.25rem; }
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMetricDelta"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricDelta"] [data-testid="stMarkdownContainer"] p,
[data-testid="stCheckbox"] [data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stCheckbox"] [data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"] p {
  white-space: normal; overflow: visible; text-overflow: clip;
}
[data-testid="stMultiSelectTagsContainer"] { flex-wrap: wrap; row-gap: 0.25rem; }
[data-testid="stMultiSelect"] div:has(> [data-testid="stMultiSelectTagsContainer"]) {
  max-height: none; height: auto;
}
[data-testid="stMetric"] { container-type: inline-size; }
[data-testid="stMetricValue"] { font-size: min(2.25rem, 15.5cqi); }
</style>
"""


def apply_theme() -> None:
    """Adds the app's style rules to the page (st.html with only a style block draws nothing)."""
    st.html(CSS)
