"""Column specs: human labels, kinds, hidden ids and text tables for the meeting pack."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.tables import Col, column_specs, humanise, shown_columns, text_table

DEALS = pd.DataFrame(
    {
        "opportunity_id": [7, 8],
        "rep_id": [1, 2],
        "name": ["Acme renewal", "Globex expansion"],
        "amount": [24_849_300.0, 1_500.0],
        "created_at": pd.to_datetime(["2026-03-04", "2026-03-05"]),
        "win_rate": [0.211, None],
        "win_rate_reason": [None, "no closed deals"],
        "in_pipeline": [True, False],
        "outcome": ["won", "open"],
        "potential_per_rep": [1.0, 2.0],
    }
)


def test_headers_are_human_and_ids_are_not_shown():
    specs = column_specs(DEALS)
    shown = shown_columns(DEALS, specs)
    assert shown == [
        "name", "amount", "created_at", "win_rate", "in_pipeline", "outcome", "potential_per_rep",
    ]  # fmt: skip
    assert [specs[c].label for c in shown] == [
        "Name", "Amount", "Created", "Win rate", "In the quarter's pipeline", "Outcome",
        "Potential per rep",
    ]  # fmt: skip
    assert specs["potential_per_rep"].kind == "number"  # not in the registry: from the dtype


def test_a_table_may_relabel_or_show_a_column_it_needs():
    specs = column_specs(DEALS, {"name": "Deal", "rep_id": Col("Rep id")})
    assert specs["name"].label == "Deal" and specs["name"].kind == "text"
    assert "rep_id" in shown_columns(DEALS, specs, {"rep_id": Col("Rep id")})


def test_text_tables_format_every_cell_in_its_kind():
    table = text_table(DEALS, "USD")
    assert list(table.columns) == [
        "Name", "Amount", "Created", "Win rate", "In the quarter's pipeline", "Outcome",
        "Potential per rep",
    ]  # fmt: skip
    assert table.iloc[0].tolist() == [
        "Acme renewal", "$24,849,300", "4 Mar 2026", "21.1%", "Yes", "Won", "1",
    ]  # fmt: skip
    assert table.iloc[1]["Win rate"] == "—"
    assert table.iloc[1]["In the quarter's pipeline"] == "No"


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("new_customers", "New customers"),
        ("ltv_to_cac", "LTV to CAC"),
        ("bookings_12m", "Bookings (12 months)"),
    ],
)
def test_humanise(name, header):
    assert humanise(name) == header


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown column kind"):
        Col("Amount", "moneyy")
