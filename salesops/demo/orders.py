"""Orders: a first order books each won deal, repeat orders follow until the customer churns.

Every eleventh account pays late, so order-to-cash has a story too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.demo.catalog import SEGMENTS, SOURCE
from salesops.demo.state import DemoState, positions_in_groups


def _order_lines(
    state: DemoState, opportunities: pd.DataFrame, accounts: pd.DataFrame
) -> pd.DataFrame:
    """Returns the orders up to the demo's end, sorted by date.

    First orders book the won deals; repeat orders follow at the segment's interval until
    the customer churns. Columns: account_id, opportunity_id, ordered_at, amount, margin
    (the segment's gross-margin rate).
    """
    rng = state.rng
    won = opportunities[opportunities["outcome"] == "won"]
    seg = accounts.set_index("id").loc[won["account_id"], "segment"].to_numpy()
    interval = np.array([SEGMENTS[s][4] for s in seg])
    churn = np.array([SEGMENTS[s][5] for s in seg])
    margin = np.array([SEGMENTS[s][6] for s in seg])
    closed = won["closed_at"].to_numpy().astype("datetime64[D]")
    lifetime = rng.geometric(np.clip(churn * interval, 0.005, 0.9)).astype(int)
    repeats = np.minimum(lifetime, 60 // interval)
    first = pd.DataFrame(
        {
            "account_id": won["account_id"].to_numpy(),
            "opportunity_id": won["id"].to_numpy(),
            "ordered_at": closed + rng.integers(0, 6, len(won)).astype("timedelta64[D]"),
            "amount": won["amount"].to_numpy(),
            "margin": margin,
        }
    )
    rep_idx = np.repeat(np.arange(len(won)), repeats)
    seq = positions_in_groups(repeats) if repeats.sum() else np.zeros(0, int)
    months = seq * interval[rep_idx]
    repeat_dates = (
        closed[rep_idx].astype("datetime64[M]") + months.astype("timedelta64[M]")
    ).astype("datetime64[D]") + rng.integers(0, 28, len(rep_idx)).astype("timedelta64[D]")
    repeat = pd.DataFrame(
        {
            "account_id": won["account_id"].to_numpy()[rep_idx],
            "opportunity_id": np.nan,
            "ordered_at": repeat_dates,
            "amount": np.round(
                won["amount"].to_numpy()[rep_idx]
                * 0.03
                * interval[rep_idx]
                * rng.lognormal(0, 0.25, len(rep_idx)),
                -1,
            ),
            "margin": margin[rep_idx],
        }
    )
    lines = pd.concat([first, repeat], ignore_index=True)
    return lines[lines["ordered_at"] <= state.end].sort_values("ordered_at", kind="stable")


def orders(state: DemoState, opportunities: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Returns the orders table, invoiced within days and paid about 30 days later."""
    rng = state.rng
    lines = _order_lines(state, opportunities, accounts)
    n = len(lines)
    late_payer = (lines["account_id"].to_numpy() % 11) == 0
    invoiced = lines["ordered_at"].to_numpy() + rng.integers(0, 4, n).astype("timedelta64[D]")
    delay = np.where(late_payer, rng.integers(25, 95, n), rng.integers(-5, 8, n))
    paid = invoiced + (30 + delay).astype("timedelta64[D]")
    paid = np.where(paid <= state.end, paid, np.datetime64("NaT"))
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "source": SOURCE,
            "external_id": [f"S{i:07d}" for i in range(1, n + 1)],
            "account_id": lines["account_id"].to_numpy(),
            "opportunity_id": lines["opportunity_id"].to_numpy(),
            "ordered_at": lines["ordered_at"].to_numpy(),
            "amount": lines["amount"].to_numpy(),
            "gross_margin": np.round(lines["amount"].to_numpy() * lines["margin"].to_numpy(), 2),
            "invoiced_at": invoiced,
            "paid_at": paid,
        }
    )
