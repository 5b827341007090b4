"""KPIs page UI: tiles (value, change, definition, — plus reason) and the drill-through scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from html import escape
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
    for note in tile_notes(current, previous):
        st.caption(note)
    st.caption(f"_{kpi.definition}_")


def tile_notes(current: Figure, previous: Figure) -> list[str]:
    """Returns the notes a tile shows under its value ([] when nothing needs saying).

    Why the figure is undefined, or its caveat, or why there is no change (the previous
    period undefined).
    """
    if current.value is None:
        return [f"{EM_DASH} {current.reason}"]
    if current.reason:
        return [current.reason]
    if previous.value is None:
        return [f"Previous period: {previous.reason}"]
    return []


# A delta's colours, readable on the light and the dark theme (contrast >= 4:1 on both)
TONES = {"good": "#0a8a35", "bad": "#e0282e", "off": "rgba(128,128,128,0.95)"}


def tile_html(kpi: Kpi, current: Figure, previous: Figure, change: float | None,
              currency: str) -> str:  # fmt: skip
    """Returns one KPI tile as HTML: label, value, delta, why undefined, and the definition.

    What kpi_tile draws with st.metric, without st.metric's scripts (issue 21): the delta
    green or red by whether the KPI is better higher or lower (an arrow says its sign, so
    colour is not the only cue), grey below the noise thresholds; the definition written
    under the figure, visible.
    """
    config = settings()
    delta = format_change(change, kpi.unit, currency)
    tone = "off"
    if is_material(change, previous.value, kpi.unit, config.change_noise_pp,
                   config.change_noise_share):  # fmt: skip
        rising = float(change or 0.0) > 0
        tone = "good" if rising == kpi.higher_is_better else "bad"
    notes = tile_notes(current, previous)
    arrow = "" if not delta or delta == "no change" else ("↑ " if delta.startswith("+") else "↓ ")
    delta_html = (
        f'<div style="font-size:0.875rem;color:{TONES[tone]}">{escape(arrow + delta)}</div>'
        if delta
        else ""
    )
    small = "font-size:0.8rem;opacity:0.7;margin-top:0.25rem"
    return (
        f'<div role="group" aria-label="{escape(kpi.label)}" style="border:1px solid '
        'rgba(128,128,128,0.3);border-radius:0.5rem;padding:0.75rem 1rem">'
        f'<div style="font-size:0.875rem">{escape(kpi.label)}</div>'
        f'<div style="font-size:1.75rem;line-height:1.3">'
        f"{escape(format_value(current.value, kpi.unit, currency))}</div>{delta_html}"
        + "".join(f'<div style="{small}">{escape(n)}</div>' for n in notes)
        + f'<div style="{small};font-style:italic">{escape(kpi.definition)}</div></div>'
    )


def kpi_tiles(tiles: Sequence[tuple[Kpi, Figure, Figure, float | None]], currency: str) -> None:
    """Draws KPI tiles (kpi, current, previous, change) as one HTML grid, at most four a row."""
    cells = "".join(tile_html(*tile, currency) for tile in tiles)
    st.html(
        '<div style="display:grid;grid-template-columns:repeat(auto-fill,'
        f'minmax(max(min(100%,11rem),calc((100% - 3rem) / 4)),1fr));gap:1rem">{cells}</div>'
    )


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
