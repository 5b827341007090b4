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
