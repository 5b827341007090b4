"""AppTest: every table on every page goes through the formatting layer (salesops/ui/tables.py).

Each shown column has a human label (no underscore, no internal id), numbers carry a
format, and no cell reads "None" or "nan"; so do the summary tables drawn as text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.app.conftest import each_tab, text_tables

PAGES = Path(__file__).resolve().parents[2] / "pages"
FORMATTED = {"number", "date", "datetime"}


def check_tables(at, page: str) -> int:
    checked = 0
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        shown = list(frame.proto.column_order)
        assert shown, f"{page}: a table without column_order bypassed the formatting layer"
        for name in shown:
            column = config.get(name)
            assert column and column.get("label"), f"{page}: {name} has no label"
            label = column["label"]
            assert "_" not in label, f"{page}: header {label!r}"
            kind = column.get("type_config", {}).get("type")
            if kind in FORMATTED:
                assert column["type_config"].get("format"), f"{page}: {label} unformatted"
            values = frame.value[name] if name in frame.value.columns else []
            raw = {str(v) for v in values if isinstance(v, str)}
            assert not raw & {"None", "nan", "NaT", "True", "False"}, f"{page}: {label} {raw}"
        checked += 1
    return checked + check_static_tables(at, page)


def check_static_tables(at, page: str) -> int:
    """Checks the summary tables drawn as text (show_summary_table): the same rules."""
    tables = text_tables(at)
    for table in tables:
        for header in table.columns:
            assert header and "_" not in header, f"{page}: header {header!r}"
        cells = set(table.to_numpy().ravel())
        assert not cells & {"None", "nan", "NaT", "True", "False", ""}, f"{page}: {cells}"
    return len(tables)


def _every_territory(at):
    """Opens the Forecast page's Every territory tab (only the open tab is drawn)."""
    at.session_state["forecast.tabs"] = "Every territory"
    return at.run()


@pytest.mark.parametrize(
    ("page", "interact"),
    [
        ("kpis.py", None),
        ("territory.py", None),
        ("time_allocation.py", None),
        ("pipeline_review.py", None),
        ("data.py", None),
        pytest.param(
            "forecast.py",
            lambda at: _every_territory(at).toggle(key="forecast.all_territories").set_value(True),
            marks=pytest.mark.slow,
        ),
    ],
)
def test_every_table_has_human_headers_and_formatted_cells(run_page, demo_url, page, interact):
    at = run_page(str(PAGES / page), demo_url)
    assert not at.exception
    if interact is not None:
        at = interact(at).run()
        assert not at.exception
    # tables in lazy tabs are drawn only once their tab is open
    assert sum(check_tables(drawn, page) for drawn in each_tab(at, page)) >= 1


def _wide_table_in_an_expander() -> None:
    """A text table of 10 columns (more than Settings.static_table_columns) in an expander."""
    import pandas as pd

    from salesops.config import Settings
    from salesops.ui.lazy import lazy_expander, lazy_toggle
    from salesops.ui.tables import show_summary_table

    frame = pd.DataFrame({f"amount_{i}": [1000.0 * i, 2000.0 * i] for i in range(10)})
    with lazy_expander("By rep", "outer") as shown:
        if shown:
            show_summary_table(frame, key="wide", settings=Settings(), all_columns=lazy_toggle)


def test_a_wide_text_table_in_an_expander_opens_every_column_without_a_nested_expander():
    from streamlit.testing.v1 import AppTest

    from salesops.config import Settings

    at = AppTest.from_function(_wide_table_in_an_expander, default_timeout=60)
    at.session_state["outer"] = True  # the page's expander opened
    at.run()
    assert not at.exception
    assert [e.label for e in at.expander] == ["By rep"]  # nothing nested in it
    (text,) = text_tables(at)
    assert len(text.columns) == Settings().static_table_columns < 10
    assert not at.dataframe  # the grid is drawn when asked
    (toggle,) = at.toggle
    assert toggle.label == "All 10 columns"
    toggle.set_value(True).run()
    assert not at.exception
    (grid,) = at.dataframe
    assert len(grid.value.columns) == 10 and len(grid.value) == 2
    assert [e.label for e in at.expander] == ["By rep"]
