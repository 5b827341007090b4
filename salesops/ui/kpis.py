"""KPIs page UI: tiles (value, change, definition, — plus reason) and the drill-through scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from html import escape

import streamlit as st

from salesops.figures import Figure
from salesops.formatting import EM_DASH, format_change, format_value, is_material
from salesops.kpis.metrics import Kpi
from salesops.repository import Scope
from salesops.ui.cache import settings


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


def tile_cell(
    label: str,
    value: str,
    said: Sequence[str] = (),
    tone: str = "off",
    notes: Sequence[str] = (),
    definition: str | None = None,
) -> str:
    """Returns one figure's tile as HTML: label, value, what is said of it, notes, definition.

    What st.metric drew, without its scripts (issue 21): `said` (the change, or the share
    of quota and the pace) in the tone's colour (TONES: good green, bad red, else grey),
    `notes` small under it, the definition written last, visible. Every text is escaped;
    the tile is a group named by its label.
    """
    colour = TONES.get(tone, TONES["off"])
    small = "font-size:0.8rem;opacity:0.7;margin-top:0.25rem"
    return (
        f'<div role="group" aria-label="{escape(label)}" style="border:1px solid '
        'rgba(128,128,128,0.3);border-radius:0.5rem;padding:0.75rem 1rem">'
        f'<div style="font-size:0.875rem">{escape(label)}</div>'
        f'<div style="font-size:1.75rem;line-height:1.3">{escape(value)}</div>'
        + "".join(f'<div style="font-size:0.875rem;color:{colour}">{escape(s)}</div>' for s in said)
        + "".join(f'<div style="{small}">{escape(n)}</div>' for n in notes)
        + (
            f'<div style="{small};font-style:italic">{escape(definition)}</div>'
            if definition
            else ""
        )
        + "</div>"
    )


def tile_html(kpi: Kpi, current: Figure, previous: Figure, change: float | None,
              currency: str) -> str:  # fmt: skip
    """Returns one KPI tile as HTML: label, value, delta, why undefined, and the definition.

    The delta green or red by whether the KPI is better higher or lower (an arrow says its
    sign, so colour is not the only cue), grey below the noise thresholds; the definition
    written under the figure, visible (tile_cell).
    """
    config = settings()
    delta = format_change(change, kpi.unit, currency)
    tone = "off"
    if is_material(change, previous.value, kpi.unit, config.change_noise_pp,
                   config.change_noise_share):  # fmt: skip
        rising = float(change or 0.0) > 0
        tone = "good" if rising == kpi.higher_is_better else "bad"
    arrow = "" if not delta or delta == "no change" else ("↑ " if delta.startswith("+") else "↓ ")
    return tile_cell(
        kpi.label,
        format_value(current.value, kpi.unit, currency),
        [arrow + delta] if delta else [],
        tone,
        tile_notes(current, previous),
        kpi.definition,
    )


def draw_tiles(cells: Sequence[str], per_row: int = 4) -> None:
    """Draws tiles (tile_cell's HTML) as one st.html grid: `per_row` a row, fewer when narrow."""
    gaps = f"{per_row - 1}rem"
    st.html(
        '<div style="display:grid;grid-template-columns:repeat(auto-fill,'
        f'minmax(max(min(100%,11rem),calc((100% - {gaps}) / {per_row})),1fr));gap:1rem">'
        f"{''.join(cells)}</div>"
    )


def kpi_tiles(tiles: Sequence[tuple[Kpi, Figure, Figure, float | None]], currency: str) -> None:
    """Draws KPI tiles (kpi, current, previous, change) as one HTML grid, at most four a row."""
    draw_tiles([tile_html(*tile, currency) for tile in tiles])


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
