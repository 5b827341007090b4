"""KPIs page UI: tiles (value, change, definition, — plus reason) and the drill-through scope."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

import streamlit as st

from salesops.figures import Figure
from salesops.formatting import EM_DASH, format_change, format_value, is_material
from salesops.kpis.metrics import Kpi
from salesops.repository import Scope
from salesops.ui.cache import settings


def kpi_tile(
    kpi: Kpi,
    current: Figure,
    previous: Figure,
    change: float | None,
    currency: str,
) -> None:
    """Draws one KPI tile with its delta and its one-line definition beside it.

    The delta is green or red by whether the KPI is better higher or lower, and grey when
    the change is below the noise thresholds (Settings.change_noise_pp / _share).
    """
    delta = format_change(change, kpi.unit, currency)
    config = settings()
    material = is_material(
        change, previous.value, kpi.unit, config.change_noise_pp, config.change_noise_share
    )
    colour: Literal["normal", "inverse", "off"] = "off"
    if material:
        colour = "normal" if kpi.higher_is_better else "inverse"
    st.metric(
        kpi.label,
        format_value(current.value, kpi.unit, currency),
        delta=delta,
        delta_color=colour,
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


def empty_trend_sentence(label: str, current: Figure) -> str:
    """Returns the sentence shown instead of a trend chart with no defined month."""
    reason = f": {current.reason}" if current.value is None and current.reason else ""
    return f"No month in the period has a {label} to chart{reason}."


def drill_scope(scope: Scope, by: str, key: object) -> tuple[Scope, str | None]:
    """Returns (scope narrowed to the breakdown row, channel or None) for a selected row."""
    if by == "rep":
        return replace(scope, rep_ids=(int(str(key)),)), None
    if by == "territory":
        return replace(scope, territory_ids=(int(str(key)),)), None
    if by == "segment":
        return replace(scope, segments=(str(key),)), None
    return scope, str(key)
