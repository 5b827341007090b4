"""The app's table layer: display values, formats and "—" with the reason in the tooltip."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.tables import Col
from salesops.ui.tables import table_view
from tests.html_tables import read_tables

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


def _static(frame: pd.DataFrame, **kwargs):
    """Returns static_table's one table as a browser reads it (tests/html_tables.py)."""
    from salesops.ui.tables import static_table

    (table,) = read_tables(static_table(frame, "USD", **kwargs))
    return table


def test_a_static_table_has_the_grids_headers_and_full_text_cells():
    """Issue 21: a summary table drawn as text (HTML, no grid) shows what the grid shows."""
    table = _static(FRAME.assign(rep=["Ana | x", "*Ben*"]))
    assert table.labels == ["Rep", "Win rate", "CAC", "Change ($)", "Amount ($)", "Closed"]
    assert table.texts == [
        ["Ana | x", "21.1%", "$1,200", "-$1,500", "$100", "4 Mar 2026"],
        ["*Ben*", "50.0%", "—", "+$2,500", "-$50", "5 Mar 2026"],
    ]
    # numbers right-aligned (and kept on one line), text left
    assert [h.attrs.get("class") for h in table.headers] == [None, *["num"] * 4, None]
    assert [c.attrs.get("class") for c in table.rows[0]] == [None, *["num"] * 4, None]
    # the grid's header help: the header's tooltip, and listed under the table
    assert table.headers[2].attrs["title"] == "— = undefined: no new customers."
    assert table.summary == "What the columns mean"
    assert table.notes == ["CAC: — = undefined: no new customers."]


def test_a_static_tables_cells_headers_and_notes_are_text_not_html():
    """Imported CRM values show as typed: no element, entity or attribute comes from them."""
    from salesops.ui.tables import static_table

    hostile = "<script>alert(\"x\")</script> & 'q' <img src=x onerror=alert(1)>"
    frame = pd.DataFrame({"rep": [hostile, "A&amp;B"], "win_rate": [0.5, None]})
    frame["win_rate_reason"] = [None, hostile]
    columns = {"rep": Col('Rep <i>"owner"</i>', help="Who & <u>why</u>")}
    html = static_table(frame, "USD", columns)
    assert "<script" not in html and "<img" not in html and "<u>" not in html
    assert "<i>" not in html and "&amp;amp;" in html  # an entity in the data stays text
    (table,) = read_tables(html)
    assert table.labels == ['Rep <i>"owner"</i>', "Win rate"]
    assert table.texts == [[hostile, "50.0%"], ["A&amp;B", "—"]]
    assert table.headers[0].attrs["title"] == "Who & <u>why</u>"
    assert table.headers[1].attrs["title"] == f"— = undefined: {hostile}."
    assert table.notes == [
        'Rep <i>"owner"</i>: Who & <u>why</u>',
        f"Win rate: — = undefined: {hostile}.",
    ]


def test_a_static_tables_numbers_do_not_wrap_and_definitions_go_under_it():
    table = _static(pd.DataFrame({"hours": [1160.0], "coverage": [1.5]}))
    assert table.texts == [["1,160 h", "1.5×"]]
    assert [c.attrs.get("class") for c in table.rows[0]] == ["num", "num"]
    assert table.headers[1].attrs["title"] == "Pipeline ÷ quota still to win."
    assert table.notes == ["Coverage: Pipeline ÷ quota still to win."]


def test_a_static_table_without_definitions_has_no_disclosure():
    table = _static(pd.DataFrame({"territory": ["East"]}))
    assert table.summary is None and not table.notes
    assert "title" not in table.headers[0].attrs


def test_a_static_table_colours_a_flag_column_as_the_grid_does():
    from salesops.charts.territory import FLAG_COLOURS, FLAG_TONES
    from salesops.ui.html_table import TONES

    assert set(FLAG_TONES) == set(FLAG_COLOURS)  # every flag the grid colours, named
    assert set(FLAG_TONES.values()) <= set(TONES)  # and each name has CSS colours
    frame = pd.DataFrame({"territory": ["East", "West"], "flag": ["over-loaded", "fine"]})
    table = _static(frame, highlight=("flag", {"over-loaded": "red"}))
    assert table.texts == [["East", "over-loaded"], ["West", "fine"]]
    background, text = TONES["red"]
    assert table.rows[0][1].span_style == f"background:{background};color:{text}"
    assert table.rows[1][1].span_style is None and table.rows[0][0].span_style is None
