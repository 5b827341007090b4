"""The demo company: deterministic, consistent, and with the stories the pages need."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.demo import build_demo_frames, resolve_scale


@pytest.fixture(scope="module")
def tiny() -> dict[str, pd.DataFrame]:
    return build_demo_frames("tiny", seed=7)


def test_same_seed_same_company_other_seed_other_company(tiny):
    again = build_demo_frames("tiny", seed=7)
    for name, frame in tiny.items():
        pd.testing.assert_frame_equal(frame, again[name], obj=name)
    other = build_demo_frames("tiny", seed=8)
    assert not other["opportunities"]["amount"].equals(tiny["opportunities"]["amount"])


def test_every_foreign_key_resolves(tiny):
    ids = {name: set(tiny[name]["id"]) for name in ("territories", "reps", "accounts", "leads")}
    opp = tiny["opportunities"]
    assert set(opp["account_id"]) <= ids["accounts"]
    assert set(opp["rep_id"]) <= ids["reps"]
    assert set(opp["lead_id"].dropna().astype(int)) <= ids["leads"]
    assert set(tiny["reps"]["territory_id"]) <= ids["territories"]
    assert set(tiny["orders"]["account_id"]) <= ids["accounts"]
    assert set(tiny["opportunity_history"]["opportunity_id"]) <= set(opp["id"])
    assert set(tiny["activities"]["activity"]) <= set(tiny["activity_types"]["activity"])


def test_current_state_is_the_last_history_row(tiny):
    last = tiny["opportunity_history"].groupby("opportunity_id").tail(1).set_index("opportunity_id")
    opp = tiny["opportunities"].set_index("id")
    assert (last.loc[opp.index, "stage"] == opp["stage"]).all()
    assert (last.loc[opp.index, "amount"] == opp["amount"]).all()
    assert (opp.loc[opp["outcome"] == "open", "closed_at"].isna()).all()
    assert (opp.loc[opp["outcome"] != "open", "closed_at"].notna()).all()


def test_the_stories_are_there(tiny):
    opp = tiny["opportunities"]
    open_deals = opp[opp["outcome"] == "open"]
    assert (open_deals["expected_close_date"] < pd.Timestamp("2026-11-20")).any()  # overdue
    history = tiny["opportunity_history"]
    pushes = history.groupby("opportunity_id")["expected_close_date"].nunique()
    assert (pushes > 2).any()  # slipped close dates
    activities = tiny["activities"].merge(tiny["activity_types"], on="activity")
    hours = activities.groupby(["rep_id", "category"])["hours"].sum().unstack()
    share = hours["selling"] / hours.sum(axis=1)
    assert share.between(0.15, 0.5).all()
    reps = tiny["reps"].merge(tiny["territories"], left_on="territory_id", right_on="id")
    potential = tiny["accounts"].groupby("territory_id")["annual_potential"].sum()
    per_rep = potential / tiny["reps"].groupby("territory_id").size()
    assert per_rep.max() / per_rep.min() > 2  # unequal territories
    assert len(reps) == len(tiny["reps"])


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


def test_bad_scale_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown scale 'huge'"):
        resolve_scale("huge")
    with pytest.raises(ValueError, match="too small"):
        resolve_scale(5)
    assert resolve_scale("50000").opportunities == 50_000
