"""Normalised opportunity history, snapshots at an instant, and the pipeline they hold.

See the package docstring for the definitions of a week, a snapshot, the review quarter
and the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from salesops.calendar import Quarter, Week, quarter_of

HISTORY_COLUMNS = (
    "opportunity_id",
    "changed_at",
    "stage",
    "outcome",
    "amount",
    "expected_close_date",
    "forecast_category",
)
# What the waterfall reads; the deal lists also need stage and forecast_category.
WATERFALL_COLUMNS = ("opportunity_id", "changed_at", "outcome", "amount", "expected_close_date")


def review_quarter(week: Week) -> Quarter:
    """Returns the quarter a week is reviewed against: the one containing its Thursday."""
    return quarter_of(week.thursday)


def _as_utc_days(values: pd.Series) -> pd.Series:
    """Returns dates/datetimes as datetime64 midnights, timezone-aware values taken in UTC."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    if (
        values.dtype == object
        and values.map(lambda v: getattr(v, "tzinfo", None) is not None).any()
    ):
        converted = pd.to_datetime(values, utc=True)
        return converted.dt.tz_localize(None).dt.normalize()
    return pd.to_datetime(values).dt.normalize()


def to_cents(values: pd.Series) -> pd.Series:
    """Returns amounts as int64 cents, a missing or non-numeric amount as 0."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64").fillna(0.0)
    return (numbers * 100).round().astype("int64")


def normalise_history(history: pd.DataFrame) -> pd.DataFrame:
    """Returns history rows typed and ordered the way every review function expects them.

    Requires columns opportunity_id, changed_at, outcome, amount, expected_close_date (all
    the waterfall reads; the deal lists also need stage and forecast_category; extra
    columns are kept).
    Returns a frame with the same columns plus `cents` (amount in integer cents, 0 when
    missing) and `seq` (position of the row within its deal, 0 = creation), sorted by
    opportunity_id, changed_at and input order; dates are datetime64 UTC midnights.
    """
    missing = [c for c in WATERFALL_COLUMNS if c not in history.columns]
    if missing:
        raise ValueError(f"opportunity_history rows lack column(s): {', '.join(missing)}.")
    out = history.copy()
    ids = pd.to_numeric(out["opportunity_id"], errors="coerce")
    if ids.isna().any():
        raise ValueError("opportunity_history rows have a missing or non-numeric opportunity_id.")
    out["opportunity_id"] = ids.astype("int64")
    out["changed_at"] = _as_utc_days(out["changed_at"])
    out["expected_close_date"] = _as_utc_days(out["expected_close_date"])
    outcome = out["outcome"].astype(object)
    if not outcome.isin(("open", "won", "lost")).all():
        outcome = outcome.map(lambda v: v.strip().lower() if isinstance(v, str) else None)
    out["outcome"] = outcome
    out["cents"] = to_cents(out["amount"])
    if not _in_deal_order(out["opportunity_id"].to_numpy(), out["changed_at"].to_numpy()):
        out["_order"] = np.arange(len(out))
        out = out.sort_values(["opportunity_id", "changed_at", "_order"], kind="stable")
        out = out.drop(columns="_order")
    out = out.reset_index(drop=True)
    starts = first_rows(out["opportunity_id"].to_numpy())
    positions = np.arange(len(out))
    out["seq"] = positions - np.maximum.accumulate(np.where(starts, positions, 0))
    return out


def _in_deal_order(ids: np.ndarray, when: np.ndarray) -> bool:
    """Returns True when rows are already sorted by deal, then date (no missing date)."""
    if np.isnat(when).any():
        return False
    step_id, step_day = np.diff(ids), np.diff(when.view("int64"))
    return bool(np.all((step_id > 0) | ((step_id == 0) & (step_day >= 0))))


def first_rows(ids: np.ndarray) -> np.ndarray:
    """Returns True on each deal's first row (rows sorted by deal)."""
    first = np.ones(len(ids), dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    return first


def last_rows(ids: np.ndarray) -> np.ndarray:
    """Returns True on each deal's last row (rows sorted by deal)."""
    last = np.ones(len(ids), dtype=bool)
    last[:-1] = ids[1:] != ids[:-1]
    return last


def normalised(history: pd.DataFrame) -> pd.DataFrame:
    """Returns `history` normalised (as it is when it already carries cents and seq)."""
    if "cents" in history.columns and "seq" in history.columns:
        return history
    return normalise_history(history)


def snapshot(history: pd.DataFrame, at: date) -> pd.DataFrame:
    """Returns each deal's state at the start of day `at`: its last row with changed_at < at.

    Requires columns as normalise_history. Deals with no row before `at` are absent.
    Returns a frame with the history columns plus cents and seq, one row per deal.
    """
    rows = normalised(history)
    before = rows[rows["changed_at"] < pd.Timestamp(at)]
    return before.groupby("opportunity_id", sort=False).tail(1).reset_index(drop=True)


def in_pipeline(states: pd.DataFrame, quarter: Quarter) -> pd.Series:
    """Returns a boolean per row: open with expected close inside `quarter`.

    Requires columns outcome, expected_close_date (datetime64).
    """
    ecd = states["expected_close_date"]
    return (
        (
            (states["outcome"] == "open")
            & (ecd >= pd.Timestamp(quarter.start))
            & (ecd < pd.Timestamp(quarter.end))
        )
        .fillna(False)
        .astype(bool)
    )


def pipeline_at(history: pd.DataFrame, at: date, quarter: Quarter) -> pd.DataFrame:
    """Returns the deals in the pipeline for `quarter` at the start of day `at`.

    Requires columns as normalise_history.
    Returns a frame of snapshot rows (history columns plus cents and seq).
    """
    states = snapshot(history, at)
    return states[in_pipeline(states, quarter)].reset_index(drop=True)


@dataclass(frozen=True)
class WeekStates:
    """A week's opening snapshot, its own rows and its closing snapshot (normalised frames)."""

    week: Week
    history: pd.DataFrame
    opening: pd.DataFrame
    rows: pd.DataFrame
    closing: pd.DataFrame
    created: frozenset[int] = field(default_factory=frozenset)


def week_states(history: pd.DataFrame, week: Week) -> WeekStates:
    """Returns the week's opening snapshot, the rows dated in the week and the closing snapshot.

    Requires columns as normalise_history. `history` may be a deal's whole history or just
    what the repository returns (its last row before the week plus the week's rows): both
    give the same states.
    """
    rows = normalised(history)
    until = rows["changed_at"] < pd.Timestamp(week.end)
    if not until.all():
        rows = rows[until]
    ids = rows["opportunity_id"].to_numpy()
    in_week = (rows["changed_at"] >= pd.Timestamp(week.start)).to_numpy()
    before = np.flatnonzero(~in_week)
    opening = rows.iloc[before[last_rows(ids[before])]].reset_index(drop=True)
    week_rows = rows.iloc[np.flatnonzero(in_week)].reset_index(drop=True)
    closing = rows.iloc[np.flatnonzero(last_rows(ids))].reset_index(drop=True)
    created = frozenset(int(i) for i in np.setdiff1d(ids[in_week], ids[before]))
    return WeekStates(week, rows, opening, week_rows, closing, created)
