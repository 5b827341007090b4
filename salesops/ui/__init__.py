"""Streamlit helpers shared by pages: the only Streamlit-importing part of the package."""

from __future__ import annotations
