"""Reads the tables in HTML (salesops.ui.html_table) as a browser shows them: tests' own parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class ReadCell:
    """One cell as shown: its text, its tag's attributes and its coloured span's style."""

    text: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    span_style: str | None = None


@dataclass
class ReadTable:
    """A table: header cells, body rows, and the paragraphs of the disclosure under it."""

    headers: list[ReadCell] = field(default_factory=list)
    rows: list[list[ReadCell]] = field(default_factory=list)
    summary: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [h.text for h in self.headers]

    @property
    def texts(self) -> list[list[str]]:
        return [[c.text for c in row] for row in self.rows]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[ReadTable] = []
        self.cell: ReadCell | None = None
        self.in_head = False
        self.text: list[str] | None = None  # a <summary> or <p> of the disclosure
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "style":
            self.in_style = True
        elif tag == "table":
            self.tables.append(ReadTable())
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr" and not self.in_head:
            self.tables[-1].rows.append([])
        elif tag in ("th", "td"):
            self.cell = ReadCell(attrs=values)
            table = self.tables[-1]
            (table.headers if self.in_head else table.rows[-1]).append(self.cell)
        elif tag == "span" and self.cell is not None:
            self.cell.span_style = values.get("style")
        elif tag in ("summary", "p") and self.tables:
            self.text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self.in_style = False
        elif tag == "thead":
            self.in_head = False
        elif tag in ("th", "td"):
            self.cell = None
        elif tag in ("summary", "p") and self.text is not None:
            text = "".join(self.text)
            if tag == "summary":
                self.tables[-1].summary = text
            else:
                self.tables[-1].notes.append(text)
            self.text = None

    def handle_data(self, data: str) -> None:
        if self.in_style:
            return
        if self.cell is not None:
            self.cell.text += data
        elif self.text is not None:
            self.text.append(data)


def read_tables(body: str) -> list[ReadTable]:
    """Returns every <table> in `body`, text unescaped, in order."""
    reader = _Reader()
    reader.feed(body)
    reader.close()
    return reader.tables
