"""Accounts without a territory take the territory of the reps holding most of their deals."""

from __future__ import annotations

import pandas as pd

from salesops.importing.account_territories import InferredTerritories, territory_by_deals


def counts(rows: list[tuple[object, object, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["account_id", "territory_id", "deals"])


def test_the_territory_holding_most_deals_wins():
    chosen = territory_by_deals(
        counts([(1, 10, 3), (1, 20, 5), (2, 10, 7), (2, 30, 1), (3, 30, 2)])
    )
    assert chosen.to_dict() == {1: 20, 2: 10, 3: 30}
    assert chosen.dtype == "int64"


def test_ties_go_to_the_lowest_territory_id_whatever_the_row_order():
    rows = [(5, 30, 4), (5, 20, 4), (5, 10, 1), (6, 40, 2), (6, 15, 2)]
    assert territory_by_deals(counts(rows)).to_dict() == {5: 20, 6: 15}
    assert territory_by_deals(counts(rows[::-1])).to_dict() == {5: 20, 6: 15}


def test_deals_without_a_territory_or_account_do_not_count():
    rows = [(1, None, 9), (1, 20, 1), (None, 10, 5), (2, None, 3), (3, 10, 0)]
    chosen = territory_by_deals(counts(rows))
    assert chosen.to_dict() == {1: 20}  # account 2 has no rep with a territory, 3 no deal


def test_no_rows_gives_an_empty_series():
    chosen = territory_by_deals(counts([]))
    assert chosen.empty and chosen.dtype == "int64"


def test_the_report_note_says_how_many_took_one_and_how_many_have_none():
    assert InferredTerritories(85, 0).sentence() == (
        "85 accounts without a territory took the territory of the reps holding most of "
        "their deals; every account now has a territory."
    )
    assert InferredTerritories(1, 2).sentence() == (
        "1 account without a territory took the territory of the reps holding most of "
        "their deals; 2 still have none (no deal by a rep with a territory)."
    )
    one = InferredTerritories(0, 1).sentence()
    assert one.endswith("; 1 still has none (no deal by a rep with a territory).")
    assert InferredTerritories(0, 0).sentence() == ""
