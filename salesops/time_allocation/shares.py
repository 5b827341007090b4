"""Selling share per rep and for the team, against the benchmark; hours by activity.

* A rep with no hours has no share (``None`` + reason), never 0.
* **Team share** = team selling hours / team hours (hours-weighted, not the mean of
  rep shares; the mean is reported beside it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.figures import Figure
from salesops.time_allocation.classification import (
    NON_SELLING,
    SELLING,
    UNKNOWN,
    Classified,
    activity_rows,
)
from salesops.time_allocation.ratios import (
    NO_SELLING_REASON,
    NO_TIME_REASON,
    ZERO_HOURS_REASON,
    ratio,
)
from salesops.time_allocation.records import to_json

HOUR_COLUMNS = ["hours", "selling_hours", "non_selling_hours", "back_office_hours", "unknown_hours"]


def category_hours(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Returns hours by category summed per ``keys`` (one row in all when no keys).

    Requires columns ``hours``, ``category``, ``is_back_office`` and the ``keys``.

    Returns a frame with columns ``*keys`` and HOUR_COLUMNS, sorted by ``keys``.
    """
    hours = frame["hours"].to_numpy(dtype=float)
    category = frame["category"].to_numpy(dtype=object)
    cats = pd.DataFrame(
        {
            **{key: frame[key].array for key in keys},
            "hours": hours,
            "selling_hours": np.where(category == SELLING, hours, 0.0),
            "non_selling_hours": np.where(category == NON_SELLING, hours, 0.0),
            "back_office_hours": np.where(frame["is_back_office"].to_numpy(bool), hours, 0.0),
            "unknown_hours": np.where(category == UNKNOWN, hours, 0.0),
        }
    )
    if not keys:
        return cats[HOUR_COLUMNS].sum().to_frame().T
    return cats.groupby(keys, as_index=False, sort=True)[HOUR_COLUMNS].sum()


def share_columns(
    frame: pd.DataFrame, empty_reason: pd.Series | str, benchmark: float
) -> pd.DataFrame:
    """Returns `frame` with ``selling_share``, ``share_reason`` and ``gap_to_benchmark`` added.

    Requires columns ``hours``, ``selling_hours``; a row without hours gets an NA share
    and ``empty_reason``.
    """
    has_hours = frame["hours"] > 0
    share = (frame["selling_hours"] / frame["hours"].where(has_hours)).astype("Float64")
    frame["selling_share"] = share.where(has_hours, pd.NA)
    frame["share_reason"] = pd.Series(empty_reason, index=frame.index, dtype=object).where(
        ~has_hours, None
    )
    frame["gap_to_benchmark"] = frame["selling_share"] - benchmark
    return frame


def _positions(sorted_ids: np.ndarray, ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Returns each id's index in ``sorted_ids`` and whether it is there at all."""
    wanted = ids.to_numpy(dtype="int64", na_value=-1)
    if not len(sorted_ids):
        return np.zeros(len(wanted), dtype="int64"), np.zeros(len(wanted), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_ids, wanted), len(sorted_ids) - 1)
    return at, sorted_ids[at] == wanted


def rep_time_summary(
    rep_activity: Classified | pd.DataFrame,
    reps: pd.DataFrame,
    bookings: pd.DataFrame | None = None,
    *,
    benchmark: float,
) -> pd.DataFrame:
    """Returns one row per rep: hours by category, selling share and revenue per selling hour.

    Every rep in ``reps`` appears, including reps with no time logged (hours 0,
    ``selling_share`` NA, ``share_reason`` "no time logged in period"); a rep whose
    rows all have zero hours gets "zero hours logged".

    Requires columns ``rep_id``, ``hours``, ``category``, ``is_back_office`` in the
    classified rows; ``id``, ``name``, ``territory_id`` in ``reps``; ``rep_id``,
    ``bookings`` in ``bookings`` (optional; missing reps book 0).

    Returns a frame with columns ``rep_id``, ``name``, ``territory_id``, ``hours``,
    ``selling_hours``, ``non_selling_hours``, ``back_office_hours``, ``unknown_hours``,
    ``selling_share`` (Float64, NA when undefined), ``share_reason``,
    ``gap_to_benchmark``, ``bookings``, ``revenue_per_selling_hour`` (Float64),
    ``rpsh_reason``, sorted by ``rep_id``.
    """
    rows = activity_rows(rep_activity)
    out = reps[["id", "name", "territory_id"]].rename(columns={"id": "rep_id"})
    out = out.astype({"rep_id": "Int64"}).sort_values("rep_id", ignore_index=True)
    # Each row's position among the reps (by id), then one bincount per column.
    rep_ids = out["rep_id"].to_numpy(dtype="int64", na_value=-1)
    at, mine = _positions(rep_ids, rows["rep_id"])
    hours = rows["hours"].to_numpy(dtype=float)[mine]
    category = rows["category"].to_numpy(dtype=object)[mine]
    at = at[mine]

    def per_rep(values: np.ndarray) -> np.ndarray:
        return np.bincount(at, weights=values, minlength=len(rep_ids)).astype(float)

    out["hours"] = per_rep(hours)
    out["selling_hours"] = per_rep(np.where(category == SELLING, hours, 0.0))
    out["non_selling_hours"] = per_rep(np.where(category == NON_SELLING, hours, 0.0))
    out["back_office_hours"] = per_rep(
        np.where(rows["is_back_office"].to_numpy(dtype=bool)[mine], hours, 0.0)
    )
    out["unknown_hours"] = per_rep(np.where(category == UNKNOWN, hours, 0.0))
    logged = np.bincount(at, minlength=len(rep_ids)) > 0
    reason = np.where(logged, ZERO_HOURS_REASON, NO_TIME_REASON).astype(object)
    out = share_columns(out, pd.Series(reason, index=out.index, dtype=object), benchmark)
    booked: np.ndarray = np.zeros(len(rep_ids))
    if bookings is not None and len(bookings):
        where, found = _positions(rep_ids, bookings["rep_id"])
        amounts = bookings["bookings"].to_numpy(dtype=float)
        booked = np.bincount(where[found], weights=amounts[found], minlength=len(rep_ids))
    out["bookings"] = booked.astype(float)
    selling = out["selling_hours"].to_numpy()
    has_selling = selling > 0
    rpsh = np.divide(booked, selling, out=np.full(len(out), np.nan), where=has_selling)
    out["revenue_per_selling_hour"] = pd.array(rpsh, dtype="Float64")
    none = np.asarray(None, dtype=object)
    out["rpsh_reason"] = np.where(has_selling, none, NO_SELLING_REASON).astype(object)
    return out


@dataclass(frozen=True)
class TeamSummary:
    """Team-level hours and selling share against the benchmark."""

    hours: float
    selling_hours: float
    non_selling_hours: float
    back_office_hours: float
    unknown_hours: float
    selling_share: Figure
    back_office_share: Figure
    benchmark: float
    gap_to_benchmark: Figure
    mean_rep_share: Figure
    reps: int
    reps_with_time: int
    reps_below_benchmark: int
    bookings: float
    revenue_per_selling_hour: Figure

    def to_json(self) -> dict[str, object]:
        """Returns a JSON-safe dict; undefined figures are null with a ``*_reason`` key."""
        return to_json(self)


def team_time_summary(rep_summary: pd.DataFrame, *, benchmark: float) -> TeamSummary:
    """Returns the team's hours, hours-weighted selling share and revenue per selling hour.

    Revenue per selling hour divides the bookings of the reps who logged time by their
    selling hours (a rep without a time log adds bookings and no hours); ``bookings`` is
    every rep's. Requires the columns of ``rep_time_summary``.
    """
    total = float(rep_summary["hours"].sum())
    selling = float(rep_summary["selling_hours"].sum())
    share = ratio(selling, total, NO_TIME_REASON if total == 0 else ZERO_HOURS_REASON)
    defined = rep_summary["selling_share"].dropna()
    mean_share = Figure(float(defined.mean())) if len(defined) else Figure.undefined(NO_TIME_REASON)
    gap = Figure(share.value - benchmark) if share.value is not None else share
    bookings = float(rep_summary["bookings"].sum())
    return TeamSummary(
        hours=total,
        selling_hours=selling,
        non_selling_hours=float(rep_summary["non_selling_hours"].sum()),
        back_office_hours=float(rep_summary["back_office_hours"].sum()),
        unknown_hours=float(rep_summary["unknown_hours"].sum()),
        selling_share=share,
        back_office_share=ratio(
            float(rep_summary["back_office_hours"].sum()),
            total,
            NO_TIME_REASON if total == 0 else ZERO_HOURS_REASON,
        ),
        benchmark=benchmark,
        gap_to_benchmark=gap,
        mean_rep_share=mean_share,
        reps=len(rep_summary),
        reps_with_time=int((rep_summary["hours"] > 0).sum()),
        reps_below_benchmark=int((defined < benchmark).sum()),
        bookings=bookings,
        revenue_per_selling_hour=ratio(
            float(rep_summary.loc[rep_summary["hours"] > 0, "bookings"].sum()),
            selling,
            NO_SELLING_REASON,
        ),
    )


def hours_by_activity(rows: Classified | pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Returns hours and counts per activity, optionally per ``by`` keys (e.g. ``["rep_id"]``).

    Requires columns ``activity``, ``category``, ``is_back_office``, ``hours`` and
    optionally ``count`` plus the ``by`` columns. ``count`` is NA for an activity
    whose rows never count units (meetings, admin), not 0.

    Returns a frame with columns ``*by``, ``activity``, ``category``, ``is_back_office``,
    ``hours``, ``count``, ``share_of_hours`` (of the ``by`` group's hours; NA when
    the group has no hours), sorted by ``by`` then selling first then hours descending.
    """
    frame = activity_rows(rows)
    # Group ids by (*by, activity); category and is_back_office follow from the activity.
    group = frame.groupby([*by, "activity"], sort=False).ngroup().to_numpy()
    if (group < 0).any():  # rows with a missing key belong to no group
        frame, group = frame[group >= 0], group[group >= 0]
    groups = int(group.max()) + 1 if len(group) else 0
    first = np.unique(group, return_index=True)[1]
    counts = frame["count"] if "count" in frame else pd.Series(np.nan, index=frame.index)
    values = pd.to_numeric(counts).to_numpy(dtype=float, na_value=np.nan)
    counted = ~np.isnan(values)

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=weights, minlength=groups).astype(float)

    out = frame.iloc[first][[*by, "activity", "category", "is_back_office"]]
    out = out.reset_index(drop=True).astype({"is_back_office": bool})
    out["hours"] = total(frame["hours"].to_numpy(dtype=float))
    # NA when no row of the group counted units (meetings, admin), not 0
    out["count"] = pd.array(
        np.where(total(counted.astype(float)) > 0, total(np.nan_to_num(values)), np.nan),
        dtype="Float64",
    )
    group_total = out.groupby(list(by))["hours"].transform("sum") if by else out["hours"].sum()
    out["share_of_hours"] = (out["hours"] / pd.Series(group_total, index=out.index)).where(
        pd.Series(group_total, index=out.index) > 0
    )
    out["share_of_hours"] = out["share_of_hours"].astype("Float64")
    out["_selling_first"] = (out["category"] != SELLING).astype(int)
    out = out.sort_values(
        [*by, "_selling_first", "hours", "activity"],
        ascending=[True] * len(by) + [True, False, True],
    )
    return out.drop(columns="_selling_first").reset_index(drop=True)


def undefined_share_notes(rep_summary: pd.DataFrame) -> list[str]:
    """Returns "name (reason)" for every rep whose selling share is undefined.

    Requires columns ``name``, ``selling_share``, ``share_reason``.
    """
    undefined = rep_summary[rep_summary["selling_share"].isna()]
    return [f"{n} ({r})" for n, r in zip(undefined["name"], undefined["share_reason"], strict=True)]


def furthest_from_benchmark(rep_summary: pd.DataFrame, n: int) -> pd.DataFrame:
    """Returns up to ``n`` reps furthest below and ``n`` furthest above the benchmark.

    Reps without a defined share are left out (they are listed, with their reason, in
    ``rep_time_summary``). Reps exactly on the benchmark are in neither list.

    Requires columns ``rep_id``, ``name``, ``selling_share``, ``gap_to_benchmark``, ``hours``.

    Returns a frame with columns ``side`` (``below``/``above``), ``rep_id``, ``name``,
    ``hours``, ``selling_share``, ``gap_to_benchmark``; below first (most negative gap
    first), then above (largest gap first); ties broken by ``rep_id``.
    """
    cols = ["rep_id", "name", "hours", "selling_share", "gap_to_benchmark"]
    defined = rep_summary["selling_share"].notna().to_numpy()
    gap = rep_summary["gap_to_benchmark"].to_numpy(dtype=float, na_value=np.nan)
    ids = rep_summary["rep_id"].to_numpy(dtype="int64", na_value=-1)
    below = np.flatnonzero(defined & (gap < 0))
    above = np.flatnonzero(defined & (gap > 0))
    below = below[np.lexsort((ids[below], gap[below]))][:n]  # most negative first
    above = above[np.lexsort((ids[above], -gap[above]))][:n]  # largest first
    out = rep_summary.iloc[np.concatenate([below, above])][cols].reset_index(drop=True)
    out.insert(0, "side", np.array(["below"] * len(below) + ["above"] * len(above), dtype=object))
    return out


def share_distribution(rep_summary: pd.DataFrame, width: float = 0.05) -> pd.DataFrame:
    """Returns how many reps' selling shares fall in each band of ``width``, by benchmark side.

    Reps without a defined share are left out. A band holds shares from ``band_start`` up to
    but not including ``band_end`` (the last one includes a share of 1). ``position`` is
    ``below`` (gap to the benchmark < 0) or ``at/above``, as the per-rep bars colour them,
    so the band holding the benchmark can have a row of each.

    Requires columns ``selling_share``, ``gap_to_benchmark``.

    Returns a frame with columns ``band_start``, ``band_end``, ``position``, ``reps`` (int),
    only bands with reps, by band, below first.
    """
    defined = rep_summary[rep_summary["selling_share"].notna()]
    share = defined["selling_share"].to_numpy(dtype=float)
    gap = defined["gap_to_benchmark"].to_numpy(dtype=float)
    bands = round(1 / width)
    # rounded first: 0.35 / 0.05 is 6.999... in floating point, and 0.35 starts a band
    band = np.clip(np.floor(np.round(share / width, 9)), 0, bands - 1).astype("int64")
    below = gap < 0
    frame = pd.DataFrame({"band": band, "below": below})
    counts = frame.groupby(["band", "below"]).size().reset_index(name="reps")
    counts = counts.sort_values(["band", "below"], ascending=[True, False], ignore_index=True)
    return pd.DataFrame(
        {
            "band_start": counts["band"].to_numpy() * width,
            "band_end": (counts["band"].to_numpy() + 1) * width,
            "position": np.where(counts["below"], "below", "at/above").astype(object),
            "reps": counts["reps"].astype("int64"),
        }
    )
