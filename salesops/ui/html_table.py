"""A short table as HTML for st.html: how show_summary_table draws its tables as text.

A Markdown table is parsed in the browser (react-markdown) before it is drawn; the same
table as an HTML <table> is inserted as is (st.html sanitizes it with DOMPurify). Territory
balance's warm new tab drew 28-79 ms sooner that way at 1M deals, its main thread busy
~60 ms less after the script (issue 21, bench/warm_phases.py --profile).

Every label, cell and note is HTML-escaped here (values come from imported CRM data). The
style is Streamlit's Markdown table's on the light theme (16 px, cells padded 6 px 12 px,
1 px borders at 10% of the text colour); numbers are right-aligned and do not wrap. The
columns' definitions are each header's tooltip (`title`) and a "What the columns mean"
disclosure under the table, which keyboards and screen readers reach too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

CLASS = "salesops-table"
DEFINITIONS = "What the columns mean"
# Streamlit's Markdown colour names (as :red-background[...] takes them) -> background and
# text colours that read on the light theme (text contrast >= 4.5:1 on its background).
TONES = {
    "red": ("#fde2e2", "#9b1c1c"),
    "orange": ("#fdebd8", "#8a4100"),
    "yellow": ("#fbf3cf", "#6b5200"),
    "green": ("#dff3e4", "#1d6535"),
    "blue": ("#dfeafb", "#1a4f93"),
    "violet": ("#ece3fa", "#57309a"),
    "gray": ("#ececec", "#4a4a4a"),
    "grey": ("#ececec", "#4a4a4a"),
}
_LINE = "1px solid color-mix(in srgb, currentColor 10%, transparent)"
STYLE = (
    f"<style>.{CLASS}{{border-collapse:collapse;font-size:1rem;margin:0 0 0.5rem}}"
    f".{CLASS} th,.{CLASS} td{{border:{_LINE};padding:0.375rem 0.75rem;text-align:left;"
    "vertical-align:middle}"
    f".{CLASS} th{{font-weight:700}}"
    f".{CLASS} .num{{text-align:right}}"
    f".{CLASS} td.num{{white-space:nowrap}}"
    f".{CLASS} td span{{padding:0.125rem 0.25rem;border-radius:0.25rem;white-space:nowrap}}"
    f".{CLASS}-notes summary{{cursor:pointer;font-size:0.875rem;opacity:0.7}}"
    f".{CLASS}-notes p{{font-size:0.875rem;margin:0.25rem 0}}</style>"
)


@dataclass(frozen=True)
class Column:
    """One column of a table: its header, whether it holds numbers, and its definition."""

    label: str
    numeric: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Cell:
    """One cell as shown; `tone` (a Streamlit colour name, e.g. "red") colours it."""

    text: str
    tone: str | None = None


def _cell(cell: Cell, numeric: bool) -> str:
    """Returns one <td>: the text escaped, in a coloured span if it has a known tone."""
    text = escape(cell.text)
    colours = TONES.get(cell.tone or "")
    if colours:
        text = f'<span style="background:{colours[0]};color:{colours[1]}">{text}</span>'
    return f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>"


def _header(column: Column) -> str:
    """Returns one <th>, its definition as the tooltip."""
    attrs = ' scope="col"' + (' class="num"' if column.numeric else "")
    if column.note:
        attrs += f' title="{escape(column.note)}"'
    return f"<th{attrs}>{escape(column.label)}</th>"


def html_table(columns: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> str:
    """Returns the table as HTML for st.html, its columns' definitions under it (if any)."""
    head = "".join(_header(c) for c in columns)
    body = "".join(
        "<tr>"
        + "".join(_cell(cell, c.numeric) for c, cell in zip(columns, row, strict=True))
        + "</tr>"
        for row in rows
    )
    table = f'<table class="{CLASS}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    notes = "".join(f"<p><b>{escape(c.label)}</b>: {escape(c.note)}</p>" for c in columns if c.note)
    if notes:
        table += f'<details class="{CLASS}-notes"><summary>{DEFINITIONS}</summary>{notes}</details>'
    return STYLE + table
