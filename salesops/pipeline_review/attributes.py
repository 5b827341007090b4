"""Deal attributes (name, rep, territory) joined onto review frames, and the state columns.

Every deal list and table of the review shows a deal with its name, rep and territory, and
is ordered the same way: by rep name, then amount (largest first), then deal id.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

STATE_COLUMNS = [
    "opportunity_id",
    "stage",
    "outcome",
    "amount",
    "expected_close_date",
    "forecast_category",
]


def attach(frame: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """Returns `frame` with deal attributes (name, rep, territory) joined, ordered by rep.

    Requires opportunity_id in both frames; deal attributes hold one row per deal. Rows are
    ordered by rep name, amount (largest first, missing as 0) and deal id; a deal with no
    rep shows "(no rep)".
    """
    attrs = [c for c in deals.columns if c != "opportunity_id" and c not in frame.columns]
    ids = frame["opportunity_id"].to_numpy(dtype="int64")
    deals = deals.drop_duplicates("opportunity_id")
    found = pd.Index(deals["opportunity_id"].to_numpy(dtype="int64")).get_indexer(ids)
    out = frame.reset_index(drop=True).assign(opportunity_id=ids)
    for col in attrs:
        values = deals[col].to_numpy()
        taken = values.take(found) if len(values) else np.full(len(ids), None, dtype=object)
        out[col] = pd.Series(taken, dtype=deals[col].dtype).mask(found < 0)
    for col in ("name", "rep", "territory"):
        if col not in out.columns:
            out[col] = None
    out["rep"] = out["rep"].astype(object).where(out["rep"].notna(), "(no rep)")
    lead = ["opportunity_id", "name", "rep", "territory"]
    out = out[lead + [c for c in out.columns if c not in lead]]
    amount = out["amount"].fillna(0.0).to_numpy() if "amount" in out.columns else 0.0
    rep_rank = pd.Categorical(out["rep"]).codes  # categories sort like the names
    order = np.lexsort((ids, -np.broadcast_to(amount, len(out)), rep_rank))
    return out.take(order).reset_index(drop=True)


def looked_up(values: pd.Series, mapping: Mapping, missing: object = np.nan) -> np.ndarray:
    """Returns mapping[value] per value (`missing` for values not in it, or missing values).

    Looks each distinct value up once: far cheaper than Series.map on long object columns.
    """
    codes, uniques = pd.factorize(values)
    found = np.array([mapping.get(u, missing) for u in uniques] + [missing])
    return found[codes]  # code -1 (a missing value) takes the last entry


def with_int_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """Returns `frame` with opportunity_id as int64 (the frame itself when it already is)."""
    if frame["opportunity_id"].dtype == "int64":
        return frame
    return frame.assign(opportunity_id=frame["opportunity_id"].astype("int64"))


def state_columns(states: pd.DataFrame) -> pd.DataFrame:
    """Returns snapshot rows as the columns lists show, amount in currency from the cents.

    Requires normalised snapshot rows. Returns a frame with columns opportunity_id, stage,
    outcome, amount, expected_close_date, forecast_category.
    """
    out = states[STATE_COLUMNS].copy()
    out["amount"] = states["cents"] / 100.0
    return out
