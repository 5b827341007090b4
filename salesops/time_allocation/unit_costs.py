"""Unit costs of back-office work: a rep's loaded hourly cost, hours and cost per unit.

* **Loaded hourly cost** of a rep = ``annual_cost / (weekly_capacity_hours x
  working_weeks)``; ``working_weeks`` is ``Settings.working_weeks_per_year`` (46: 52
  weeks minus about 4 weeks of leave and 2 of public holidays).
* **Unit time** of an activity = activity hours / activity count (hours per quote,
  per proposal, per order processed); its **unit cost** = hours x the rep's loaded
  hourly cost / count. Team figures sum numerators and denominators over reps.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from salesops.time_allocation.classification import Classified, activity_rows

NO_UNITS_REASON = "no units counted (count is 0)"


def loaded_hourly_cost(reps: pd.DataFrame, *, working_weeks: float) -> pd.DataFrame:
    """Returns each rep's loaded hourly cost: annual_cost / (weekly capacity x working_weeks).

    Requires columns ``id``, ``annual_cost``, ``weekly_capacity_hours`` in ``reps``.

    Returns a frame with columns ``rep_id``, ``hourly_cost`` (Float64; NA when the cost
    or capacity is missing or capacity is 0) and ``cost_reason``.
    """
    if working_weeks <= 0:
        raise ValueError("working_weeks must be positive.")
    cost = pd.to_numeric(reps["annual_cost"]).astype(float)
    capacity = pd.to_numeric(reps["weekly_capacity_hours"]).astype(float)
    reason = np.select(
        [cost.isna(), capacity.isna(), capacity <= 0],
        ["no annual_cost recorded", "no weekly capacity recorded", "weekly capacity is 0"],
        default="",
    )
    ok = reason == ""
    hourly = (cost / (capacity * working_weeks)).where(ok)
    return pd.DataFrame(
        {
            "rep_id": reps["id"].astype("Int64").to_numpy(),
            "hourly_cost": hourly.astype("Float64").to_numpy(),
            "cost_reason": pd.Series(reason, dtype=object).where(~ok, None).to_numpy(),
        }
    )


def unit_costs(
    rep_activity: Classified | pd.DataFrame,
    hourly_costs: pd.DataFrame,
    *,
    activities: Iterable[str] | None = None,
    names: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Returns hours and cost per unit (quote, proposal, order, ...) per rep and for the team.

    Per rep: ``hours_per_unit = hours / count``; ``cost_per_unit = hours_per_unit x
    hourly_cost``. Team: ``sum(hours) / sum(count)`` and ``sum(hours x hourly_cost) /
    sum(count)`` over the reps whose hourly cost is known. Count 0 (or NULL) makes
    the unit figures NA with a reason.

    Requires columns ``rep_id``, ``activity``, ``hours``, ``count``, ``category``,
    ``is_back_office`` in the rows and the output of ``loaded_hourly_cost``.

    Args:
        rep_activity: Classified rep x activity rows (any number of periods).
        hourly_costs: ``loaded_hourly_cost`` output.
        activities: The activities to cost; default every back-office activity.
        names: Optional frame with ``id``, ``name`` to label reps.

    Returns a frame with columns ``scope`` (``team``/``rep``), ``rep_id`` (NA for
    team), ``name``, ``activity``, ``hours``, ``count``, ``hours_per_unit``,
    ``hourly_cost``, ``cost_per_unit`` (Float64s) and ``reason``; team rows first.
    """
    per = _units_per_rep(activity_rows(rep_activity), activities)
    rep_rows = _rep_rows(per, hourly_costs, names)
    team_rows = _team_rows(rep_rows)
    rep_rows = rep_rows.drop(columns=["cost_hours", "known"])
    rep_rows = rep_rows.sort_values(["activity", "rep_id"], kind="stable")
    return pd.concat([team_rows, rep_rows], ignore_index=True)


def _units_per_rep(frame: pd.DataFrame, activities: Iterable[str] | None) -> pd.DataFrame:
    """Returns hours and units counted per rep and chosen activity (NULL counts as 0)."""
    if activities is None:
        chosen = sorted(frame.loc[frame["is_back_office"], "activity"].unique())
    else:
        chosen = list(activities)
    frame = frame[frame["activity"].isin(chosen)]
    counts = pd.to_numeric(frame["count"]).to_numpy(dtype=float, na_value=0.0)
    per = frame[["rep_id", "activity", "hours"]].assign(count=counts)
    return per.groupby(["rep_id", "activity"], as_index=False, sort=True)[["hours", "count"]].sum()


def _unit(
    numerator: np.ndarray, denominator: np.ndarray, ok: np.ndarray
) -> pd.api.extensions.ExtensionArray:
    """Returns numerator / denominator where ``ok`` and the denominator is positive, else NA."""
    safe = np.where(ok & (denominator > 0), denominator, 1.0)
    return pd.array(np.where(ok & (denominator > 0), numerator / safe, np.nan), dtype="Float64")


def _rep_rows(
    per: pd.DataFrame, hourly_costs: pd.DataFrame, names: pd.DataFrame | None
) -> pd.DataFrame:
    """Returns the per-rep unit rows, plus ``cost_hours`` and ``known`` for the team sums."""
    rep_ids = per["rep_id"].to_numpy(dtype="int64")
    known_ids = hourly_costs["rep_id"].to_numpy(dtype="int64")
    known_rates = hourly_costs["hourly_cost"].to_numpy(float, na_value=np.nan)
    rate_of = dict(zip(known_ids, known_rates, strict=True))
    why_of = dict(zip(known_ids, hourly_costs["cost_reason"], strict=True))
    rate = np.array([rate_of.get(r, np.nan) for r in rep_ids], dtype=float)
    hours = per["hours"].to_numpy(dtype=float)
    count = per["count"].to_numpy(dtype=float)
    known = ~np.isnan(rate)
    cost_hours = np.where(known, hours * np.nan_to_num(rate), 0.0)
    rep_reason = [
        NO_UNITS_REASON if c <= 0 else (None if k else why_of.get(r) or "rep not in the reps table")
        for c, k, r in zip(count, known, rep_ids, strict=True)
    ]
    lookup = {} if names is None else dict(zip(names["id"].astype(int), names["name"], strict=True))
    return pd.DataFrame(
        {
            "scope": "rep",
            "rep_id": pd.array(rep_ids, dtype="Int64"),
            "name": [lookup.get(r, str(r)) for r in rep_ids],
            "activity": per["activity"].to_numpy(dtype=object),
            "hours": hours,
            "count": count,
            "hours_per_unit": _unit(hours, count, np.ones(len(per), dtype=bool)),
            "hourly_cost": pd.array(rate, dtype="Float64"),
            "cost_per_unit": _unit(cost_hours, count, known),
            "reason": pd.Series(rep_reason, dtype=object).to_numpy(),
            "cost_hours": cost_hours,
            "known": known,
        }
    )


def _team_rows(rep_rows: pd.DataFrame) -> pd.DataFrame:
    """Returns one team row per activity: sums over reps, costs over reps with a known cost."""
    hours = rep_rows["hours"].to_numpy(dtype=float)
    count = rep_rows["count"].to_numpy(dtype=float)
    known = rep_rows["known"].to_numpy(dtype=bool)
    sums = pd.DataFrame(
        {
            "activity": rep_rows["activity"],
            "hours": hours,
            "count": count,
            "cost_hours": rep_rows["cost_hours"].to_numpy(dtype=float),
            "costed_count": np.where(known, count, 0.0),
            "costed_hours": np.where(known, hours, 0.0),
        }
    ).groupby("activity", sort=True)
    team = sums.sum()
    t_hours, t_count = team["hours"].to_numpy(), team["count"].to_numpy()
    t_cost, t_costed = team["cost_hours"].to_numpy(), team["costed_count"].to_numpy()
    t_costed_hours = team["costed_hours"].to_numpy()
    team_reason = [
        NO_UNITS_REASON if c <= 0 else (None if k > 0 else "no rep with a known hourly cost")
        for c, k in zip(t_count, t_costed, strict=True)
    ]
    every = np.ones(len(team), dtype=bool)
    return pd.DataFrame(
        {
            "scope": "team",
            "rep_id": pd.array([pd.NA] * len(team), dtype="Int64"),
            "name": "Team",
            "activity": team.index.to_numpy(dtype=object),
            "hours": t_hours,
            "count": t_count,
            "hours_per_unit": _unit(t_hours, t_count, every),
            "hourly_cost": _unit(t_cost, t_costed_hours, every),
            "cost_per_unit": _unit(t_cost, t_costed, every),
            "reason": pd.Series(team_reason, dtype=object).to_numpy(),
        }
    )
