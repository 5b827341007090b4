"""The app's few style rules: full labels where Streamlit would cut them short.

Selected filter values (territory names such as "North America West Enterprise") wrap
instead of ending in "…" in the sidebar's narrow multiselects, and tab rows wrap instead
of hiding tabs behind a scroll arrow. Only static CSS, never user text.
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
</style>
"""


def apply_theme() -> None:
    """Adds the app's style rules to the page (st.html with only a style block draws nothing)."""
    st.html(CSS)
