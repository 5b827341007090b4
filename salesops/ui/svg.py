"""Drawing the inline-SVG charts (salesops.charts.svg_lines): one helper, one reason.

st.html sanitizes with DOMPurify's HTML profile, which drops SVG; Streamlit's Markdown with
`unsafe_allow_html` keeps it. The charts' HTML is built by salesops.charts from figures
and escaped text only (`svg_lines.esc`), never from raw user input.
"""

from __future__ import annotations

import streamlit as st


def draw_svg(html: str) -> None:
    """Draws a chart of salesops.charts.svg_lines (inline SVG in HTML) on the page."""
    st.markdown(html, unsafe_allow_html=True)
