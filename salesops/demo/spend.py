"""Acquisition spend: marketing by channel and month, and the sales team's share of cost."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.demo.catalog import CHANNELS, PROSPECTING_CHANNEL
from salesops.demo.state import DemoState


def _lead_counts(leads: pd.DataFrame, channels: list[str]) -> pd.DataFrame:
    """Returns leads per (month, channel) of `channels`: columns month, channel, leads."""
    chosen = leads[leads["channel"].isin(channels)]
    month = chosen["created_at"].to_numpy().astype("datetime64[M]")
    return (
        pd.DataFrame({"month": month, "channel": chosen["channel"].to_numpy()})
        .value_counts()
        .rename("leads")
        .reset_index()
    )


def spend(state: DemoState, leads: pd.DataFrame, reps: pd.DataFrame) -> pd.DataFrame:
    """Returns the acquisition_spend table: id, month, channel, kind (marketing/sales), amount.

    Marketing follows each marketing channel's leads at its cost per lead; sales spend is half
    the reps' cost, spread by lead volume over the marketing channels and the reps' own
    prospecting of new accounts. Leads on accounts that already bought (account management,
    customer success, upsell campaigns) acquire no customer and carry no acquisition spend.
    Events spend nothing in the first August.
    """
    rng = state.rng
    counts = _lead_counts(leads, list(CHANNELS))
    cpl = counts["channel"].map({c: v[3] for c, v in CHANNELS.items()}).to_numpy()
    counts["marketing"] = np.round(
        counts["leads"] * cpl * 6.0 * rng.lognormal(0, 0.15, len(counts)), -2
    )
    prospecting = _lead_counts(leads, [PROSPECTING_CHANNEL]).assign(marketing=np.nan)
    counts = pd.concat([counts, prospecting], ignore_index=True)
    team_cost_month = reps["annual_cost"].sum() / 12 * 0.5
    share = counts["leads"] / counts.groupby("month")["leads"].transform("sum")
    counts["sales"] = np.round(team_cost_month * share, -2)
    first_aug = np.datetime64(f"{state.start.astype('datetime64[Y]')}-08", "M")
    paused = (counts["channel"] == "Events") & (counts["month"] == first_aug)
    counts.loc[paused, "marketing"] = 0.0
    out = counts.melt(
        id_vars=["month", "channel"],
        value_vars=["marketing", "sales"],
        var_name="kind",
        value_name="amount",
    ).dropna(subset=["amount"])  # prospecting has no marketing spend
    out["month"] = out["month"].to_numpy().astype("datetime64[D]")
    out = out.sort_values(["month", "channel", "kind"], kind="stable").reset_index(drop=True)
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out
