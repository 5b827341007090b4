"""Rep activities: hours per rep, week and activity, selling 20-45% of the time.

Back-office work (quotes, proposals, orders) is also counted, at a per-rep speed, so the
time page can show time per quote, proposal and order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.demo.catalog import ACTIVITY_TYPES, COUNTED, SELLING_SPLIT
from salesops.demo.state import DemoState


def _logged_weeks(state: DemoState, reps: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Returns (0-based rep index, Monday) of every week a rep was employed and logged time."""
    weeks = np.arange(
        state.start + ((7 - (state.start.view("int64") - 4) % 7) % 7),
        state.end - 6,
        np.timedelta64(7, "D"),
    )
    hire = reps["hire_date"].to_numpy().astype("datetime64[D]")
    end = reps["end_date"].to_numpy().astype("datetime64[D]")
    grid_rep, grid_week = np.meshgrid(np.arange(len(reps)), np.arange(len(weeks)), indexing="ij")
    r_idx, w_idx = grid_rep.ravel(), grid_week.ravel()
    wk = weeks[w_idx]
    active = (wk >= hire[r_idx]) & (np.isnat(end[r_idx]) | (wk < end[r_idx]))
    r_idx, wk = r_idx[active], wk[active]
    # Vacation and holiday weeks log nothing.
    present = state.rng.uniform(size=len(r_idx)) > 0.07
    return r_idx[present], wk[present]


def activities(state: DemoState, reps: pd.DataFrame, selling_share: np.ndarray) -> pd.DataFrame:
    """Returns the activities table: id, rep_id, week_start, activity, hours, count.

    `selling_share` is each rep's typical share of hours spent selling (in rep id order).
    """
    rng = state.rng
    r_idx, wk = _logged_weeks(state, reps)
    cap = reps["weekly_capacity_hours"].to_numpy()[r_idx]
    total = cap * rng.normal(1.05, 0.08, len(r_idx))
    total = np.where(rng.uniform(size=len(r_idx)) < 0.004, 0.0, total)  # a few zero-hour weeks
    sell = np.clip(selling_share[r_idx] + rng.normal(0, 0.04, len(r_idx)), 0.05, 0.9)
    frames = []
    non_selling = [a for a in ACTIVITY_TYPES if a[1] == "non_selling"]
    ns_share = np.array([a[3] for a in non_selling])
    ns_share = ns_share / ns_share.sum()
    speed = rng.lognormal(0, 0.25, len(reps))  # some reps are slower at paperwork
    for (activity, *_), split in zip(ACTIVITY_TYPES[:3], SELLING_SPLIT, strict=True):
        hours = total * sell * split * rng.lognormal(0, 0.1, len(r_idx))
        frames.append((activity, hours, None))
    for (activity, *_), share in zip(non_selling, ns_share, strict=True):
        hours = total * (1 - sell) * share * rng.lognormal(0, 0.15, len(r_idx))
        count = None
        if activity in COUNTED:
            per_unit = COUNTED[activity] * speed[r_idx]
            count = np.maximum(0, np.round(hours / per_unit + rng.normal(0, 0.5, len(r_idx))))
        frames.append((activity, hours, count))
    parts = [
        pd.DataFrame(
            {
                "rep_id": r_idx + 1,
                "week_start": wk,
                "activity": activity,
                "hours": np.round(hours, 1),
                "count": count if count is not None else np.nan,
            }
        )
        for activity, hours, count in frames
    ]
    out = pd.concat(parts, ignore_index=True).sort_values(["week_start", "rep_id"], kind="stable")
    out["count"] = out["count"].astype("Int64")
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out
