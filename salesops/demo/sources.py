"""Lead sources of the deals no marketing lead opened, so every demo deal has a channel.

A deal on an account that already bought (a won deal closed before the deal was created)
comes from account management, customer success or an upsell campaign; a deal on an account
that never bought was prospected by its rep ("Sales prospecting"). Each such deal gets the
converted lead it came from, and each of these channels also gets the leads that did not
convert, at the channel's own rate. The draws come from their own stream
(`state.source_rng`), so every other table of a seed is as it was.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.demo.catalog import (
    ACCOUNT_CHANNELS,
    PROSPECTING_CHANNEL,
    PROSPECTING_CONVERSION,
    SOURCE,
)
from salesops.demo.state import DemoState
from salesops.demo.text import labels, numbered

SOURCED_CHANNELS = [*ACCOUNT_CHANNELS, PROSPECTING_CHANNEL]
_CONVERSION = np.array([*(c[1] for c in ACCOUNT_CHANNELS.values()), PROSPECTING_CONVERSION])
WORKING_DAYS = 45  # an unconverted lead younger than this is still being worked
LEAD_STATUSES = ("Converted", "Working", "Disqualified")


def lead_status(
    converted: np.ndarray, day: np.ndarray, n_days: int
) -> pd.api.extensions.ExtensionArray:
    """Returns each lead's status: Converted, Working (recent) or Disqualified."""
    code = np.where(converted, 0, np.where(day > n_days - WORKING_DAYS, 1, 2))
    return labels(code, LEAD_STATUSES)


def bought_before(deals: pd.DataFrame, n_days: int) -> np.ndarray:
    """Returns, per deal, whether its account had a won deal closed before it was created.

    `deals` has columns day, account, won, close_day (days from the start; a close day past
    the last day, `n_days - 1`, is not closed yet).
    """
    account, close_day = deals["account"].to_numpy(), deals["close_day"].to_numpy()
    won = deals["won"].to_numpy() & (close_day <= n_days - 1)
    first_won = np.full(int(account.max(initial=0)) + 1, np.iinfo(np.int64).max)
    np.minimum.at(first_won, account[won], close_day[won])
    return np.asarray(first_won[account] < deals["day"].to_numpy())


def _channels(state: DemoState, existing_customer: np.ndarray) -> np.ndarray:
    """Returns each unsourced deal's channel (index into SOURCED_CHANNELS)."""
    shares = np.array([c[0] for c in ACCOUNT_CHANNELS.values()])
    drawn = state.source_rng.choice(len(shares), size=len(existing_customer), p=shares)
    return np.where(existing_customer, drawn, len(SOURCED_CHANNELS) - 1)


def _lead_days(
    state: DemoState, deal_day: np.ndarray, hired: np.ndarray, extra: np.ndarray
) -> np.ndarray:
    """Returns lead created days: a few days (plus `extra`) before the deal, the rep hired."""
    lag = state.source_rng.gamma(2.0, 5.0, len(deal_day)).astype(int) + 1 + extra
    return np.clip(np.maximum(deal_day - lag, hired), 0, deal_day)


def source_leads(
    state: DemoState, deals: pd.DataFrame, reps: pd.DataFrame, first_lead_id: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Returns (the new leads, every deal's lead id) for deals without a marketing lead.

    `deals` has one row per opportunity (id order) with columns day, account, rep (0-based),
    lead (-1: none), won, close_day (days from the start). The new leads are numbered from
    `first_lead_id` and have the leads table's columns; deals that had a lead keep its id.
    """
    rng = state.source_rng
    account, day = deals["account"].to_numpy(), deals["day"].to_numpy()
    unsourced = np.flatnonzero(deals["lead"].to_numpy() < 0)
    channel = _channels(state, bought_before(deals, state.n_days)[unsourced])
    # Leads that did not convert: per channel, as many as its conversion rate implies, each
    # like one of the channel's deals (account, rep) a little earlier.
    converted_per_channel = np.bincount(channel, minlength=len(SOURCED_CHANNELS))
    lost = np.round(converted_per_channel * (1 - _CONVERSION) / _CONVERSION).astype(int)
    like = np.concatenate(
        [
            rng.choice(unsourced[channel == k], size=n) if n else np.zeros(0, int)
            for k, n in enumerate(lost)
        ]
    )
    lost_channel = np.repeat(np.arange(len(SOURCED_CHANNELS)), lost)
    template = np.concatenate([unsourced, like])
    converted = np.arange(len(template)) < len(unsourced)
    hired = (reps["hire_date"].to_numpy().astype("datetime64[D]") - state.start).astype(int)
    rep = deals["rep"].to_numpy()[template]
    extra = np.where(converted, 0, rng.integers(0, 60, len(template)))
    lead_day = _lead_days(state, day[template], hired[rep], extra)
    ids = np.arange(first_lead_id, first_lead_id + len(template))
    lead_ids = np.where(deals["lead"].to_numpy() >= 0, deals["lead"].to_numpy() + 1, 0)
    lead_ids[unsourced] = ids[: len(unsourced)]
    frame = pd.DataFrame(
        {
            "id": ids,
            "source": SOURCE,
            "external_id": numbered("L", ids),
            "created_at": state.to_date(lead_day),
            "channel": labels(np.concatenate([channel, lost_channel]), SOURCED_CHANNELS),
            "account_id": (account[template] + 1).astype(float),
            "rep_id": rep + 1,
            "status": lead_status(converted, lead_day, state.n_days),
            "converted_at": np.where(converted, state.to_date(day[template]), np.datetime64("NaT")),
            "opportunity_id": np.where(converted, template + 1, np.nan),
        }
    )
    return frame, lead_ids
