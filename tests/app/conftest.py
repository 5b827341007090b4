"""AppTest helpers: run a page file against a given database URL."""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from salesops.ui import cache
from salesops.ui.cache import clear_cache
from salesops.ui.filters import OPEN as FILTERS_OPEN
from tests.html_tables import read_tables


def join_prefetches(timeout: float = 120) -> None:
    """Waits for the background reads pages started (salesops.ui.cache.prefetch) to end."""
    for thread in threading.enumerate():
        if thread.name.startswith("prefetch "):
            thread.join(timeout=timeout)


def open_filters(at: AppTest) -> AppTest:
    """Opens the sidebar's "Change filters" (only then are its widgets drawn); reruns `at`."""
    at.session_state[FILTERS_OPEN] = True
    return at.run()


@pytest.fixture
def run_page(monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Returns run(path, url, query=None) -> the AppTest after one run of that page."""

    def run(path: str, url: str, query: dict | None = None, timeout: float = 120) -> AppTest:
        monkeypatch.setenv("SALESOPS_DATABASE_URL", url)
        # reads started after the paint begin at once here (tests/app/test_prefetch times it)
        monkeypatch.setattr(cache, "BACKGROUND_DELAY_SECONDS", 0.0)
        join_prefetches()  # a page's background reads end before the next test's cold cache
        clear_cache()
        at = AppTest.from_file(path, default_timeout=timeout)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        return at.run()

    return run


def older_schema_copy(url: str, folder: Path, missing_table: str, version: int) -> str:
    """Returns the URL of a copy of a SQLite database made to look like an older schema.

    The copy lacks `missing_table` (added by a later schema) and records `version`.
    """
    from salesops.db.engine import make_engine

    path = folder / "old.db"
    shutil.copy(make_url(url).database, path)
    copy = f"sqlite:///{path}"
    engine = make_engine(copy)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE {missing_table}"))
        conn.execute(
            sa.text("UPDATE salesops_meta SET value = :v WHERE key = 'schema_version'"),
            {"v": str(version)},
        )
    engine.dispose()
    return copy


def shown(markdown: str) -> str:
    """Returns Markdown as a reader sees it: md()'s escapes and zero-width spaces removed."""
    return re.sub(r"\\([^\w\s])", r"\1", markdown).replace("\u200b", "")


# The session-state key of each page's lazy tabs (salesops.ui.lazy.lazy_tabs): only the open
# tab is drawn, so a test that checks everything a page draws opens each tab in turn.
LAZY_TABS = {
    "kpis": "kpis.tabs",
    "cash": "cash.tabs",
    "territory": "territory.tabs",
    "plan": "plan.tabs",
    "forecast": "forecast.tabs",
    "data": "data.tabs",
    "time_allocation": "time.tabs",
    "pipeline_review": "pipeline_review.tabs",
}


def each_tab(at: AppTest, page: str) -> Iterator[AppTest]:
    """Yields the page as drawn, then after opening each other lazy tab (none: as drawn)."""
    yield at
    key = LAZY_TABS.get(Path(page).stem)
    if key is None:
        return
    for label in [t.label for t in at.tabs][1:]:
        at.session_state[key] = label
        at.run()
        assert not at.exception, (page, label)
        yield at


def text_tables(at: AppTest) -> list[pd.DataFrame]:
    """Returns the summary tables drawn as text (show_summary_table's HTML): cells as shown."""
    return [
        pd.DataFrame(table.texts, columns=table.labels)
        for element in at.get("html")
        for table in read_tables(element.proto.body)
    ]


def sqlite_rows(url: str, sql: str, *params: object) -> list[tuple]:
    """Returns the rows of plain `sql` on the SQLite database at `url` (a test's own check)."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        return connection.execute(sql, params).fetchall()


def text_number(text: str) -> float:
    """Returns a number shown as text ("$1,200", "93.1%", "2,021 h"; "—" is NaN)."""
    digits = re.sub(r"[^\d.+-]", "", text)
    return float(digits) if digits else float("nan")


def territories_shown(at: AppTest) -> pd.DataFrame:
    """Returns the Territory page's territories table (text): territory, flag, utilisation (%)."""
    shown = next(t for t in text_tables(at) if "Flag" in t.columns)
    return pd.DataFrame(
        {
            "territory": shown["Territory"],
            "flag": shown["Flag"],
            "utilisation": shown["Utilisation"].map(text_number),
            "accounts": shown["Accounts"].map(text_number),
        }
    )


def count_stored_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts every computation of a stored call (pages' caches call these by name).

    Returns the counts by call name, filled in as the page runs.
    """
    from salesops.overview_store import stored_names

    counts: dict[str, int] = {}
    for name in stored_names():
        module, _, qualname = name.rpartition(".")
        fn = getattr(__import__(module, fromlist=[qualname]), qualname)

        def call(*args, _fn=fn, _name=name, **kwargs):
            counts[_name] = counts.get(_name, 0) + 1
            return _fn(*args, **kwargs)

        monkeypatch.setitem(cache.CACHED_FUNCTIONS, name, call)
    return counts


def shown_on_page(at: AppTest, warnings: bool = True, tabs: bool = True) -> list:
    """Returns what a page shows: every tile, sentence, caption, summary table (warning, tab
    title), in order."""
    notes = (*at.markdown, *at.caption, *at.info, *(at.warning if warnings else ()))
    return (
        [(m.label, m.value, m.delta) for m in at.metric]
        + [(label, *texts) for label, texts in html_tiles(at).items()]
        + [e.value for e in notes]
        + [(tuple(t.columns), *map(tuple, t.to_numpy().tolist())) for t in text_tables(at)]
        + ([t.label for t in at.tabs] if tabs else [])
    )


def _cell_text(cell: str) -> str:
    """Returns a figure table cell as shown: no bold, colour directive or escaping."""
    cell = re.sub(r"^:[a-z]+\[(.*)\]$", r"\1", cell.strip().replace("**", ""))
    return re.sub(r"\\(.)", r"\1", cell)


def figure_tables(at: AppTest) -> dict[str, list[str]]:
    """Returns the figures a page shows as Markdown tables (salesops.ui.figure_table).

    By label: the column's cells below it as shown (value, then note and caption if any).
    """
    figures: dict[str, list[str]] = {}
    for element in at.markdown:
        rows = [line for line in element.value.split("\n") if line.startswith("| ")]
        if len(rows) < 3:
            continue
        cells = [[_cell_text(c) for c in re.split(r"(?<!\\)\|", row.strip()[1:-1])] for row in rows]
        for column, label in enumerate(cells[0]):
            figures[label] = [row[column] for row in cells[2:]]
    return figures


def html_tiles(at: AppTest) -> dict[str, list[str]]:
    """Returns the KPI tiles drawn as HTML (salesops.ui.kpis.kpi_tiles) by label.

    Each tile's texts as shown: value, then its change, why it is undefined and definition.
    """
    tiles: dict[str, list[str]] = {}
    for element in at.get("html"):
        for chunk in element.proto.body.split('<div role="group" aria-label="')[1:]:
            texts = [html.unescape(t) for t in re.findall(r">([^<>]+)<", chunk)]
            tiles[texts[0]] = texts[1:]
    return tiles


def figures_shown(at: AppTest) -> dict[str, str]:
    """Returns every figure a page shows by label: its tiles' and figure tables' values."""
    tables = {label: cells[0] for label, cells in figure_tables(at).items()}
    tiles = {label: texts[0] for label, texts in html_tiles(at).items()}
    return {**{m.label: m.value for m in at.metric}, **tiles, **tables}
