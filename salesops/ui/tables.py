"""Every table the app shows goes through here: human labels, units, and "—" for undefined.

Columns are described once in salesops/tables.py (label, kind, help); a page may override a
label for its table. Money is whole currency units in Settings.currency, ratios are %, pp
are percentage points, dates have no time of day, internal ids are not shown. A numeric
column holding an undefined value is shown as text with "—" in that cell and the reason
in the header's tooltip (such a column sorts as text). Downloads keep the raw frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from salesops.config import Settings
from salesops.formatting import EM_DASH, currency_affixes, format_date
from salesops.tables import (
    Col,
    column_specs,
    reason_column,
    shown_columns,
    text_cell,
    undefined_note,
)
from salesops.ui.html_table import Cell, Column, html_table
from salesops.ui.lazy import Opener, lazy_expander
from salesops.ui.markdown import one_line

NUMERIC = {
    "money",
    "money_change",
    "ratio",
    "pp",
    "days",
    "hours",
    "months",
    "count",
    "x",
    "number",
}
UNIT_WORDS = {"days": ("day", " days"), "hours": ("hour", " h"), "months": ("month", " mo")}


@dataclass(frozen=True)
class TableView:
    """A frame ready for st.dataframe: display values, column_config and column order."""

    frame: pd.DataFrame
    config: dict[str, Any] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)


def _numbers(column: pd.Series) -> pd.Series:
    """Returns the column as floats (values that are not numbers become NaN)."""
    return pd.to_numeric(column, errors="coerce").astype("float64")


def _printf(spec: Col, currency: str, negative: bool) -> str:
    """Returns the printf format of a numeric column (Streamlit's sprintf-js, "," = thousands)."""
    if spec.kind in UNIT_WORDS:
        word, suffix = UNIT_WORDS[spec.kind]
        unit = "" if word in spec.label.lower() else suffix
        decimals = 0 if spec.kind == "days" else spec.decimals
        return f"%,.{decimals}f{unit}"
    if spec.kind == "money":
        prefix, suffix = currency_affixes(currency)
        return "%,.0f" if negative else f"{prefix}%,.0f{suffix}"
    formats = {
        "money_change": "%+,.0f",
        "ratio": f"%{'+' if spec.signed else ''}.{spec.decimals}f%%",
        "pp": "%+.1f pp",
        "count": "%,.0f",
        "x": "%.2f×",
    }
    return formats.get(spec.kind, f"%,.{spec.decimals}f")


def _label(spec: Col, currency: str, negative: bool) -> str:
    """Returns the header; signed money names its currency there ("Change ($)")."""
    if spec.kind == "money_change" or (spec.kind == "money" and negative):
        prefix, suffix = currency_affixes(currency)
        return f"{spec.label} ({prefix or suffix.strip()})"
    return spec.label


def _number_column(frame: pd.DataFrame, name: str, spec: Col, currency: str) -> tuple:
    """Returns a numeric column's display values and config ("—" makes it text)."""
    values = _numbers(frame[name])
    negative = bool((values < 0).any())
    label = _label(spec, currency, negative)
    if values.isna().any():  # "—" needs text: every cell formatted the same way
        why = reason_column(frame, name)
        reasons = frame.loc[values.isna(), why] if why else []
        text = frame[name].map(lambda v: text_cell(v, spec, currency))
        return text, st.column_config.TextColumn(label, help=undefined_note(spec, reasons))
    scale = 100.0 if spec.kind in ("ratio", "pp") else 1.0
    fmt = _printf(spec, currency, negative)
    return values * scale, st.column_config.NumberColumn(label, format=fmt, help=spec.help)


def _column(frame: pd.DataFrame, name: str, spec: Col, currency: str) -> tuple:
    """Returns one column's display values and its column_config entry."""
    if spec.kind in NUMERIC:
        return _number_column(frame, name, spec, currency)
    if spec.kind in ("date", "datetime"):
        values = pd.to_datetime(frame[name], errors="coerce")
        if values.isna().any():  # a grid draws a missing date as "None": show "—" as text
            return values.map(lambda v: _date_text(v, spec.kind)), st.column_config.TextColumn(
                spec.label, help=spec.help
            )
    if spec.kind == "date":
        return values, st.column_config.DateColumn(spec.label, format="D MMM YYYY", help=spec.help)
    if spec.kind == "datetime":
        config = st.column_config.DatetimeColumn(
            spec.label, format="D MMM YYYY, HH:mm", help=spec.help
        )
        return values, config
    text = frame[name].map(lambda v: text_cell(v, spec, currency))
    return text, st.column_config.TextColumn(spec.label, help=spec.help)


def table_view(
    frame: pd.DataFrame,
    currency: str,
    columns: Mapping[str, Col | str] | None = None,
    order: Iterable[str] | None = None,
    hide: Iterable[str] = (),
) -> TableView:
    """Returns the frame as shown: labelled, formatted, ids and `hide` left out, in `order`."""
    specs = column_specs(frame, columns)
    shown = shown_columns(frame, specs, columns, order, hide)
    display = pd.DataFrame(index=frame.index)
    config: dict[str, Any] = {}
    for name in shown:
        display[name], config[name] = _column(frame, name, specs[name], currency)
    return TableView(display.reset_index(drop=True), config, shown)


def show_table(
    frame: pd.DataFrame,
    *,
    key: str,
    currency: str,
    columns: Mapping[str, Col | str] | None = None,
    order: Iterable[str] | None = None,
    hide: Iterable[str] = (),
    highlight: tuple[str, Mapping[str, str]] | None = None,
    **kwargs: Any,
) -> Any:
    """Draws `frame` through the formatting layer; returns st.dataframe's result.

    `columns` overrides the registry for this table (a Col, or just a label); `highlight`
    colours one column's cells by value (flags). Other arguments go to st.dataframe.
    """
    view = table_view(frame, currency, columns, order, hide)
    data: Any = view.frame
    if highlight is not None and highlight[0] in view.frame.columns:
        data = _coloured(view.frame, *highlight)
    return st.dataframe(
        data, hide_index=True, key=key, column_config=view.config, column_order=view.order, **kwargs
    )


def static_table(
    frame: pd.DataFrame,
    currency: str,
    columns: Mapping[str, Col | str] | None = None,
    order: Iterable[str] | None = None,
    hide: Iterable[str] = (),
    highlight: tuple[str, Mapping[str, str]] | None = None,
) -> str:
    """Returns the table as HTML for st.html: show_table's headers and cells (as text).

    Every cell is the meeting pack's text of the value (full amounts, "—" for undefined);
    numeric columns are right-aligned and do not wrap; each column's definition (or why a
    value is undefined, as the grid's header says) is its header's tooltip and is listed
    under the table. `highlight` colours one column's cells by value: (column, value ->
    Streamlit colour name such as "red").
    """
    specs = column_specs(frame, columns)
    shown = shown_columns(frame, specs, columns, order, hide)
    heads = []
    for name in shown:
        spec = specs[name]
        values = _numbers(frame[name]) if spec.kind in NUMERIC else None
        note = spec.help
        if values is not None and values.isna().any():  # "—": why, as the grid's header says
            why = reason_column(frame, name)
            note = undefined_note(spec, frame.loc[values.isna(), why] if why else [])
        negative = values is not None and bool((values < 0).any())
        label = _label(spec, currency, negative)
        heads.append(Column(label, values is not None, one_line(note, 400) if note else None))
    tones = {} if highlight is None else {highlight[0]: highlight[1]}
    rows = [
        [
            Cell(text_cell(v, specs[n], currency), tones.get(n, {}).get(str(v)))
            for n, v in zip(shown, row, strict=True)
        ]
        for row in frame[shown].itertuples(index=False)
    ]
    return html_table(heads, rows)


def show_summary_table(
    frame: pd.DataFrame,
    *,
    key: str,
    settings: Settings,
    columns: Mapping[str, Col | str] | None = None,
    order: Iterable[str] | None = None,
    hide: Iterable[str] = (),
    brief: Sequence[str] | None = None,
    highlight: tuple[str, Mapping[str, str]] | None = None,
    tones: Mapping[str, str] | None = None,
    all_columns: Opener = lazy_expander,
) -> None:
    """Draws a short table as static text (Settings.static_table_rows at most), else a grid.

    A grid (st.dataframe) costs a new tab ~0.5 s in the browser: its script, its canvas and an
    accessibility tree drawn 200 ms after the rest; a short table as HTML (st.html, not a
    Markdown table the browser parses) costs little (issue 21). Same labels and cells as
    show_table, the columns' definitions in the headers' tooltips and under the table; no
    sorting (the CSV download beside it has the raw values).
    A text table of more than Settings.static_table_columns columns would run past the page:
    it shows the `brief` columns (else the first ones), and every column in a grid drawn when
    `all_columns` opens: an expander by default; a caller drawing inside an expander passes
    salesops.ui.lazy.lazy_toggle (expanders are not nested). Money is in Settings.currency.
    `highlight` colours one column's cells by value in the grid (CSS colours) and `tones`
    the same values as text (Streamlit colour names: salesops.ui.html_table.TONES).
    """
    currency = settings.currency
    if len(frame) > settings.static_table_rows:
        show_table(
            frame,
            key=key,
            currency=currency,
            columns=columns,
            order=order,
            hide=hide,
            highlight=highlight,
        )
        return
    shown = shown_columns(frame, column_specs(frame, columns), columns, order, hide)
    text_columns = [c for c in (brief or shown) if c in shown][: settings.static_table_columns]
    text_highlight = None if highlight is None or tones is None else (highlight[0], tones)
    table = static_table(frame, currency, columns, text_columns, hide, text_highlight)
    with st.container(key=key):
        st.html(table)
    if len(shown) > len(text_columns):
        with all_columns(f"All {len(shown)} columns", f"{key}.all_columns") as opened:
            if opened:
                show_table(
                    frame,
                    key=f"{key}.grid",
                    currency=currency,
                    columns=columns,
                    order=shown,
                    highlight=highlight,
                )


def _coloured(frame: pd.DataFrame, column: str, colours: Mapping[str, str]) -> Any:
    """Returns a Styler colouring `column` by value, the rest untouched."""

    def colour(value: object) -> str:
        """Returns the CSS of one cell: its value's colour, or nothing."""
        chosen = colours.get(str(value))
        return f"background-color: {chosen}; color: white" if chosen else ""

    return frame.style.map(colour, subset=[column])


def _date_text(value: object, kind: str) -> str:
    """Returns a date cell as text ("4 Mar 2026", with ", 14:05" for a datetime); — if missing."""
    text = format_date(value)
    if kind == "datetime" and text != EM_DASH:
        text += f", {pd.Timestamp(value):%H:%M}"
    return text
