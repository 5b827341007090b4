"""The app's table layer: display values, formats and "—" with the reason in the tooltip."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.tables import Col
from salesops.ui.tables import table_view

FRAME = pd.DataFrame(
    {
        "rep": ["Ana", "Ben"],
        "win_rate": [0.211, 0.5],
        "cac": [1200.0, None],
        "cac_reason": [None, "no new customers"],
        "change": [-1500.0, 2500.0],
        "amount": [100.0, -50.0],
        "closed_at": pd.to_datetime(["2026-03-04 00:00:00", "2026-03-05 00:00:00"]),
    }
)


def test_numbers_keep_their_values_and_get_a_format():
    view = table_view(FRAME, "USD")
    assert view.order == ["rep", "win_rate", "cac", "change", "amount", "closed_at"]
    assert view.frame["win_rate"].tolist() == pytest.approx([21.1, 50.0])  # %, sorts as numbers
    assert view.config["win_rate"]["type_config"]["format"] == "%.1f%%"
    assert view.config["change"]["label"] == "Change ($)"
    assert view.config["change"]["type_config"]["format"] == "%+,.0f"
    # money with a negative value names the currency in the header, not "$-50"
    assert view.config["amount"]["label"] == "Amount ($)"
    assert view.config["closed_at"]["type_config"]["format"] == "D MMM YYYY"


def test_an_undefined_value_is_a_dash_with_the_reason_in_the_header():
    view = table_view(FRAME, "USD")
    assert view.frame["cac"].tolist() == ["$1,200", "—"]
    assert view.config["cac"]["help"] == "— = undefined: no new customers."
    assert "cac_reason" not in view.order


def test_money_in_a_currency_without_a_symbol():
    view = table_view(FRAME[["win_rate", "change"]].assign(total=[1.0, 2.0]), "CHF")
    assert view.config["total"]["type_config"]["format"] == "%,.0f CHF"
    assert view.config["change"]["label"] == "Change (CHF)"


def test_a_missing_date_is_a_dash_not_none():
    frame = pd.DataFrame(
        {
            "start": pd.to_datetime(["2027-01-04", None]),
            "undone_at": pd.to_datetime(["2026-11-20 14:05", None]),
        }
    )
    specs = {"start": Col("Start", "date"), "undone_at": Col("Undone", "datetime")}
    view = table_view(frame, "USD", specs)
    assert view.frame["start"].tolist() == ["4 Jan 2027", "—"]
    assert view.frame["undone_at"].tolist() == ["20 Nov 2026, 14:05", "—"]


def test_a_static_table_has_the_grids_headers_and_full_text_cells():
    """Issue 21: a summary table drawn as Markdown (no grid) shows what the grid shows."""
    from salesops.ui.tables import static_table

    table, notes = static_table(FRAME.assign(rep=["Ana | x", "*Ben*"]), "USD")
    assert table.split("\n") == [
        "| Rep | Win rate | CAC | Change (\\$) | Amount (\\$) | Closed |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        "| Ana \\| x | 21\\.1% | \\$1,200 | \\-\\$1,500 | \\$100 | 4 Mar 2026 |",
        "| \\*Ben\\* | 50\\.0% | — | \\+\\$2,500 | \\-\\$50 | 5 Mar 2026 |",
    ]
    assert notes == "**CAC**: — = undefined\\: no new customers."  # the grid's header help


def test_a_static_tables_numbers_do_not_wrap_and_definitions_go_to_its_help():
    from salesops.ui.tables import static_table

    frame = pd.DataFrame({"hours": [1160.0], "coverage": [1.5]})
    table, notes = static_table(frame, "USD")
    assert table.split("\n")[2] == "| 1,160\u00a0h | 1\\.5× |"
    assert notes == "**Coverage**: Pipeline ÷ quota still to win."


def test_a_static_table_colours_a_flag_column_as_the_grid_does():
    from salesops.charts.territory import FLAG_COLOURS, FLAG_TONES
    from salesops.ui.tables import static_table

    assert set(FLAG_TONES) == set(FLAG_COLOURS)  # every flag the grid colours, named
    frame = pd.DataFrame({"territory": ["East", "West"], "flag": ["over-loaded", "fine"]})
    table, _ = static_table(frame, "USD", highlight=("flag", {"over-loaded": "red"}))
    assert table.split("\n")[2:] == [
        "| East | :red-background[over-loaded] |",
        "| West | fine |",
    ]
