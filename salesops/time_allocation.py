"""Rep time allocation: selling share, back-office unit costs and the freed-time what-if.

Pure functions over small, pre-aggregated frames (the repository groups the activity
rows in SQL first), so every slider-driven function answers in well under 100 ms.

Definitions used throughout:

* **Selling share** = hours in activities whose category is ``selling`` / all hours
  logged. Hours in activities unknown to ``activity_types`` (only kept when asked to)
  count in the denominator as category ``unknown``, so the share is never inflated.
  A rep or a week with no hours has no share (``None`` + reason), never 0.
* **Period membership**: an activity row is in a period when its ``week_start`` is;
  the team of a period is the reps employed in it (hire/end dates) plus anyone who
  logged hours or booked in it.
* **Team share** = team selling hours / team hours (hours-weighted, not the mean of
  rep shares; the mean is reported beside it).
* **Loaded hourly cost** of a rep = ``annual_cost / (weekly_capacity_hours x
  working_weeks)``; ``working_weeks`` defaults to 46 (52 weeks minus about 4 weeks
  of leave and 2 of public holidays), see ``Settings.working_weeks_per_year``.
* **Unit time** of an activity = activity hours / activity count (hours per quote,
  per proposal, per order processed); its **unit cost** = hours x the rep's loaded
  hourly cost / count. Team figures sum numerators and denominators over reps.
* **What-if** (team level): ``moved = X x hours of the chosen back-office
  activities``; ``extra selling hours = moved x conversion``; with team selling
  hours ``S0`` and bookings ``R0`` the revenue curve is ``R(S) = R0 x (S/S0)^b``
  (constant elasticity ``b`` in (0, 1]; ``b = 1`` is linear, i.e. the observed
  revenue per selling hour ``R0/S0`` for every extra hour; ``b < 1`` gives
  diminishing returns), so ``extra revenue = R0 x ((S0 + dS)/S0)^b - R0``.
  Sales-ops cost = ``moved x time_factor x sales-ops hourly cost``. SG&A baseline =
  the team's annual cost x period weeks / 52; SG&A change = (sales-ops cost -
  released rep cost) / baseline, also shown per unit of revenue.
* **Moving the middle**: reps ranked by productivity; the bottom and top
  ``floor(n x (1 - middle)/2)`` reps are excluded and the rest is the middle.
  Lifting a rep's productivity by ``p`` at the same selling hours adds
  ``p x bookings`` for that rep.
* **Ramp**: tenure month 1 is the hire month. The curve is mean bookings per rep
  in each tenure month; the ramped level is the mean over the rep-months at tenure
  ``ramped_from..max_tenure`` (the curve's plateau). Shortening the ramp by N
  months shifts the curve N months earlier:
  ``gain per hire = sum_{m=1..W} (c[m+N] - c[m])`` with ``c[m] = ramped`` for
  ``m > W = ramped_from - 1``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from salesops.figures import Figure

SELLING = "selling"
NON_SELLING = "non_selling"
UNKNOWN = "unknown"
CATEGORIES = (SELLING, NON_SELLING)

DEFAULT_BENCHMARK = 1 / 3
DEFAULT_WORKING_WEEKS = 46
LITERATURE_REVENUE_LIFT = (0.10, 0.20)
LITERATURE_SGA_REDUCTION = (0.20, 0.30)

NO_TIME_REASON = "no time logged in period"
ZERO_HOURS_REASON = "zero hours logged"
NO_SELLING_REASON = "no selling hours logged: revenue per selling hour undefined"


def _to_json(obj: object) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in vars(obj).items():
        if isinstance(value, Figure):
            out[key] = value.value
            out[f"{key}_reason"] = value.reason
        elif isinstance(value, pd.DataFrame):
            out[key] = _records(value)
        else:
            out[key] = value
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Returns the frame as JSON-safe records: NA/NaN become None, numpy scalars plain."""
    clean = frame.astype(object).where(frame.notna(), None)
    records = clean.to_dict(orient="records")
    for rec in records:
        for k, v in rec.items():
            if isinstance(v, np.generic):
                rec[k] = v.item()
            elif isinstance(v, pd.Timestamp):
                rec[k] = v.date().isoformat()
    return records


def _ratio(numerator: float, denominator: float, reason: str) -> Figure:
    if denominator == 0 or pd.isna(denominator):
        return Figure.undefined(reason)
    return Figure(float(numerator) / float(denominator))


# --------------------------------------------------------------------------- classification


class UnknownActivityError(ValueError):
    """Activities were logged that ``activity_types`` does not define."""

    def __init__(self, activities: Sequence[str], hours: float) -> None:
        self.activities = tuple(activities)
        self.hours = float(hours)
        super().__init__(unknown_activity_message(self.activities, self.hours))


def unknown_activity_message(activities: Sequence[str], hours: float) -> str:
    """Returns the one-sentence message naming activities missing from activity_types."""
    names = ", ".join(repr(a) for a in activities)
    return (
        f"{len(activities)} logged activit{'y is' if len(activities) == 1 else 'ies are'} "
        f"not in activity_types ({names}; {hours:g} hours): add them to activity_types "
        "with a category (selling / non_selling)."
    )


@dataclass(frozen=True)
class Classified:
    """Activity rows joined with their category; unknown activities listed, never dropped."""

    frame: pd.DataFrame
    unknown_activities: tuple[str, ...] = ()
    unknown_hours: float = 0.0

    @property
    def warning(self) -> str | None:
        """Returns the unknown-activity message, or None when every activity is known."""
        if not self.unknown_activities:
            return None
        return unknown_activity_message(self.unknown_activities, self.unknown_hours) + (
            " Their hours count as 'unknown' (not selling) until then."
        )


def classify_activities(
    activities: pd.DataFrame, activity_types: pd.DataFrame, *, on_unknown: str = "raise"
) -> Classified:
    """Returns the activity rows with ``category`` and ``is_back_office`` added.

    Requires columns ``activity``, ``hours`` (any others, e.g. ``rep_id``, ``period``,
    ``count``, are kept) in ``activities`` and ``activity``, ``category``,
    ``is_back_office`` in ``activity_types``.

    Returns a frame with the input columns plus ``category`` (``selling``,
    ``non_selling`` or ``unknown``) and ``is_back_office`` (bool).

    Args:
        activities: Activity hours at any grain.
        activity_types: The activity catalogue.
        on_unknown: ``"raise"`` raises UnknownActivityError listing the activities not
            in the catalogue; ``"keep"`` keeps their rows as category ``unknown`` and
            reports them on the result (``Classified.warning``).

    Raises:
        UnknownActivityError: an activity is not in ``activity_types`` and
            ``on_unknown="raise"``.
        ValueError: ``activity_types`` has a category other than selling/non_selling,
            or ``on_unknown`` is not one of the two options.
    """
    if on_unknown not in ("raise", "keep"):
        raise ValueError(f"on_unknown must be 'raise' or 'keep', not {on_unknown!r}.")
    bad = sorted(set(activity_types["category"].dropna()) - set(CATEGORIES))
    if bad or activity_types["category"].isna().any():
        raise ValueError(
            f"activity_types has categories {bad or ['<empty>']}; "
            "each activity must be 'selling' or 'non_selling'."
        )
    catalogue = activity_types.drop_duplicates("activity").set_index("activity")
    category = dict(zip(catalogue.index, catalogue["category"], strict=True))
    back_office = {
        a for a, b in zip(catalogue.index, catalogue["is_back_office"], strict=True) if b
    }
    frame = activities.copy()
    # Classify each distinct name once (tens of them), then spread by its code.
    codes, names = pd.factorize(frame["activity"].astype(object))
    names = [*names, np.nan]  # code -1 (a missing name) picks this last slot
    known = np.array([name in category for name in names])[codes]
    unknown: tuple[str, ...] = tuple(
        sorted({str(name) for name in np.asarray(names, dtype=object)[codes][~known]})
    )
    frame["hours"] = frame["hours"].astype(float)
    unknown_hours = float(frame["hours"].to_numpy()[~known].sum())
    if unknown and on_unknown == "raise":
        raise UnknownActivityError(unknown, unknown_hours)
    frame["category"] = np.array([category.get(n, UNKNOWN) for n in names], dtype=object)[codes]
    frame["is_back_office"] = np.array([n in back_office for n in names], dtype=bool)[codes]
    return Classified(frame=frame, unknown_activities=unknown, unknown_hours=unknown_hours)


# --------------------------------------------------------------------------- shares


def _category_hours(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
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
    cols = ["hours", "selling_hours", "non_selling_hours", "back_office_hours", "unknown_hours"]
    if not keys:
        return cats[cols].sum().to_frame().T
    return cats.groupby(keys, as_index=False, sort=True)[cols].sum()


def _share_columns(
    frame: pd.DataFrame, empty_reason: pd.Series | str, benchmark: float
) -> pd.DataFrame:
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
    benchmark: float = DEFAULT_BENCHMARK,
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
    rows = rep_activity.frame if isinstance(rep_activity, Classified) else rep_activity
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
    out = _share_columns(out, pd.Series(reason, index=out.index, dtype=object), benchmark)
    booked = np.zeros(len(rep_ids))
    if bookings is not None and len(bookings):
        where, found = _positions(rep_ids, bookings["rep_id"])
        amounts = bookings["bookings"].to_numpy(dtype=float)
        booked = np.bincount(where[found], weights=amounts[found], minlength=len(rep_ids))
    out["bookings"] = booked.astype(float)
    selling = out["selling_hours"].to_numpy()
    has_selling = selling > 0
    rpsh = np.divide(booked, selling, out=np.full(len(out), np.nan), where=has_selling)
    out["revenue_per_selling_hour"] = pd.array(rpsh, dtype="Float64")
    out["rpsh_reason"] = np.where(has_selling, None, NO_SELLING_REASON).astype(object)
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
        return _to_json(self)


def team_time_summary(
    rep_summary: pd.DataFrame, *, benchmark: float = DEFAULT_BENCHMARK
) -> TeamSummary:
    """Returns the team's hours, hours-weighted selling share and revenue per selling hour.

    Requires the columns of ``rep_time_summary``.
    """
    total = float(rep_summary["hours"].sum())
    selling = float(rep_summary["selling_hours"].sum())
    share = _ratio(selling, total, NO_TIME_REASON if total == 0 else ZERO_HOURS_REASON)
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
        back_office_share=_ratio(
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
        revenue_per_selling_hour=_ratio(bookings, selling, NO_SELLING_REASON),
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
    frame = rows.frame if isinstance(rows, Classified) else rows
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


def selling_share_trend(
    rows: Classified | pd.DataFrame,
    *,
    freq: str = "W",
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    benchmark: float = DEFAULT_BENCHMARK,
) -> pd.DataFrame:
    """Returns selling share per period, one row for every period from start to end.

    A week is bucketed into the month its ``week_start`` (Monday) falls in. Periods
    with no rows, or rows summing to zero hours, appear with ``hours`` 0 and an NA
    share with a reason (a gap in the chart, not a 0%).

    Requires columns ``period`` (a week_start Monday for ``freq="W"``, a month start
    for ``freq="M"``; finer periods are bucketed), ``hours``, ``category``,
    ``is_back_office``.

    Returns a frame with columns ``period``, ``hours``, ``selling_hours``,
    ``non_selling_hours``, ``back_office_hours``, ``unknown_hours``,
    ``selling_share`` (Float64), ``share_reason``, ``gap_to_benchmark``.
    """
    if freq not in ("W", "M"):
        raise ValueError(f"freq must be 'W' or 'M', not {freq!r}.")
    frame = rows.frame if isinstance(rows, Classified) else rows
    frame = frame.assign(period=_bucket(pd.to_datetime(frame["period"]), freq))
    per = _category_hours(frame, ["period"]) if len(frame) else None
    lo = None
    if start is not None:
        # Rows belong to a period by their week_start, so the first week is the first
        # Monday on or after start (a week that began earlier is not in the period).
        first = pd.Timestamp(start).normalize()
        if freq == "W":
            lo = first + pd.Timedelta(days=(7 - first.weekday()) % 7)
        else:
            lo = _bucket_one(first, freq)
    hi = _bucket_one(end, freq) if end is not None else None
    if per is not None and len(per):
        lo = per["period"].min() if lo is None else lo
        hi = per["period"].max() if hi is None else hi
    cols = ["hours", "selling_hours", "non_selling_hours", "back_office_hours", "unknown_hours"]
    if lo is None or hi is None or lo > hi:
        out = pd.DataFrame({"period": pd.Series([], dtype="datetime64[ns]")})
        for col in cols:
            out[col] = pd.Series([], dtype=float)
        return _share_columns(out, NO_TIME_REASON, benchmark)
    periods = pd.date_range(lo, hi, freq="W-MON" if freq == "W" else "MS")
    out = pd.DataFrame({"period": periods.astype("datetime64[ns]")})
    if per is not None:
        per = per.astype({"period": "datetime64[ns]"})
        out = out.merge(per, on="period", how="left")
    out = out.reindex(columns=["period", *cols]).fillna({c: 0.0 for c in cols})
    return _share_columns(out, "no hours logged in this period", benchmark)


def _bucket(dates: pd.Series, freq: str) -> pd.Series:
    if freq == "W":
        return (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()
    return dates.dt.to_period("M").dt.to_timestamp()


def _bucket_one(value: pd.Timestamp | str, freq: str) -> pd.Timestamp:
    return _bucket(pd.Series([pd.Timestamp(value)]), freq).iloc[0]


def undefined_share_notes(rep_summary: pd.DataFrame) -> list[str]:
    """Returns "name (reason)" for every rep whose selling share is undefined.

    Requires columns ``name``, ``selling_share``, ``share_reason``.
    """
    undefined = rep_summary[rep_summary["selling_share"].isna()]
    return [f"{n} ({r})" for n, r in zip(undefined["name"], undefined["share_reason"], strict=True)]


def furthest_from_benchmark(rep_summary: pd.DataFrame, n: int = 5) -> pd.DataFrame:
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


# --------------------------------------------------------------------------- unit costs


def loaded_hourly_cost(
    reps: pd.DataFrame, *, working_weeks: float = DEFAULT_WORKING_WEEKS
) -> pd.DataFrame:
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
    frame = rep_activity.frame if isinstance(rep_activity, Classified) else rep_activity
    if activities is None:
        chosen = sorted(frame.loc[frame["is_back_office"], "activity"].unique())
    else:
        chosen = list(activities)
    frame = frame[frame["activity"].isin(chosen)]
    counts = pd.to_numeric(frame["count"]).to_numpy(dtype=float, na_value=0.0)
    per = frame[["rep_id", "activity", "hours"]].assign(count=counts)
    per = per.groupby(["rep_id", "activity"], as_index=False, sort=True)[["hours", "count"]].sum()
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

    def unit(numerator: np.ndarray, denominator: np.ndarray, ok: np.ndarray) -> pd.array:
        safe = np.where(ok & (denominator > 0), denominator, 1.0)
        return pd.array(np.where(ok & (denominator > 0), numerator / safe, np.nan), dtype="Float64")

    no_units = "no units counted (count is 0)"
    rep_reason = [
        no_units if c <= 0 else (None if k else why_of.get(r) or "rep not in the reps table")
        for c, k, r in zip(count, known, rep_ids, strict=True)
    ]
    lookup = {} if names is None else dict(zip(names["id"].astype(int), names["name"], strict=True))
    rep_rows = pd.DataFrame(
        {
            "scope": "rep",
            "rep_id": pd.array(rep_ids, dtype="Int64"),
            "name": [lookup.get(r, str(r)) for r in rep_ids],
            "activity": per["activity"].to_numpy(dtype=object),
            "hours": hours,
            "count": count,
            "hours_per_unit": unit(hours, count, np.ones(len(per), dtype=bool)),
            "hourly_cost": pd.array(rate, dtype="Float64"),
            "cost_per_unit": unit(cost_hours, count, known),
            "reason": pd.Series(rep_reason, dtype=object).to_numpy(),
        }
    )
    sums = pd.DataFrame(
        {
            "activity": rep_rows["activity"],
            "hours": hours,
            "count": count,
            "cost_hours": cost_hours,
            "costed_count": np.where(known, count, 0.0),
            "costed_hours": np.where(known, hours, 0.0),
        }
    ).groupby("activity", sort=True)
    team = sums.sum()
    t_hours, t_count = team["hours"].to_numpy(), team["count"].to_numpy()
    t_cost, t_costed = team["cost_hours"].to_numpy(), team["costed_count"].to_numpy()
    t_costed_hours = team["costed_hours"].to_numpy()
    team_reason = [
        no_units if c <= 0 else (None if k > 0 else "no rep with a known hourly cost")
        for c, k in zip(t_count, t_costed, strict=True)
    ]
    team_rows = pd.DataFrame(
        {
            "scope": "team",
            "rep_id": pd.array([pd.NA] * len(team), dtype="Int64"),
            "name": "Team",
            "activity": team.index.to_numpy(dtype=object),
            "hours": t_hours,
            "count": t_count,
            "hours_per_unit": unit(t_hours, t_count, np.ones(len(team), dtype=bool)),
            "hourly_cost": unit(t_cost, t_costed_hours, np.ones(len(team), dtype=bool)),
            "cost_per_unit": unit(t_cost, t_costed, np.ones(len(team), dtype=bool)),
            "reason": pd.Series(team_reason, dtype=object).to_numpy(),
        }
    )
    rep_rows = rep_rows.sort_values(["activity", "rep_id"], kind="stable")
    return pd.concat([team_rows, rep_rows], ignore_index=True)


# --------------------------------------------------------------------------- what-if


@dataclass(frozen=True)
class WhatIfBase:
    """Pre-aggregated team figures the what-if needs; built once per filter change.

    ``activity_hours`` maps each back-office activity to its team hours,
    ``activity_cost`` to ``sum(hours x rep hourly cost)`` over reps with a known cost.
    """

    activity_hours: dict[str, float]
    activity_cost: dict[str, float]
    selling_hours: float
    bookings: float
    sga: float
    period_weeks: float
    mean_hourly_cost: float | None


@dataclass(frozen=True)
class WhatIfScenario:
    """The what-if sliders.

    Attributes:
        shift_share: Share X (0..1) of the chosen activities' hours moved to sales ops.
        activities: Back-office activities to move; None means all of them.
        sales_ops_hourly_cost: Loaded hourly cost of a sales-ops person.
        sales_ops_time_factor: Sales-ops hours needed per rep hour moved (1 = as slow
            as a rep; 0.7 = 30% faster through specialisation).
        selling_conversion: Share of freed rep hours that actually become selling hours.
        elasticity: Exponent b of the revenue curve R(S) = R0 (S/S0)^b; 1 = linear,
            below 1 = diminishing returns.
        release_unconverted: Count the cost of freed hours that do not go to selling as
            released (e.g. fewer hires); otherwise rep cost is unchanged.
    """

    shift_share: float = 0.5
    activities: tuple[str, ...] | None = None
    sales_ops_hourly_cost: float = 40.0
    sales_ops_time_factor: float = 1.0
    selling_conversion: float = 0.5
    elasticity: float = 1.0
    release_unconverted: bool = False


@dataclass(frozen=True)
class WhatIfResult:
    """What moving back-office work to sales ops does to hours, revenue and SG&A."""

    moved_hours: float
    extra_selling_hours: float
    selling_hours_before: float
    selling_hours_after: float
    revenue_per_selling_hour: Figure
    bookings_before: float
    extra_revenue: Figure
    sales_ops_hours: float
    sales_ops_cost: float
    released_rep_cost: float
    net_gain: Figure
    revenue_lift: Figure
    sga_before: float
    sga_change: Figure
    sga_to_revenue_change: Figure
    by_activity: pd.DataFrame = field(repr=False)

    def to_json(self) -> dict[str, object]:
        """Returns a JSON-safe dict; undefined figures are null with a ``*_reason`` key."""
        return _to_json(self)


def what_if_base(
    rep_activity: Classified | pd.DataFrame,
    rep_summary: pd.DataFrame,
    hourly_costs: pd.DataFrame,
    reps: pd.DataFrame,
    *,
    period_weeks: float,
    working_weeks: float = 52.0,
) -> WhatIfBase:
    """Returns the pre-aggregated figures the what-if reads (one pass, reused by sliders).

    SG&A baseline = sum of reps' annual_cost x period_weeks / ``working_weeks``
    (52: salary is paid all year) over the reps in scope.

    Requires columns ``rep_id``, ``activity``, ``hours``, ``is_back_office`` in the
    rows; the ``rep_time_summary`` and ``loaded_hourly_cost`` outputs; ``id``,
    ``annual_cost`` in ``reps``.
    """
    frame = rep_activity.frame if isinstance(rep_activity, Classified) else rep_activity
    back = frame[frame["is_back_office"]].astype({"rep_id": "Int64"})
    back = back.merge(hourly_costs[["rep_id", "hourly_cost"]], on="rep_id", how="left")
    back["cost"] = back["hours"] * back["hourly_cost"].astype(float)
    hours = back.groupby("activity")["hours"].sum()
    cost = back.groupby("activity")["cost"].sum(min_count=0)
    known = hourly_costs["hourly_cost"].dropna()
    sga = float(pd.to_numeric(reps["annual_cost"]).fillna(0).sum()) * period_weeks / working_weeks
    return WhatIfBase(
        activity_hours={str(k): float(v) for k, v in hours.items()},
        activity_cost={str(k): float(v) for k, v in cost.items()},
        selling_hours=float(rep_summary["selling_hours"].sum()),
        bookings=float(rep_summary["bookings"].sum()),
        sga=sga,
        period_weeks=float(period_weeks),
        mean_hourly_cost=float(known.mean()) if len(known) else None,
    )


def default_sales_ops_hourly_cost(base: WhatIfBase, ratio: float = 0.5) -> float:
    """Returns a starting value for the sales-ops cost slider: ``ratio`` x mean rep hourly cost."""
    if base.mean_hourly_cost is None:
        return 40.0
    return round(base.mean_hourly_cost * ratio, 2)


def what_if(base: WhatIfBase, scenario: WhatIfScenario) -> WhatIfResult:
    """Returns freed hours, extra revenue, sales-ops cost and the revenue/SG&A changes.

    Formulas (team level; see the module docstring):
    ``moved = X x sum(hours of chosen activities)``;
    ``dS = moved x conversion``; ``extra = R0 x ((S0 + dS)/S0)^b - R0``;
    ``ops cost = moved x time_factor x ops rate``; ``released = (1 - conversion) x X x
    sum(hours x rep rate of chosen activities)`` when ``release_unconverted`` else 0;
    ``net gain = extra - ops cost + released``; ``revenue lift = extra / R0``;
    ``SG&A change = (ops cost - released) / SG&A``; SG&A-to-revenue change =
    ``((SG&A + ops - released) / (R0 + extra)) / (SG&A / R0) - 1``.

    Revenue figures are undefined (None + reason) when there are no selling hours.

    Raises:
        ValueError: a slider is out of range, or a chosen activity is not back-office.
    """
    s = scenario
    for name, value, lo, hi in [
        ("shift_share", s.shift_share, 0.0, 1.0),
        ("selling_conversion", s.selling_conversion, 0.0, 1.0),
    ]:
        if not lo <= value <= hi:
            raise ValueError(f"{name} must be between {lo:g} and {hi:g}, not {value:g}.")
    if not 0 < s.elasticity <= 1:
        raise ValueError(f"elasticity must be in (0, 1], not {s.elasticity:g}.")
    if s.sales_ops_hourly_cost < 0 or s.sales_ops_time_factor < 0:
        raise ValueError("sales-ops hourly cost and time factor cannot be negative.")
    chosen = list(base.activity_hours) if s.activities is None else list(s.activities)
    not_back = sorted(set(chosen) - set(base.activity_hours))
    if not_back:
        raise ValueError(
            f"Only back-office activities with logged hours can move to sales ops; "
            f"not: {', '.join(not_back)}."
        )
    by_activity = pd.DataFrame(
        {
            "activity": chosen,
            "rep_hours": [base.activity_hours[a] for a in chosen],
        }
    )
    by_activity["moved_hours"] = by_activity["rep_hours"] * s.shift_share
    by_activity["sales_ops_hours"] = by_activity["moved_hours"] * s.sales_ops_time_factor
    by_activity["sales_ops_cost"] = by_activity["sales_ops_hours"] * s.sales_ops_hourly_cost
    moved = float(by_activity["moved_hours"].sum())
    ops_hours = moved * s.sales_ops_time_factor
    ops_cost = ops_hours * s.sales_ops_hourly_cost
    released = 0.0
    if s.release_unconverted:
        released = (
            (1 - s.selling_conversion)
            * s.shift_share
            * sum(base.activity_cost.get(a, 0.0) for a in chosen)
        )
    d_selling = moved * s.selling_conversion
    s0, r0 = base.selling_hours, base.bookings
    rpsh = _ratio(r0, s0, NO_SELLING_REASON)
    if rpsh.value is None:
        extra = Figure.undefined(NO_SELLING_REASON)
    else:
        extra = Figure(r0 * ((s0 + d_selling) / s0) ** s.elasticity - r0)
    net = (
        Figure(extra.value - ops_cost + released)
        if extra.value is not None
        else Figure.undefined(extra.reason or NO_SELLING_REASON)
    )
    if extra.value is None:
        lift = extra
    else:
        lift = _ratio(extra.value, r0, "no bookings in period: revenue lift undefined")
    sga_delta = ops_cost - released
    sga_change = _ratio(sga_delta, base.sga, "no rep cost recorded: SG&A change undefined")
    if extra.value is None or r0 == 0 or base.sga == 0:
        ratio_change = Figure.undefined(
            extra.reason if extra.value is None else "no bookings or no rep cost in period"
        )
    else:
        ratio_change = Figure(((base.sga + sga_delta) / (r0 + extra.value)) / (base.sga / r0) - 1)
    return WhatIfResult(
        moved_hours=moved,
        extra_selling_hours=d_selling,
        selling_hours_before=s0,
        selling_hours_after=s0 + d_selling,
        revenue_per_selling_hour=rpsh,
        bookings_before=r0,
        extra_revenue=extra,
        sales_ops_hours=ops_hours,
        sales_ops_cost=ops_cost,
        released_rep_cost=released,
        net_gain=net,
        revenue_lift=lift,
        sga_before=base.sga,
        sga_change=sga_change,
        sga_to_revenue_change=ratio_change,
        by_activity=by_activity,
    )


def literature_comparison(result: WhatIfResult) -> pd.DataFrame:
    """Returns the scenario's revenue lift and SG&A changes beside the literature ranges.

    The literature reports a 10-20% revenue lift and a 20-30% SG&A reduction from
    sales-operations excellence. SG&A is compared two ways: the absolute cost change
    and the change in SG&A per unit of revenue. ``status`` is ``below``, ``within``,
    ``above`` (for reductions: ``above`` means a bigger cut than reported) or
    ``undefined``.

    Returns a frame with columns ``metric``, ``value`` (Float64), ``low``, ``high``,
    ``status``, ``reason``.
    """
    lo_r, hi_r = LITERATURE_REVENUE_LIFT
    lo_s, hi_s = LITERATURE_SGA_REDUCTION
    rows = [
        ("revenue lift", result.revenue_lift, lo_r, hi_r, 1.0),
        ("SG&A reduction", result.sga_change, lo_s, hi_s, -1.0),
        ("SG&A-to-revenue reduction", result.sga_to_revenue_change, lo_s, hi_s, -1.0),
    ]
    records = []
    for metric, fig, lo, hi, sign in rows:
        if fig.value is None:
            value, status = None, "undefined"
        else:
            value = sign * fig.value
            status = "below" if value < lo else "above" if value > hi else "within"
        records.append(
            {
                "metric": metric,
                "value": value,
                "low": lo,
                "high": hi,
                "status": status,
                "reason": fig.reason,
            }
        )
    out = pd.DataFrame(records)
    out["value"] = out["value"].astype("Float64")
    return out


# --------------------------------------------------------------------------- moving the middle


def productivity_distribution(
    rep_summary: pd.DataFrame, *, basis: str = "per_selling_hour", middle_share: float = 0.6
) -> pd.DataFrame:
    """Returns each rep's productivity, rank and group (bottom / middle / top).

    ``basis="per_selling_hour"`` ranks by bookings per selling hour (reps with no
    selling hours are listed with group ``excluded`` and a reason);
    ``basis="per_rep"`` ranks by bookings. With n ranked reps, the bottom and top
    ``k = floor(n x (1 - middle_share) / 2)`` are excluded from the middle; the
    single best rep is ``top_performer``.

    Requires columns ``rep_id``, ``name``, ``bookings``, ``selling_hours``.

    Returns a frame with columns ``rep_id``, ``name``, ``bookings``, ``selling_hours``,
    ``productivity`` (Float64), ``rank`` (1 = lowest, Int64), ``group``,
    ``top_performer`` (bool), ``reason``; sorted by productivity ascending, excluded last.
    """
    if basis not in ("per_selling_hour", "per_rep"):
        raise ValueError(f"basis must be 'per_selling_hour' or 'per_rep', not {basis!r}.")
    if not 0 < middle_share <= 1:
        raise ValueError("middle_share must be in (0, 1].")
    out = rep_summary[["rep_id", "name", "bookings", "selling_hours"]].copy()
    if basis == "per_selling_hour":
        ok = out["selling_hours"] > 0
        out["productivity"] = (out["bookings"] / out["selling_hours"].where(ok)).astype("Float64")
        out["reason"] = pd.Series(NO_SELLING_REASON, index=out.index, dtype=object).where(~ok)
    else:
        out["productivity"] = out["bookings"].astype("Float64")
        out["reason"] = pd.Series(None, index=out.index, dtype=object)
    ranked = out[out["productivity"].notna()].sort_values(["productivity", "rep_id"])
    n = len(ranked)
    k = math.floor(n * (1 - middle_share) / 2 + 1e-9)
    ranked = ranked.assign(rank=pd.array(range(1, n + 1), dtype="Int64"))
    group = np.where(
        ranked["rank"] <= k, "bottom", np.where(ranked["rank"] > n - k, "top", "middle")
    )
    ranked = ranked.assign(group=group, top_performer=ranked["rank"] == n)
    rest = out[out["productivity"].isna()].assign(
        rank=pd.array([pd.NA] * int(out["productivity"].isna().sum()), dtype="Int64"),
        group="excluded",
        top_performer=False,
    )
    result = pd.concat([ranked, rest.sort_values("rep_id")], ignore_index=True)
    result["top_performer"] = result["top_performer"].astype(bool)
    return result[
        [
            "rep_id",
            "name",
            "bookings",
            "selling_hours",
            "productivity",
            "rank",
            "group",
            "top_performer",
            "reason",
        ]
    ]


@dataclass(frozen=True)
class MiddleLift:
    """What lifting the middle of the distribution adds versus lifting the top performer."""

    lift: float
    middle_reps: int
    middle_bookings: float
    middle_gain: float
    top_rep: str | None
    top_bookings: float
    top_gain: float
    total_bookings: float
    middle_gain_share_of_total: Figure
    middle_to_top_ratio: Figure

    def to_json(self) -> dict[str, object]:
        """Returns a JSON-safe dict; undefined figures are null with a ``*_reason`` key."""
        return _to_json(self)


def middle_lift(distribution: pd.DataFrame, lift: float) -> MiddleLift:
    """Returns the bookings added by lifting the middle group vs the top performer by ``lift``.

    Lifting a rep's productivity by ``lift`` at the same selling hours (or the same
    headcount) adds ``lift x bookings`` for that rep.

    Requires the output of ``productivity_distribution``.
    """
    if lift < 0:
        raise ValueError("lift cannot be negative.")
    group = distribution["group"].to_numpy(dtype=object)
    bookings = distribution["bookings"].to_numpy(dtype=float)
    is_top = distribution["top_performer"].to_numpy(dtype=bool)
    middle_bookings = float(bookings[group == "middle"].sum())
    top_bookings = float(bookings[is_top].sum())
    total = float(bookings[group != "excluded"].sum())
    top_names = distribution["name"].to_numpy(dtype=object)[is_top]
    middle_gain = middle_bookings * lift
    top_gain = top_bookings * lift
    return MiddleLift(
        lift=lift,
        middle_reps=int((group == "middle").sum()),
        middle_bookings=middle_bookings,
        middle_gain=middle_gain,
        top_rep=str(top_names[0]) if len(top_names) else None,
        top_bookings=top_bookings,
        top_gain=top_gain,
        total_bookings=total,
        middle_gain_share_of_total=_ratio(middle_gain, total, "no bookings among ranked reps"),
        middle_to_top_ratio=_ratio(
            middle_gain, top_gain, "top performer adds nothing (no bookings or lift 0)"
        ),
    )


# --------------------------------------------------------------------------- ramp


def _month_index(dates: pd.Series) -> pd.Series:
    d = pd.to_datetime(dates)
    return d.dt.year * 12 + d.dt.month - 1


@dataclass(frozen=True)
class RampCurve:
    """Mean bookings per rep by tenure month, and the fully ramped level."""

    curve: pd.DataFrame
    ramped_from: int
    ramped_level: Figure
    months_to_ramp: Figure
    threshold: float

    def to_json(self) -> dict[str, object]:
        """Returns a JSON-safe dict (curve as records)."""
        records = [
            {
                "tenure_month": int(r.tenure_month),
                "reps": int(r.reps),
                "bookings_per_rep": None
                if pd.isna(r.bookings_per_rep)
                else float(r.bookings_per_rep),
            }
            for r in self.curve.itertuples()
        ]
        return {
            "curve": records,
            "ramped_from": self.ramped_from,
            "ramped_level": self.ramped_level.value,
            "ramped_level_reason": self.ramped_level.reason,
            "months_to_ramp": self.months_to_ramp.value,
            "months_to_ramp_reason": self.months_to_ramp.reason,
            "threshold": self.threshold,
        }


def ramp_curve(
    monthly_bookings: pd.DataFrame,
    reps: pd.DataFrame,
    *,
    window_start: pd.Timestamp | str,
    window_end: pd.Timestamp | str,
    ramped_from: int = 13,
    max_tenure: int = 24,
    threshold: float = 0.9,
) -> RampCurve:
    """Returns mean bookings per rep by tenure month (1 = hire month) and the ramped level.

    The ramped level is the mean bookings per rep-month at tenure ``ramped_from`` to
    ``max_tenure`` (the plateau of the same curve, so the same cohorts).

    Every rep-month the rep was employed inside the window counts, with 0 bookings
    when nothing closed (so the curve is not biased upwards by months without deals).
    Months before ``hire_date``, after ``end_date`` or outside the window are left out.

    Requires columns ``rep_id``, ``month`` (any date in the month), ``bookings`` in
    ``monthly_bookings``; ``id``, ``hire_date``, ``end_date`` (optional) in ``reps``.

    Args:
        monthly_bookings: Won amount per rep and month.
        reps: The reps in scope.
        window_start: First month of observed bookings.
        window_end: Last month of observed bookings.
        ramped_from: Tenure month from which a rep counts as fully ramped.
        max_tenure: Tenure months shown on the curve (>= ramped_from).
        threshold: Share of the ramped level that counts as "ramped" for
            ``months_to_ramp`` (the first tenure month reaching it).

    Returns a RampCurve whose ``curve`` has columns ``tenure_month``, ``reps``
    (rep-months observed), ``bookings_per_rep`` (Float64, NA when no rep was observed).
    """
    if ramped_from < 2:
        raise ValueError("ramped_from must be at least 2 (tenure month 1 is the hire month).")
    max_tenure = max(max_tenure, ramped_from)
    lo = int(_month_index(pd.Series([pd.Timestamp(window_start)])).iloc[0])
    hi = int(_month_index(pd.Series([pd.Timestamp(window_end)])).iloc[0])
    people = reps[reps["hire_date"].notna()]
    hire = _month_index(people["hire_date"]).to_numpy(dtype="int64")
    end = np.full(len(people), hi, dtype="int64")
    if "end_date" in people:
        end_dates = pd.to_datetime(people["end_date"])
        left = end_dates.notna().to_numpy()
        end[left] = _month_index(end_dates[left]).to_numpy(dtype="int64")
    # Every observed rep-month: calendar months from max(hire, lo) to min(end, hi).
    first = np.maximum(hire, lo)
    last = np.minimum(np.minimum(end, hi), hire + max_tenure - 1)  # nothing beyond the curve
    length = np.clip(last - first + 1, 0, None)
    starts = np.repeat(first, length)
    offset = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
    month_idx = starts + offset
    tenure_month = month_idx - np.repeat(hire, length) + 1  # 1 .. max_tenure
    # Each rep-month's bookings: look its (rep, month) key up among the booked ones.
    months_per_rep = 1 << 20  # month indexes are year x 12 + month, far below this
    grid_keys = np.repeat(people["id"].astype("int64").to_numpy(), length) * months_per_rep
    grid_keys += month_idx
    booked_keys = monthly_bookings["rep_id"].to_numpy(dtype="int64") * months_per_rep
    booked_keys += _month_index(monthly_bookings["month"]).to_numpy(dtype="int64")
    keys, which = np.unique(booked_keys, return_inverse=True)
    sums = np.bincount(
        which, weights=monthly_bookings["bookings"].to_numpy(dtype=float), minlength=len(keys)
    )
    bookings = np.zeros(len(grid_keys))
    if len(keys):
        at = np.minimum(np.searchsorted(keys, grid_keys), len(keys) - 1)
        bookings = np.where(keys[at] == grid_keys, sums[at], 0.0)
    reps_at = np.bincount(tenure_month, minlength=max_tenure + 1)[1 : max_tenure + 1]
    total_at = np.bincount(tenure_month, weights=bookings, minlength=max_tenure + 1)
    total_at = total_at[1 : max_tenure + 1]
    per_rep = np.divide(total_at, reps_at, out=np.full(max_tenure, np.nan), where=reps_at > 0)
    curve = pd.DataFrame(
        {
            "tenure_month": np.arange(1, max_tenure + 1),
            "reps": reps_at.astype(int),
            "bookings_per_rep": pd.array(per_rep, dtype="Float64"),
        }
    )
    # The ramped level is the curve's own plateau (tenure ramped_from..max_tenure), so
    # it compares like with like: long-tenured reps hired years earlier are another cohort.
    n_ramped = int(reps_at[ramped_from - 1 :].sum())
    total_ramped = float(total_at[ramped_from - 1 :].sum())
    if n_ramped == 0:
        level = Figure.undefined(f"no rep observed at tenure months {ramped_from}-{max_tenure}")
    else:
        level = Figure(total_ramped / n_ramped)
    if level.value is None:
        to_ramp = Figure.undefined(level.reason or "")
    else:
        target = threshold * level.value
        reached = curve[curve["bookings_per_rep"].fillna(-math.inf) >= target]
        to_ramp = (
            Figure(float(reached["tenure_month"].iloc[0]))
            if len(reached)
            else Figure.undefined(f"curve never reaches {threshold:.0%} of the ramped level")
        )
    return RampCurve(
        curve=curve,
        ramped_from=ramped_from,
        ramped_level=level,
        months_to_ramp=to_ramp,
        threshold=threshold,
    )


@dataclass(frozen=True)
class RampValue:
    """What shortening the ramp by N months is worth per hire and per year of hiring."""

    months_shorter: int
    gain_per_hire: Figure
    hires_per_year: float
    gain_per_year: Figure
    by_month: pd.DataFrame = field(repr=False)

    def to_json(self) -> dict[str, object]:
        """Returns a JSON-safe dict (without the per-month frame)."""
        return {
            "months_shorter": self.months_shorter,
            "gain_per_hire": self.gain_per_hire.value,
            "gain_per_hire_reason": self.gain_per_hire.reason,
            "hires_per_year": self.hires_per_year,
            "gain_per_year": self.gain_per_year.value,
            "gain_per_year_reason": self.gain_per_year.reason,
        }


def ramp_shortening_value(ramp: RampCurve, months: int, hires_per_year: float) -> RampValue:
    """Returns the bookings gained per new hire (and per year) if the ramp were N months shorter.

    The curve over the ramp window ``m = 1..W`` (``W = ramped_from - 1``) shifts N
    months earlier; months beyond the window take the ramped level:
    ``gain = sum_{m=1..W} (c[m+N] - c[m])``.

    Requires a RampCurve whose window months all have observations; otherwise the
    gain is undefined with the missing months named.
    """
    if months < 0:
        raise ValueError("months cannot be negative.")
    window = ramp.ramped_from - 1
    tenure = ramp.curve["tenure_month"].to_numpy()
    values = ramp.curve["bookings_per_rep"].to_numpy(dtype=float, na_value=np.nan)
    current = np.full(window, np.nan)
    inside = (tenure >= 1) & (tenure <= window)
    current[tenure[inside] - 1] = values[inside]
    empty = pd.DataFrame(columns=["tenure_month", "current", "shortened", "gain"])
    if ramp.ramped_level.value is None:
        undefined = Figure.undefined(ramp.ramped_level.reason or "ramped level undefined")
        return RampValue(months, undefined, hires_per_year, undefined, empty)
    missing = [str(m + 1) for m in np.flatnonzero(np.isnan(current))]
    if missing:
        undefined = Figure.undefined("no rep observed at tenure month(s) " + ", ".join(missing))
        return RampValue(months, undefined, hires_per_year, undefined, empty)
    shortened = np.append(current, np.full(months, ramp.ramped_level.value))[months:]
    frame = pd.DataFrame(
        {
            "tenure_month": np.arange(1, window + 1),
            "current": current,
            "shortened": shortened,
            "gain": shortened - current,
        }
    )
    gain = float((shortened - current).sum())
    return RampValue(months, Figure(gain), hires_per_year, Figure(gain * hires_per_year), frame)


# --------------------------------------------------------------------------- the whole report


def reps_in_scope(
    reps: pd.DataFrame,
    *,
    territory_ids: Sequence[int] = (),
    managers: Sequence[str] = (),
    rep_ids: Sequence[int] = (),
) -> pd.DataFrame:
    """Returns the reps matching every non-empty filter (territory, manager/team, rep).

    Requires columns ``id``, ``territory_id``, ``manager`` (only when filtering by manager).
    """
    keep = pd.Series(True, index=reps.index)
    if territory_ids:
        keep &= reps["territory_id"].isin(list(territory_ids))
    if managers:
        keep &= reps["manager"].isin(list(managers))
    if rep_ids:
        keep &= reps["id"].isin(list(rep_ids))
    return reps[keep]


def employed_during(
    reps: pd.DataFrame, start: pd.Timestamp | str, end: pd.Timestamp | str
) -> pd.DataFrame:
    """Returns the reps employed at some point in [start, end] (unknown dates count as employed).

    Requires columns ``hire_date`` and optionally ``end_date``.
    """
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    hired = pd.to_datetime(reps["hire_date"])
    keep = hired.isna() | (hired <= hi)
    if "end_date" in reps:
        left = pd.to_datetime(reps["end_date"])
        keep &= left.isna() | (left >= lo)
    return reps[keep]


def observed_hires_per_year(
    reps: pd.DataFrame, start: pd.Timestamp | str, end: pd.Timestamp | str
) -> Figure:
    """Returns hires per year observed between start and end (hire_date inside the window).

    Requires column ``hire_date``.
    """
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    years = (hi - lo).days / 365.25
    if years <= 0:
        return Figure.undefined("empty window")
    hires = pd.to_datetime(reps["hire_date"]).between(lo, hi).sum()
    return Figure(float(hires) / years)


@dataclass(frozen=True)
class TimeInputs:
    """The pre-aggregated frames one view of the page needs (what the repository returns).

    Attributes:
        activity_types: ``activity``, ``category``, ``is_back_office``.
        reps: ``id``, ``name``, ``territory_id``, ``hire_date``, ``end_date``,
            ``annual_cost``, ``weekly_capacity_hours`` for the reps in scope.
        rep_activity: ``rep_id``, ``activity``, ``hours``, ``count`` summed over the period.
        trend_activity: ``period``, ``activity``, ``hours`` per week or month.
        bookings: ``rep_id``, ``bookings`` (won amount closed in the period).
        monthly_bookings: ``rep_id``, ``month``, ``bookings`` over all history (for ramp).
        start: First day of the period.
        end: Last day of the period.
        freq: Trend bucket, ``"W"`` or ``"M"``.
        history_start: First month of bookings history (ramp window).
        history_end: Last month of bookings history (ramp window).
    """

    activity_types: pd.DataFrame
    reps: pd.DataFrame
    rep_activity: pd.DataFrame
    trend_activity: pd.DataFrame
    bookings: pd.DataFrame
    monthly_bookings: pd.DataFrame
    start: pd.Timestamp
    end: pd.Timestamp
    freq: str = "M"
    history_start: pd.Timestamp | None = None
    history_end: pd.Timestamp | None = None

    @property
    def period_weeks(self) -> float:
        """Returns the length of the period in weeks (days / 7, both ends included)."""
        return ((pd.Timestamp(self.end) - pd.Timestamp(self.start)).days + 1) / 7


@dataclass(frozen=True)
class TimeReport:
    """Everything the page and the CLI show, computed once per filter change."""

    inputs: TimeInputs = field(repr=False)
    benchmark: float
    unknown_activities: tuple[str, ...]
    warning: str | None
    rep_activity: pd.DataFrame = field(repr=False)
    rep_summary: pd.DataFrame = field(repr=False)
    team: TeamSummary
    by_activity: pd.DataFrame = field(repr=False)
    by_rep_activity: pd.DataFrame = field(repr=False)
    trend: pd.DataFrame = field(repr=False)
    extremes: pd.DataFrame = field(repr=False)
    hourly_costs: pd.DataFrame = field(repr=False)
    unit_costs: pd.DataFrame = field(repr=False)
    what_if_base: WhatIfBase
    distribution: pd.DataFrame = field(repr=False)
    ramp: RampCurve
    hires_per_year: Figure

    @property
    def back_office_activities(self) -> list[str]:
        """Returns the back-office activities with logged hours, most hours first."""
        hours = self.what_if_base.activity_hours
        return sorted(hours, key=lambda a: (-hours[a], a))

    @property
    def has_time(self) -> bool:
        """Returns True when any hours were logged in the period and scope."""
        return self.team.hours > 0


def build_time_report(
    inputs: TimeInputs,
    *,
    benchmark: float = DEFAULT_BENCHMARK,
    working_weeks: float = DEFAULT_WORKING_WEEKS,
    basis: str = "per_selling_hour",
    ramped_from: int = 13,
    max_tenure: int = 24,
    extremes: int = 5,
) -> TimeReport:
    """Returns the full time-allocation report for one period and scope.

    Unknown activities are kept as category ``unknown`` and named in ``warning``
    (never silently dropped). Every slider-driven figure (``what_if``,
    ``middle_lift``, ``ramp_shortening_value``) then runs on the report's small
    frames without touching the database.
    """
    rep_classified = classify_activities(
        inputs.rep_activity, inputs.activity_types, on_unknown="keep"
    )
    trend_classified = classify_activities(
        inputs.trend_activity, inputs.activity_types, on_unknown="keep"
    )
    unknown = tuple(
        sorted(set(rep_classified.unknown_activities) | set(trend_classified.unknown_activities))
    )
    warning = rep_classified.warning or trend_classified.warning
    # Reps who left before the period or joined after it are not part of its team; a rep
    # employed in the period who logged nothing is kept (share undefined, with a reason).
    active = employed_during(inputs.reps, inputs.start, inputs.end)
    logged = inputs.reps["id"].isin(inputs.rep_activity["rep_id"].dropna().astype(int))
    booked = inputs.reps["id"].isin(inputs.bookings["rep_id"].dropna().astype(int))
    team_reps = inputs.reps[inputs.reps.index.isin(active.index) | logged | booked]
    summary = rep_time_summary(rep_classified, team_reps, inputs.bookings, benchmark=benchmark)
    costs = loaded_hourly_cost(team_reps, working_weeks=working_weeks)
    history_start = inputs.history_start if inputs.history_start is not None else inputs.start
    history_end = inputs.history_end if inputs.history_end is not None else inputs.end
    ramp = ramp_curve(
        inputs.monthly_bookings,
        inputs.reps,
        window_start=history_start,
        window_end=history_end,
        ramped_from=ramped_from,
        max_tenure=max_tenure,
    )
    return TimeReport(
        inputs=inputs,
        benchmark=benchmark,
        unknown_activities=unknown,
        warning=warning,
        rep_activity=rep_classified.frame,
        rep_summary=summary,
        team=team_time_summary(summary, benchmark=benchmark),
        by_activity=hours_by_activity(rep_classified),
        by_rep_activity=hours_by_activity(rep_classified, by=["rep_id"]).merge(
            summary[["rep_id", "name"]], on="rep_id", how="left"
        ),
        trend=selling_share_trend(
            trend_classified,
            freq=inputs.freq,
            start=inputs.start,
            end=inputs.end,
            benchmark=benchmark,
        ),
        extremes=furthest_from_benchmark(summary, n=extremes),
        hourly_costs=costs,
        unit_costs=unit_costs(rep_classified, costs, names=team_reps),
        what_if_base=what_if_base(
            rep_classified, summary, costs, team_reps, period_weeks=inputs.period_weeks
        ),
        distribution=productivity_distribution(summary, basis=basis),
        ramp=ramp,
        hires_per_year=observed_hires_per_year(inputs.reps, history_start, history_end),
    )


def time_report_json(
    report: TimeReport,
    scenario: WhatIfScenario,
    *,
    lift: float = 0.10,
    ramp_months: int = 1,
) -> dict[str, object]:
    """Returns the ``salesops time --format json`` document (DESIGN.md shape plus extras).

    Ratios are fractions; undefined figures are null with a ``*_reason`` beside them.
    """
    team = report.team.to_json()
    team["by_activity"] = _records(
        report.by_activity[["activity", "category", "is_back_office", "hours", "count"]]
    )
    reps = report.rep_summary.rename(columns={"name": "rep"})
    result = what_if(report.what_if_base, scenario)
    what_if_json = result.to_json()
    what_if_json["scenario"] = {
        k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(scenario).items()
    }
    what_if_json["literature"] = _records(literature_comparison(result))
    hires = report.hires_per_year.value or 0.0
    return {
        "period": {
            "from": pd.Timestamp(report.inputs.start).date().isoformat(),
            "to": pd.Timestamp(report.inputs.end).date().isoformat(),
        },
        "benchmark": report.benchmark,
        "warnings": [report.warning] if report.warning else [],
        "unknown_activities": list(report.unknown_activities),
        "team": team,
        "reps": _records(reps),
        "furthest": _records(report.extremes),
        "trend": {"freq": report.inputs.freq, "points": _records(report.trend)},
        "unit_costs": _records(report.unit_costs),
        "what_if": what_if_json,
        "moving_the_middle": {
            "basis": "bookings per selling hour",
            **middle_lift(report.distribution, lift).to_json(),
            "distribution": _records(report.distribution),
        },
        "ramp": {
            **report.ramp.to_json(),
            "hires_per_year": report.hires_per_year.value,
            "shortening": ramp_shortening_value(report.ramp, ramp_months, hires).to_json(),
        },
    }
