"""KPI tiles: value, change against the previous period, definition, — plus reason if undefined."""

from __future__ import annotations

import streamlit as st

from salesops.figures import Figure
from salesops.formatting import EM_DASH, format_change, format_value
from salesops.metrics import Kpi


def kpi_tile(
    kpi: Kpi,
    current: Figure,
    previous: Figure,
    change: float | None,
    currency: str = "USD",
) -> None:
    """Draws one KPI tile with its delta and its one-line definition beside it."""
    delta = format_change(change, kpi.unit, currency)
    st.metric(
        kpi.label,
        format_value(current.value, kpi.unit, currency),
        delta=delta,
        delta_color="normal" if kpi.higher_is_better else "inverse",
        help=kpi.definition,
        border=True,
    )
    if current.value is None:
        st.caption(f"{EM_DASH} {current.reason}")
    elif current.reason:
        st.caption(current.reason)
    elif previous.value is None:
        st.caption(f"Previous period: {previous.reason}")
    st.caption(f"_{kpi.definition}_")
