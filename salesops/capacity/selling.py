"""Selling share per rep: from their own time logs, the team's, or the stated default.

**Selling share** = hours logged in activities whose category is ``selling`` / all hours
logged (as on the Rep time page), over the 12 months to the analysis date. A rep who logged
at least Settings `min_logged_hours` gets their own share; any other rep the team's
(hours-weighted) share; with no time logs at all everybody gets Settings
`default_selling_share`, labelled as assumed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.figures import Figure
from salesops.formatting import format_value
from salesops.time_allocation.classification import SELLING

OWN = "own time logs"
TEAM = "team time logs"
ASSUMED = "assumed (no time logs)"


@dataclass(frozen=True)
class SellingShares:
    """Each rep's logged hours and selling share, and the team's share (measured or assumed)."""

    reps: pd.DataFrame
    team_share: Figure
    team_source: str

    def describe(self) -> str:
        """Returns the sentence saying where the selling shares come from."""
        value = format_value(self.team_share.value or 0.0, "ratio")
        if self.team_source == ASSUMED:
            return f"No time logs: every rep is assumed to sell {value} of their hours."
        return (
            f"Selling shares are measured from time logs (team {value}); reps with little "
            "logged time take the team's share."
        )


def selling_hours_by_rep(rep_activity: pd.DataFrame, activity_types: pd.DataFrame) -> pd.DataFrame:
    """Returns logged_hours and selling_hours per rep_id.

    Requires columns rep_id, activity, hours (rep_activity) and activity, category
    (activity_types). Activities missing from activity_types count as not selling.
    """
    if rep_activity.empty:
        return pd.DataFrame({"rep_id": pd.Series(dtype="int64"), "logged_hours": [],
                             "selling_hours": []})  # fmt: skip
    category = rep_activity["activity"].map(activity_types.set_index("activity")["category"])
    hours = pd.to_numeric(rep_activity["hours"], errors="coerce").fillna(0.0).clip(lower=0)
    frame = pd.DataFrame(
        {
            "rep_id": rep_activity["rep_id"].astype("int64"),
            "logged_hours": hours,
            "selling_hours": np.where(category.eq(SELLING).to_numpy(dtype=bool), hours, 0.0),
        }
    )
    return frame.groupby("rep_id", as_index=False)[["logged_hours", "selling_hours"]].sum()


def selling_shares(
    rep_ids: pd.Series,
    hours: pd.DataFrame,
    min_logged_hours: float,
    default_share: float,
) -> SellingShares:
    """Returns each rep's selling share and where it comes from.

    Requires `hours` with columns rep_id, logged_hours, selling_hours (see
    `selling_hours_by_rep`). Returns SellingShares whose frame has columns rep_id,
    logged_hours, selling_hours, selling_share, share_source (one row per rep id given).
    """
    by_rep = hours.set_index("rep_id")
    ids = pd.Series(rep_ids, dtype="int64").to_numpy()
    logged = by_rep["logged_hours"].reindex(ids).fillna(0.0).to_numpy(dtype="float64")
    selling = by_rep["selling_hours"].reindex(ids).fillna(0.0).to_numpy(dtype="float64")
    total, total_selling = float(hours["logged_hours"].sum()), float(hours["selling_hours"].sum())
    if total > 0:
        team = Figure(total_selling / total, None, {"hours": total, "selling_hours": total_selling})
        source = TEAM
    else:
        team = Figure(default_share, "no time logged: Settings default_selling_share")
        source = ASSUMED
    own = logged >= max(min_logged_hours, 1e-9)
    share = np.where(own, selling / np.where(own, logged, 1.0), team.value)
    frame = pd.DataFrame(
        {
            "rep_id": ids,
            "logged_hours": logged,
            "selling_hours": selling,
            "selling_share": np.asarray(share, dtype="float64"),
            "share_source": np.where(own, OWN, source),
        }
    )
    return SellingShares(frame, team, source)
