"""Quotas: annual quotas calibrated to what each segment books, spread over months with a ramp."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.demo.state import DemoState

# Share of the annual quota by month of year (quarter-end months weigh more), before scaling.
MONTH_WEIGHTS = (0.85, 0.9, 1.1, 0.9, 0.95, 1.1, 0.85, 0.85, 1.1, 0.95, 1.0, 1.45)


def calibrate_quotas(
    state: DemoState, reps: pd.DataFrame, territories: pd.DataFrame, opportunities: pd.DataFrame
) -> pd.DataFrame:
    """Returns the reps with annual quotas set from what each segment's reps book in a year.

    Quota = the segment's mean bookings per rep-year x a stretch of 0.95-1.25, so
    attainment lands around 80-100% at any scale.
    """
    won = opportunities[opportunities["outcome"] == "won"]
    booked = won.groupby("rep_id")["amount"].sum()
    start = np.maximum(reps["hire_date"].to_numpy(), state.start)
    end = reps["end_date"].fillna(pd.Timestamp(state.end)).to_numpy().astype("datetime64[D]")
    years = np.maximum((end - start.astype("datetime64[D]")).astype(int) / 365.25, 0.25)
    per_year = booked.reindex(reps["id"]).fillna(0.0).to_numpy() / years
    segment = territories.set_index("id").loc[reps["territory_id"], "segment"].to_numpy()
    typical = pd.Series(per_year).groupby(segment).transform("mean").to_numpy()
    stretch = state.rng.uniform(0.95, 1.25, len(reps))
    return reps.assign(annual_quota=np.round(typical * stretch, -3))


def quotas(state: DemoState, reps: pd.DataFrame) -> pd.DataFrame:
    """Returns the quotas table: id, rep_id, period_start (month), amount.

    Each employed month gets its share of the annual quota, ramped over a new rep's first
    six months (from a fifth).
    """
    months = np.arange(state.start.astype("datetime64[M]"), state.end.astype("datetime64[M]") + 12)
    weight = np.array(MONTH_WEIGHTS)
    weight = weight / weight.sum()
    rows = []
    for rep in reps.itertuples(index=False):
        hire = np.datetime64(rep.hire_date, "M")
        leave = np.datetime64(rep.end_date, "M") if pd.notna(rep.end_date) else months[-1] + 1
        mine = months[(months >= hire) & (months < leave)]
        tenure = (mine - hire).astype(int)
        ramp = np.clip((tenure + 1) / 6.0, 0.2, 1.0)
        moy = mine.astype(int) % 12
        amount = np.round(rep.annual_quota * weight[moy] * ramp, -2)
        rows.append(pd.DataFrame({"rep_id": rep.id, "period_start": mine, "amount": amount}))
    out = pd.concat(rows, ignore_index=True)
    out["period_start"] = out["period_start"].to_numpy().astype("datetime64[D]")
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out
