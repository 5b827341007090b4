"""Every demo deal has a lead source; expansion sources carry no acquisition spend."""

from __future__ import annotations

import pandas as pd

from salesops.demo.catalog import ACCOUNT_CHANNELS, CHANNELS, PROSPECTING_CHANNEL


def _channel_of_deals(tiny: dict[str, pd.DataFrame]) -> pd.Series:
    leads = tiny["leads"].set_index("id")
    return tiny["opportunities"]["lead_id"].map(leads["channel"])


def test_every_deal_has_a_lead_and_a_channel(tiny):
    opp = tiny["opportunities"]
    assert opp["lead_id"].notna().all()
    assert _channel_of_deals(tiny).notna().all()
    assert tiny["leads"]["channel"].notna().all()


def test_deal_and_lead_point_at_each_other(tiny):
    opp, leads = tiny["opportunities"].set_index("id"), tiny["leads"]
    converted = leads[leads["opportunity_id"].notna()]
    deal = opp.loc[converted["opportunity_id"].astype(int)]
    assert (deal["lead_id"].to_numpy() == converted["id"].to_numpy()).all()
    assert (converted["converted_at"].to_numpy() == deal["created_at"].to_numpy()).all()
    assert (converted["created_at"] <= converted["converted_at"]).all()
    assert set(leads["status"]) <= {"Converted", "Working", "Disqualified"}
    assert (leads["status"] == "Converted").sum() == len(opp)


def test_account_channels_only_on_accounts_that_already_bought(tiny):
    opp = tiny["opportunities"]
    channel = _channel_of_deals(tiny)
    won = opp[opp["outcome"] == "won"].groupby("account_id")["closed_at"].min()
    first_won = opp["account_id"].map(won)
    on_customer = first_won < opp["created_at"]
    account_sourced = channel.isin(list(ACCOUNT_CHANNELS))
    assert account_sourced.any() and (channel == PROSPECTING_CHANNEL).any()
    assert on_customer[account_sourced].all()
    assert not on_customer[channel == PROSPECTING_CHANNEL].any()
    expansion = opp["name"].str.endswith("(expansion)")
    assert (expansion == account_sourced).all()


def test_each_channel_converts_at_its_own_rate(tiny):
    leads = tiny["leads"]
    rate = (leads["status"] == "Converted").groupby(leads["channel"]).mean()
    for channel, (_, conversion) in ACCOUNT_CHANNELS.items():
        assert abs(rate[channel] - conversion) < 0.05, channel


def test_spend_only_on_acquisition_channels_and_the_sales_cost_unchanged(tiny):
    spend = tiny["acquisition_spend"]
    assert set(spend["channel"]) == {*CHANNELS, PROSPECTING_CHANNEL}
    marketing = spend[spend["kind"] == "marketing"]
    assert PROSPECTING_CHANNEL not in set(marketing["channel"])
    sales = spend[spend["kind"] == "sales"].groupby("month")["amount"].sum()
    monthly_team_cost = tiny["reps"]["annual_cost"].sum() / 12 * 0.5
    # rounded to the hundred per channel: within 100 per channel of half the team's cost
    assert ((sales - monthly_team_cost).abs() <= 100 * (len(CHANNELS) + 1)).all()
