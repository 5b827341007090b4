"""The deals the weekly meeting walks through, each list as of the end of the week.

**Lists** (as of the end of the week, i.e. the Monday after, `week.end`): new deals
(created in the week); stage advances and regressions (open at both instants, stage
sort_order compared); pushed deals (at least one push this week; a push is an open row
whose expected close is later than the previous row's) with the number of pushes over the
deal's life up to the week's end; slipped deals (the waterfall's slipped bar); overdue deals
(open, expected close before `week.end`); stale deals (open, no change for at least
`stale_days` days before `week.end`); big amount changes (open at the opening, |change| >=
threshold). Lists are sorted by rep, then by amount, largest first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from salesops.calendar import Quarter
from salesops.definitions import is_overdue
from salesops.pipeline_review.attributes import attach, looked_up, state_columns
from salesops.pipeline_review.history import WeekStates, in_pipeline, normalised
from salesops.pipeline_review.staleness import StaleRule

LIST_TITLES = {
    "new": "New deals",
    "advanced": "Stage advances",
    "regressed": "Stage regressions",
    "pushed": "Pushed close dates",
    "slipped": "Slipped out of the quarter",
    "overdue": "Overdue: past expected close, still open at the week's end",
    "stale": "Stale deals",
    "big_changes": "Big amount changes",
}
LIST_NAMES = tuple(LIST_TITLES)


def week_lists(
    states: WeekStates,
    movements: pd.DataFrame,
    deals: pd.DataFrame,
    stages: pd.DataFrame,
    quarter: Quarter,
    *,
    stale_days: int,
    big_change: float,
    life_history: pd.DataFrame | None = None,
    stale: tuple[StaleRule | None, pd.DataFrame | None] | None = None,
    with_stale: bool = True,
) -> dict[str, pd.DataFrame]:
    """Returns every deal list of the week by name, in LIST_NAMES order.

    Requires a WeekStates, the week's deal_movements, deal attributes with columns
    opportunity_id, name, rep_id, rep, territory, and stages with name, sort_order.
    `life_history` gives whole histories of pushed deals for their lifetime push count;
    `stale` the stale rule and the open deals' stage entry dates (see stale_deals).
    Without `with_stale` the stale list is neither computed nor returned.
    """
    changes = stage_changes(states, deals, stages)
    lists = {
        "new": new_deals(states, deals, quarter),
        "advanced": changes[changes["direction"] == "advance"].reset_index(drop=True),
        "regressed": changes[changes["direction"] == "regression"].reset_index(drop=True),
        "pushed": pushed_deals(states, deals, quarter, life_history),
        "slipped": slipped_deals(states, movements, deals),
        "overdue": overdue_deals(states, deals),
        "stale": stale_deals(states, deals, stale_days, *(stale or (None, None)))
        if with_stale
        else None,
        "big_changes": big_amount_changes(states, deals, big_change),
    }
    return {name: frame for name, frame in lists.items() if frame is not None}


def new_deals(states: WeekStates, deals: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """Returns the deals created during the week, with their state at the week's end.

    Requires a WeekStates and deal attributes with columns opportunity_id, name, rep,
    territory. Returns a frame with columns opportunity_id, name, rep, territory, created_at,
    stage, outcome, amount, expected_close_date, forecast_category, in_pipeline.
    """
    created = states.rows[states.rows["opportunity_id"].isin(states.created)]
    first = created.groupby("opportunity_id", sort=False).head(1)[["opportunity_id", "changed_at"]]
    end = states.closing[states.closing["opportunity_id"].isin(states.created)]
    out = state_columns(end).merge(
        first.rename(columns={"changed_at": "created_at"}), on="opportunity_id"
    )
    out["in_pipeline"] = in_pipeline(out, quarter).to_numpy()
    order = ["opportunity_id", "created_at", "stage", "outcome", "amount"]
    return attach(out[order + [c for c in out.columns if c not in order]], deals)


def stage_changes(states: WeekStates, deals: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """Returns open deals whose stage moved between the week's opening and closing.

    Requires a WeekStates, deal attributes, and stages with columns name, sort_order.
    Deals in a stage missing from `stages` are left out (their order is unknown).
    Returns a frame with columns opportunity_id, name, rep, territory, from_stage, to_stage,
    direction ("advance" / "regression"), steps (signed sort_order difference), amount,
    expected_close_date.
    """
    order = dict(zip(stages["name"], stages["sort_order"], strict=True))
    both = states.opening[["opportunity_id", "stage", "outcome"]].merge(
        state_columns(states.closing), on="opportunity_id", suffixes=("_0", "")
    )
    both = both[(both["outcome_0"] == "open") & (both["outcome"] == "open")]
    rank0 = looked_up(both["stage_0"], order)
    rank1 = looked_up(both["stage"], order)
    steps = pd.Series(rank1 - rank0, index=both.index, dtype="Float64")
    both = both.assign(steps=steps)[steps.notna() & (steps != 0)]
    out = pd.DataFrame(
        {
            "opportunity_id": both["opportunity_id"],
            "from_stage": both["stage_0"],
            "to_stage": both["stage"],
            "direction": np.where(both["steps"] > 0, "advance", "regression"),
            "steps": both["steps"].astype("int64"),
            "amount": both["amount"],
            "expected_close_date": both["expected_close_date"],
        }
    )
    return attach(out, deals)


def push_counts(history: pd.DataFrame, until: date | None = None) -> pd.DataFrame:
    """Returns how many times each deal's expected close was pushed later, before `until`.

    A push is an open row whose expected_close_date is later than the deal's previous row's.
    Requires columns as normalise_history (whole histories of the deals to count).
    Returns a frame with columns opportunity_id, pushes (int), first_expected_close_date.
    """
    rows = normalised(history)
    if until is not None:
        rows = rows[rows["changed_at"] < pd.Timestamp(until)]
    prev = rows.groupby("opportunity_id", sort=False)["expected_close_date"].shift(1)
    pushed = (rows["outcome"] == "open") & (rows["expected_close_date"] > prev)
    grouped = rows.assign(push=pushed.fillna(False).astype(int)).groupby("opportunity_id")
    return pd.DataFrame(
        {
            "pushes": grouped["push"].sum().astype("int64"),
            "first_expected_close_date": grouped["expected_close_date"].first(),
        }
    ).reset_index()


def pushes_this_week(states: WeekStates) -> pd.Series:
    """Returns the number of pushes (see push_counts) in the week per deal pushed, by deal id."""
    hist = states.history
    ids = hist["opportunity_id"].to_numpy()
    ecd = hist["expected_close_date"].to_numpy()
    later = np.zeros(len(hist), dtype=bool)
    later[1:] = (ids[1:] == ids[:-1]) & (ecd[1:] > ecd[:-1])  # NaT compares False
    is_push = later & (hist["outcome"] == "open").to_numpy()
    is_push &= (hist["changed_at"] >= pd.Timestamp(states.week.start)).to_numpy()
    return hist[is_push].groupby("opportunity_id").size()


def pushed_deals(
    states: WeekStates,
    deals: pd.DataFrame,
    quarter: Quarter,
    life_history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Returns deals whose expected close was pushed later at least once during the week.

    Requires a WeekStates and deal attributes; `life_history` holds the pushed deals' whole
    histories for the lifetime count (default: the history inside `states`, which is whole
    when the caller passed whole histories).
    Returns a frame with columns opportunity_id, name, rep, territory, previous_close
    (expected close at the week's opening, or at creation), expected_close_date (at the
    week's end), days_pushed, pushes_this_week, pushes_total, left_quarter, outcome, stage,
    amount.
    """
    hist = states.history
    counts = pushes_this_week(states)
    if counts.empty:
        return attach(_empty_pushed(), deals)
    ids = counts.index
    life = push_counts(life_history if life_history is not None else hist, states.week.end)
    end = state_columns(states.closing[states.closing["opportunity_id"].isin(ids)])
    start = states.opening.set_index("opportunity_id")["expected_close_date"]
    created_ecd = (
        states.rows.groupby("opportunity_id", sort=False).head(1).set_index("opportunity_id")
    )["expected_close_date"]
    previous = start.reindex(end["opportunity_id"]).fillna(
        created_ecd.reindex(end["opportunity_id"])
    )
    out = end.assign(
        previous_close=previous.to_numpy(),
        pushes_this_week=counts.reindex(end["opportunity_id"]).to_numpy().astype("int64"),
        pushes_total=life.set_index("opportunity_id")["pushes"]
        .reindex(end["opportunity_id"])
        .fillna(0)
        .to_numpy()
        .astype("int64"),
    )
    out["days_pushed"] = (out["expected_close_date"] - out["previous_close"]).dt.days
    out["left_quarter"] = ~in_pipeline(out, quarter) & (
        (out["previous_close"] >= pd.Timestamp(quarter.start))
        & (out["previous_close"] < pd.Timestamp(quarter.end))
    )
    cols = [
        "opportunity_id",
        "previous_close",
        "expected_close_date",
        "days_pushed",
        "pushes_this_week",
        "pushes_total",
        "left_quarter",
        "outcome",
        "stage",
        "amount",
    ]
    return attach(out[cols], deals)


def _empty_pushed() -> pd.DataFrame:
    """Returns a pushed-deals frame with no rows and the usual dtypes."""
    return pd.DataFrame(
        {
            "opportunity_id": pd.Series(dtype="int64"),
            "previous_close": pd.Series(dtype="datetime64[ns]"),
            "expected_close_date": pd.Series(dtype="datetime64[ns]"),
            "days_pushed": pd.Series(dtype="int64"),
            "pushes_this_week": pd.Series(dtype="int64"),
            "pushes_total": pd.Series(dtype="int64"),
            "left_quarter": pd.Series(dtype=bool),
            "outcome": pd.Series(dtype=object),
            "stage": pd.Series(dtype=object),
            "amount": pd.Series(dtype="float64"),
        }
    )


def slipped_deals(states: WeekStates, movements: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """Returns the deals that slipped out of the quarter this week (the waterfall's slipped bar).

    Requires a WeekStates, the week's deal_movements and deal attributes. Returns a frame with
    columns opportunity_id, name, rep, territory, slipped (signed), amount (at the week's
    end), expected_close_date (at the week's end), stage.
    """
    moved = movements[movements["exit"] == "slipped"][["opportunity_id", "slipped"]]
    end = state_columns(states.closing)[
        ["opportunity_id", "amount", "expected_close_date", "stage"]
    ]
    return attach(moved.merge(end, on="opportunity_id", how="left"), deals)


def overdue_deals(states: WeekStates, deals: pd.DataFrame) -> pd.DataFrame:
    """Returns deals still open at the week's end whose expected close is before week.end.

    Requires a WeekStates and deal attributes. Returns a frame with columns opportunity_id,
    name, rep, territory, expected_close_date, days_overdue (week.end minus expected close),
    stage, amount, forecast_category.
    """
    end = state_columns(states.closing)
    as_of = pd.Timestamp(states.week.end)
    end = end[is_overdue(end["outcome"], end["expected_close_date"], states.week.end)]
    out = end.assign(days_overdue=(as_of - end["expected_close_date"]).dt.days.astype("int64"))
    cols = [
        "opportunity_id",
        "expected_close_date",
        "days_overdue",
        "stage",
        "amount",
        "forecast_category",
    ]
    return attach(out[cols], deals)


def stale_deals(
    states: WeekStates,
    deals: pd.DataFrame,
    stale_days: int,
    rule: StaleRule | None = None,
    entries: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Returns deals open at the week's end that have sat in their stage past its threshold.

    Days in stage count from the row that entered the deal's current stage to week.end
    (the Monday after the week). `rule` gives each stage's threshold (see staleness.py;
    default: `stale_days` for every stage). `entries` (opportunity_id, entered_at, as
    Repository.stage_entries) says when each deal entered its stage; by default it is
    read from the rows in `states` (exact when they are whole histories).
    Requires a WeekStates and deal attributes. Returns a frame with columns opportunity_id,
    name, rep, territory, stage, entered_stage, days_in_stage, stale_after (the stage's
    threshold), last_change, amount, expected_close_date.
    """
    rule = rule or StaleRule(stale_days)
    end = states.closing
    as_of = pd.Timestamp(states.week.end)
    if entries is None:
        entries = stage_entry_dates(states.history[states.history["changed_at"] < as_of])
    entered = entries.drop_duplicates("opportunity_id", keep="last").set_index("opportunity_id")
    looked = entered["entered_at"].reindex(end["opportunity_id"].to_numpy())
    start = pd.Series(pd.to_datetime(looked.to_numpy()), index=end.index)
    start = start.fillna(end["changed_at"])
    days = (as_of - start).dt.days
    limit = end["stage"].map(rule.days_for)
    chosen = end[(end["outcome"] == "open") & (days >= limit)]
    out = state_columns(chosen).assign(
        entered_stage=start[chosen.index].to_numpy(),
        days_in_stage=days[chosen.index].astype("int64").to_numpy(),
        stale_after=limit[chosen.index].astype("int64").to_numpy(),
        last_change=chosen["changed_at"].to_numpy(),
    )
    cols = [
        "opportunity_id",
        "stage",
        "entered_stage",
        "days_in_stage",
        "stale_after",
        "last_change",
        "amount",
        "expected_close_date",
    ]
    return attach(out[cols], deals)


def stage_entry_dates(rows: pd.DataFrame) -> pd.DataFrame:
    """Returns each deal's last stage and the date of the row that entered it.

    Requires history rows (opportunity_id, changed_at, stage) ordered by deal and time.
    Returns a frame with columns opportunity_id, stage, entered_at.
    """
    if rows.empty:
        return pd.DataFrame(
            {
                "opportunity_id": pd.Series(dtype="int64"),
                "stage": pd.Series(dtype=object),
                "entered_at": pd.Series(dtype="datetime64[ns]"),
            }
        )
    previous = rows.groupby("opportunity_id", sort=False)["stage"].shift(1)
    entries = rows[previous.isna() | (previous != rows["stage"])]
    last = entries.groupby("opportunity_id", sort=False).tail(1)
    return last.rename(columns={"changed_at": "entered_at"})[
        ["opportunity_id", "stage", "entered_at"]
    ].reset_index(drop=True)


def big_amount_changes(states: WeekStates, deals: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Returns deals open at the week's opening whose amount moved by at least `threshold`.

    Compares the amount at the opening with the amount at the end of the week (so a deal
    won at a different amount is included). Requires a WeekStates and deal attributes.
    Returns a frame with columns opportunity_id, name, rep, territory, from_amount,
    amount, change, change_fraction (Float64, <NA> when the opening amount was 0),
    outcome, stage.
    """
    if threshold <= 0:
        raise ValueError(f"The big-change threshold must be positive (got {threshold}).")
    start = states.opening[states.opening["outcome"] == "open"][["opportunity_id", "cents"]]
    both = start.merge(
        states.closing[["opportunity_id", "cents", "outcome", "stage"]],
        on="opportunity_id",
        suffixes=("_0", ""),
    )
    change = both["cents"] - both["cents_0"]
    both = both[change.abs() >= round(threshold * 100)]
    change = change[both.index]
    fraction = pd.Series(
        np.where(both["cents_0"] != 0, change / both["cents_0"].where(both["cents_0"] != 0, 1), 0),
        index=both.index,
        dtype="Float64",
    ).mask(both["cents_0"] == 0)
    out = pd.DataFrame(
        {
            "opportunity_id": both["opportunity_id"],
            "from_amount": both["cents_0"] / 100.0,
            "amount": both["cents"] / 100.0,
            "change": change / 100.0,
            "change_fraction": fraction,
            "outcome": both["outcome"],
            "stage": both["stage"],
        }
    )
    return attach(out, deals)


NOT_COUNTED = "Not counted yet: open its tab (it reads every open deal's stage history)."


def list_figures(frame: pd.DataFrame) -> tuple[int, float]:
    """Returns a deal list's (deals, their amount); the amount is NaN without an amount column."""
    amount = float(frame["amount"].sum()) if "amount" in frame else np.nan
    return len(frame), amount


def list_summary(lists: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Returns one row per deal list in LIST_NAMES order: its title, deals and their amount.

    A list not in `lists` (the stale list before it is read) has no count: deals and amount
    are NaN and its note, shown in the row, says why (NOT_COUNTED). Returns a frame with
    columns list (str), deals (float), amount (float), note (str; None when counted).
    """
    rows: list[tuple[str, float, float, str | None]] = []
    for name in LIST_NAMES:
        frame = lists.get(name)
        if frame is None:
            rows.append((LIST_TITLES[name], np.nan, np.nan, NOT_COUNTED))
            continue
        deals, amount = list_figures(frame)
        rows.append((LIST_TITLES[name], float(deals), amount, None))
    frame = pd.DataFrame([row[:3] for row in rows], columns=["list", "deals", "amount"])
    # object whichever lists have a note (text and None), so counted_apart keeps it
    frame["note"] = pd.Series([row[3] for row in rows], dtype=object)
    return frame


def counted_apart(summary: pd.DataFrame, name: str, figures: tuple[int, float]) -> pd.DataFrame:
    """Returns list_summary's frame with list `name` counted: its (deals, amount), no note.

    For a list counted apart from the others (the stale list, list_figures of its frame):
    the row is the one list_summary gives when the list is among its `lists`.
    """
    out = summary.copy()
    row = out["list"] == LIST_TITLES[name]
    out.loc[row, "deals"] = float(figures[0])
    out.loc[row, "amount"] = float(figures[1])
    out.loc[row, "note"] = None
    return out
