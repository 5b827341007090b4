"""Opportunity history: the current state is its last row; pushes and detours are there."""

from __future__ import annotations

import pandas as pd


def test_current_state_is_the_last_history_row(tiny):
    last = tiny["opportunity_history"].groupby("opportunity_id").tail(1).set_index("opportunity_id")
    opp = tiny["opportunities"].set_index("id")
    assert (last.loc[opp.index, "stage"] == opp["stage"]).all()
    assert (last.loc[opp.index, "amount"] == opp["amount"]).all()
    assert (opp.loc[opp["outcome"] == "open", "closed_at"].isna()).all()
    assert (opp.loc[opp["outcome"] != "open", "closed_at"].notna()).all()


def test_open_deals_sit_overdue_and_close_dates_slip(tiny):
    opp = tiny["opportunities"]
    open_deals = opp[opp["outcome"] == "open"]
    assert (open_deals["expected_close_date"] < pd.Timestamp("2026-11-20")).any()  # overdue
    history = tiny["opportunity_history"]
    pushes = history.groupby("opportunity_id")["expected_close_date"].nunique()
    assert (pushes > 2).any()  # slipped close dates


def test_history_takes_detours_only_before_deals_close(tiny):
    history, opp = tiny["opportunity_history"], tiny["opportunities"].set_index("id")
    rank = history["stage"].map(tiny["stages"].set_index("name")["sort_order"])
    deal = history.groupby("opportunity_id")
    before = pd.DataFrame(
        {
            "rank": rank.groupby(history["opportunity_id"]).shift(),
            "outcome": deal["outcome"].shift(),
            "close": deal["expected_close_date"].shift(),
        }
    )
    open_both = (history["outcome"] == "open") & (before["outcome"] == "open")
    detours = {
        "regressions": history[open_both & (rank < before["rank"])],
        "pull-ins": history[open_both & (history["expected_close_date"] < before["close"])],
        "reopenings": history[
            (history["outcome"] == "open") & before["outcome"].isin(["won", "lost"])
        ],
    }
    for name, rows in detours.items():
        assert len(rows) >= 10, name
        deals = opp.loc[rows["opportunity_id"]]
        assert (deals["outcome"] != "open").all(), name  # only deals that close...
        assert (rows["changed_at"].to_numpy() < deals["closed_at"].to_numpy()).all(), name
    # a deal lost for a while and reopened is one that is lost in the end
    assert (opp.loc[detours["reopenings"]["opportunity_id"], "outcome"] == "lost").all()
