"""A headline's figures as one Markdown table: how the Overview's lower sections draw theirs.

Each st.metric tile is its own element for the browser to lay out (its label, value, delta
and help icon each rendered as Markdown); the Overview's five page headlines drew 14 of
them, which took ~0.8 s of a new tab's drawing in chromium (issue 21, measured with
bench/warm_phases.py). `draw_figures` draws a headline's sentence and the same figures as
one Markdown element: labels as the table's header, values in bold, each value's note
(its change or its comparison, coloured by tone) and caption on the rows below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from salesops.ui.markdown import md

DEFINITIONS = ":small[:gray[What these figures mean]]"
TONE_COLOURS = {"good": "green", "bad": "red", "neutral": "gray", "none": "gray"}


@dataclass(frozen=True)
class Tile:
    """One figure of a headline: its label, formatted value, note under it and definition.

    `tone` colours the note: good green, bad red, anything else grey.
    """

    label: str
    value: str
    note: str | None = None
    tone: str = "none"
    caption: str | None = None
    help: str | None = None


def toned(text: str, tone: str) -> str:
    """Returns Markdown of `text` coloured by its tone (good green, bad red, else grey)."""
    return f":{TONE_COLOURS.get(tone, 'gray')}[{text}]"


def figures_markdown(tiles: Sequence[Tile]) -> str:
    """Returns the tiles as a one-column-per-tile Markdown table (every text escaped)."""
    rows = [
        [md(t.label) for t in tiles],
        [":--" for _ in tiles],
        [f"**{md(t.value)}**" for t in tiles],
    ]
    if any(t.note for t in tiles):
        rows.append([toned(md(t.note), t.tone) if t.note else "" for t in tiles])
    if any(t.caption for t in tiles):
        rows.append([md(t.caption) if t.caption else "" for t in tiles])
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def figures_help(tiles: Sequence[Tile]) -> str | None:
    """Returns the tiles' definitions, one line each ("**label**: help"), or None if none."""
    lines = [f"**{md(t.label)}**: {md(t.help, limit=1000)}" for t in tiles if t.help]
    return "\n\n".join(lines) or None


def draw_figures(tiles: Sequence[Tile], sentence: str | None = None) -> None:
    """Draws a headline's sentence (Markdown, already escaped) and its figures as one element."""
    parts = [sentence] if sentence else []
    parts.append(figures_markdown(tiles))
    definitions = figures_help(tiles)
    if definitions:  # Streamlit puts the help icon after a paragraph, never after a table
        parts.append(DEFINITIONS)
    st.markdown("\n\n".join(parts), help=definitions)
