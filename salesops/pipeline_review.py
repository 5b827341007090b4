"""Weekly pipeline review: point-in-time snapshots, the pipeline waterfall and deal lists.

Everything here is computed from opportunity_history: one row per change of a deal
(the first row is its creation; a row with outcome won/lost closes it; a later open
row reopens it), never from today's values on the opportunities table.

Definitions (they are the contract the page, the CLI and the tests share):

* **Dates** are UTC calendar dates. A timezone-aware timestamp is converted to UTC and
  truncated to its date before anything else.
* **Week**: an ISO week, Monday to Sunday. `Week.start` is the Monday, `Week.end` the next
  Monday (exclusive). ISO years have 52 or 53 weeks; the week label is ISO (`2026-W53`).
* **Snapshot at an instant** `t` (a date, meaning the start of that day): for each deal,
  its last history row with `changed_at < t`; rows with the same `changed_at` are taken in
  the order given (the repository orders them by row id). A deal with no such row did not
  exist yet. The opening snapshot of a week is at `week.start`, the closing one at
  `week.end`, so the closing snapshot includes every change dated Monday to Sunday.
* **Review quarter**: the calendar quarter containing the week's Thursday, i.e. the quarter
  holding at least four of its seven days (the rule ISO uses to give a week to a year).
  Both snapshots are measured against this one quarter, so a week that straddles two
  quarters is not distorted by the calendar turning. Callers may pass another quarter.
* **The pipeline** at an instant: deals whose snapshot row is open (outcome `open`) with
  `expected_close_date` inside the review quarter. A missing amount counts as 0.
* **Waterfall** for a week, with signed movements that reconcile exactly
  (money is summed in integer cents):
  `opening + new + increased + decreased + slipped + pulled_in + won + lost == closing`,
  where `decreased`, `slipped`, `won` and `lost` are <= 0. Each deal's states are its
  opening snapshot row followed by its rows dated in the week. Attribution per deal:

  1. In the pipeline at both instants: only its net amount change (closing amount minus
     opening amount) counts, as increased or decreased, even if it left and came back
     during the week.
  2. Out at the opening, in the pipeline at some point in the week: it *enters* at the
     first row that puts it in the pipeline, with that row's amount. The entry is **new**
     if the deal was created this week or was closed (won/lost) just before the entry (a
     reopened deal), otherwise **pulled in** (its expected close moved into the quarter).
  3. In at some point, out at the closing: it *leaves* at the last row that takes it out,
     with that row's amount. That row says where it went: **won**, **lost**, or
     **slipped** (still open, expected close moved out of the quarter, either direction,
     or cleared).
  4. Within one row the amount change is applied first and the close-date / outcome change
     second; so a deal increased and slipped in the same row shows +increase and -slipped
     at the new amount, exactly as if the two changes had been recorded in two rows. The
     increased/decreased amount of a deal is the rest: (amount when it left, or closing
     amount) minus (amount when it entered, or opening amount).

  A deal created and won in the same week therefore shows new +a, won -b and the
  difference b - a as increased/decreased. A deal that was never in the pipeline during
  the week moves nothing.
* **Lists** (as of the end of the week, i.e. the Monday after, `week.end`): new deals
  (created in the week); stage advances and regressions (open at both instants, stage
  sort_order compared); pushed deals (at least one push this week; a push is an open row
  whose expected close is later than the previous row's) with the number of pushes over the
  deal's life up to the week's end; overdue deals (open, expected close before
  `week.end`); stale deals (open, no change for at least `stale_days` days before
  `week.end`); big amount changes (open at the opening, |change| >= threshold). Lists are
  sorted by rep, then by amount, largest first.
* **Coverage** for the quarter: closing pipeline / (quarter quota - won to date), undefined
  (None plus a reason) when there is no quota or the quota is already met.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from salesops.calendar import (
    Quarter,
    Week,
    quarter_of,
)

DEFINITIONS = """
* **Week**: ISO week, Monday to Sunday, UTC dates. **Opening** = state at Monday 00:00,
  **closing** = state at the next Monday 00:00, both rebuilt from opportunity history.
* **Pipeline**: open deals whose expected close is in the review quarter (the quarter
  holding the week's Thursday).
* A deal in the pipeline at both instants counts only its net amount change
  (**increased** / **decreased**), even if it left and came back during the week.
* A deal that enters counts at the amount of the row that brought it in: **new** if created
  this week or reopened, otherwise **pulled in** (expected close moved into the quarter).
* A deal that leaves counts at the amount of the row that took it out: **won**, **lost**, or
  **slipped** (expected close moved out of the quarter). Amount changes on that row count
  first, so a deal increased and slipped shows both.
* opening + new + increased + decreased + slipped + pulled in + won + lost = closing, to the cent.
"""

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
DEAL_COLUMNS = ("opportunity_id", "name", "rep_id", "rep", "territory")
MOVEMENTS = ("new", "increased", "decreased", "slipped", "pulled_in", "won", "lost")
WATERFALL_STEPS = ("opening", *MOVEMENTS, "closing")
STEP_LABELS = {
    "opening": "Opening pipeline",
    "new": "New",
    "increased": "Increased",
    "decreased": "Decreased",
    "slipped": "Slipped",
    "pulled_in": "Pulled in",
    "won": "Won",
    "lost": "Lost",
    "closing": "Closing pipeline",
}
CLOSED_OUTCOMES = ("won", "lost")
FORECAST_CATEGORIES = ("commit", "best_case", "pipeline")
BIG_CHANGE_DEFAULT = 10_000.0
STALE_DAYS_DEFAULT = 14


# -- the review quarter ------------------------------------------------------------------


def review_quarter(week: Week) -> Quarter:
    """Returns the quarter a week is reviewed against: the one containing its Thursday."""
    return quarter_of(week.thursday)


# -- normalised history and snapshots -----------------------------------------------------


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


def _cents(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype("float64").fillna(0.0)
    return (numbers * 100).round().astype("int64")


def _money(cents: int | np.integer) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def normalise_history(history: pd.DataFrame) -> pd.DataFrame:
    """Returns history rows typed and ordered the way every function here expects them.

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
    out["cents"] = _cents(out["amount"])
    if not _in_deal_order(out["opportunity_id"].to_numpy(), out["changed_at"].to_numpy()):
        out["_order"] = np.arange(len(out))
        out = out.sort_values(["opportunity_id", "changed_at", "_order"], kind="stable")
        out = out.drop(columns="_order")
    out = out.reset_index(drop=True)
    starts = _first_rows(out["opportunity_id"].to_numpy())
    positions = np.arange(len(out))
    out["seq"] = positions - np.maximum.accumulate(np.where(starts, positions, 0))
    return out


def _in_deal_order(ids: np.ndarray, when: np.ndarray) -> bool:
    """Returns True when rows are already sorted by deal, then date (no missing date)."""
    if np.isnat(when).any():
        return False
    step_id, step_day = np.diff(ids), np.diff(when.view("int64"))
    return bool(np.all((step_id > 0) | ((step_id == 0) & (step_day >= 0))))


def _first_rows(ids: np.ndarray) -> np.ndarray:
    """Returns True on each deal's first row (rows sorted by deal)."""
    first = np.ones(len(ids), dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    return first


def _last_rows(ids: np.ndarray) -> np.ndarray:
    """Returns True on each deal's last row (rows sorted by deal)."""
    last = np.ones(len(ids), dtype=bool)
    last[:-1] = ids[1:] != ids[:-1]
    return last


def _is_normalised(history: pd.DataFrame) -> bool:
    return "cents" in history.columns and "seq" in history.columns


def _normalised(history: pd.DataFrame) -> pd.DataFrame:
    return history if _is_normalised(history) else normalise_history(history)


def snapshot(history: pd.DataFrame, at: date) -> pd.DataFrame:
    """Returns each deal's state at the start of day `at`: its last row with changed_at < at.

    Requires columns as normalise_history. Deals with no row before `at` are absent.
    Returns a frame with the history columns plus cents and seq, one row per deal.
    """
    rows = _normalised(history)
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
    rows = _normalised(history)
    until = rows["changed_at"] < pd.Timestamp(week.end)
    if not until.all():
        rows = rows[until]
    ids = rows["opportunity_id"].to_numpy()
    in_week = (rows["changed_at"] >= pd.Timestamp(week.start)).to_numpy()
    before = np.flatnonzero(~in_week)
    opening = rows.iloc[before[_last_rows(ids[before])]].reset_index(drop=True)
    week_rows = rows.iloc[np.flatnonzero(in_week)].reset_index(drop=True)
    closing = rows.iloc[np.flatnonzero(_last_rows(ids))].reset_index(drop=True)
    created = frozenset(int(i) for i in np.setdiff1d(ids[in_week], ids[before]))
    return WeekStates(week, rows, opening, week_rows, closing, created)


# -- waterfall ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Waterfall:
    """Opening pipeline, signed movements and closing pipeline for one week, in currency.

    Values are Decimals summed from integer cents, so the identity
    opening + sum(movements) == closing holds exactly. `deals` counts the deals behind
    each bar.
    """

    week: Week
    quarter: Quarter
    opening: Decimal
    new: Decimal
    increased: Decimal
    decreased: Decimal
    slipped: Decimal
    pulled_in: Decimal
    won: Decimal
    lost: Decimal
    closing: Decimal
    deals: Mapping[str, int] = field(default_factory=dict)

    @property
    def net_change(self) -> Decimal:
        """Returns closing minus opening pipeline."""
        return self.closing - self.opening

    @property
    def reconciles(self) -> bool:
        """Returns True when opening plus every movement equals closing, to the cent."""
        return self.opening + sum(getattr(self, m) for m in MOVEMENTS) == self.closing

    def as_dict(self) -> dict[str, float]:
        """Returns {step: amount} for the nine steps as floats (JSON-ready)."""
        return {step: float(getattr(self, step)) for step in WATERFALL_STEPS}

    def to_frame(self) -> pd.DataFrame:
        """Returns one row per bar, ready for a waterfall chart.

        Returns a frame with columns step, label, amount (float, signed), kind ("total",
        "increase", "decrease"), bar_start, bar_end (float running totals), deals (int).
        """
        rows = []
        running = Decimal(0)
        for step in WATERFALL_STEPS:
            amount = getattr(self, step)
            if step in ("opening", "closing"):
                start, end, kind = Decimal(0), amount, "total"
                running = amount
            else:
                start, end = running, running + amount
                running = end
                kind = "increase" if amount >= 0 else "decrease"
            rows.append(
                {
                    "step": step,
                    "label": STEP_LABELS[step],
                    "amount": float(amount),
                    "kind": kind,
                    "bar_start": float(start),
                    "bar_end": float(end),
                    "deals": int(self.deals.get(step, 0)),
                }
            )
        return pd.DataFrame(rows)


def deal_movements(
    history: pd.DataFrame, week: Week, quarter: Quarter | None = None
) -> pd.DataFrame:
    """Returns each deal's contribution to the week's waterfall (see the module docstring).

    Requires columns as normalise_history (whole histories, or the repository's pruned rows).
    Returns a frame with one row per deal in the pipeline at either instant or at any point
    in the week: opportunity_id, opening, closing and one column per movement (float,
    signed, in currency), the same in integer cents with a `_cents` suffix, entry
    ("created", "reopened", "pulled_in" or None), exit ("won", "lost", "slipped" or None),
    in_opening and in_closing (bool).
    For every row opening + movements == closing exactly in cents.
    """
    states = history if isinstance(history, WeekStates) else week_states(history, week)
    return _movements(states, quarter or review_quarter(week))


def _movements(states: WeekStates, quarter: Quarter) -> pd.DataFrame:
    columns = [
        "opportunity_id",
        "opening",
        "closing",
        *MOVEMENTS,
        *(f"{m}_cents" for m in ("opening", "closing", *MOVEMENTS)),
        "entry",
        "exit",
        "in_opening",
        "in_closing",
    ]
    # Each deal's states in order: its opening row (pos 0), then its rows in the week (pos 1).
    keep = ["opportunity_id", "outcome", "expected_close_date", "cents"]
    both = pd.concat([states.opening[keep], states.rows[keep]], ignore_index=True)
    pos = np.r_[np.zeros(len(states.opening), dtype=int), np.ones(len(states.rows), dtype=int)]
    order = np.lexsort((pos, both["opportunity_id"].to_numpy()))
    ids = both["opportunity_id"].to_numpy()[order]
    inside = in_pipeline(both, quarter).to_numpy()[order]
    # Only deals in the pipeline at some state move anything.
    group = np.cumsum(_first_rows(ids)) - 1
    touched = (np.bincount(group, weights=inside) > 0)[group] if len(ids) else inside
    order, ids, inside = order[touched], ids[touched], inside[touched]
    if not len(ids):
        return _empty_movements(columns)
    pos = pos[order]
    outcome = both["outcome"].to_numpy(dtype=object)[order]
    cents = both["cents"].to_numpy(dtype="int64")[order]
    first, last = _first_rows(ids), _last_rows(ids)
    prev_in = np.r_[False, inside[:-1]] & ~first
    prev_outcome = np.r_[None, outcome[:-1]]
    prev_outcome[first] = None

    deal_ids = ids[first]
    in0 = inside[first] & (pos[first] == 0)
    in1 = inside[last]
    a0 = np.where(in0, cents[first], 0)
    a1 = np.where(in1, cents[last], 0)
    created = np.isin(deal_ids, np.fromiter(states.created, dtype="int64"))
    # The first row that brings a deal in (during the week) and the last that takes it out.
    entries = np.flatnonzero(inside & ~prev_in & (pos == 1))
    exits = np.flatnonzero(~inside & prev_in)
    entry_at = _per_deal(deal_ids, ids, entries, which="first")
    exit_at = _per_deal(deal_ids, ids, exits, which="last")
    has_entry = ~in0 & (entry_at >= 0)
    has_exit = ~in1 & (exit_at >= 0)
    entry_cents = np.where(has_entry, cents[entry_at], 0)
    exit_cents = np.where(has_exit, cents[exit_at], 0)

    reopened = _is_closed(prev_outcome[entry_at]) & has_entry
    entry_kind = np.where(
        ~has_entry,
        None,
        np.where(created, "created", np.where(reopened, "reopened", "pulled_in")),
    )
    exit_outcome = outcome[exit_at]
    exit_kind = np.where(
        ~has_exit,
        None,
        np.where(_is_closed(exit_outcome), exit_outcome, "slipped"),
    )
    start_cents = np.where(in0, a0, entry_cents)
    end_cents = np.where(in1, a1, exit_cents)
    change = end_cents - start_cents

    out = pd.DataFrame({"opportunity_id": deal_ids.astype("int64")})
    cents_by_step = {
        "opening": a0,
        "closing": a1,
        "new": np.where((entry_kind == "created") | (entry_kind == "reopened"), entry_cents, 0),
        "increased": np.where(change > 0, change, 0),
        "decreased": np.where(change < 0, change, 0),
        "slipped": np.where(exit_kind == "slipped", -exit_cents, 0),
        "pulled_in": np.where(entry_kind == "pulled_in", entry_cents, 0),
        "won": np.where(exit_kind == "won", -exit_cents, 0),
        "lost": np.where(exit_kind == "lost", -exit_cents, 0),
    }
    for name in ("opening", "closing", *MOVEMENTS):
        out[name] = cents_by_step[name].astype("int64") / 100.0
    for name in ("opening", "closing", *MOVEMENTS):
        out[f"{name}_cents"] = cents_by_step[name].astype("int64")
    out["entry"] = pd.Series(entry_kind, dtype=object)
    out["exit"] = pd.Series(exit_kind, dtype=object)
    out["in_opening"] = in0
    out["in_closing"] = in1
    return out[columns]


def _is_closed(outcomes: np.ndarray) -> np.ndarray:
    """Returns True where an outcome (object array, None allowed) is won or lost."""
    return (outcomes == CLOSED_OUTCOMES[0]) | (outcomes == CLOSED_OUTCOMES[1])


def _per_deal(deal_ids: np.ndarray, ids: np.ndarray, rows: np.ndarray, which: str) -> np.ndarray:
    """Returns, per deal, the position of its first or last row among `rows`, or -1 if none.

    `ids` are the deal ids of every row (sorted), `rows` positions into them (ascending).
    """
    found = np.full(len(deal_ids), -1, dtype="int64")
    if len(rows):
        picked = rows[_first_rows(ids[rows]) if which == "first" else _last_rows(ids[rows])]
        found[np.searchsorted(deal_ids, ids[picked])] = picked
    return found


def _empty_movements(columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    frame["opportunity_id"] = frame["opportunity_id"].astype("int64")
    for c in columns:
        if c.endswith("_cents"):
            frame[c] = frame[c].astype("int64")
    frame["entry"] = frame["entry"].astype(object)
    frame["exit"] = frame["exit"].astype(object)
    frame["in_opening"] = frame["in_opening"].astype(bool)
    frame["in_closing"] = frame["in_closing"].astype(bool)
    return frame


def waterfall_from_movements(movements: pd.DataFrame, week: Week, quarter: Quarter) -> Waterfall:
    """Returns the Waterfall summed from deal_movements() rows (all deals or one scope's).

    Requires the `<step>_cents` columns deal_movements returns.
    """
    totals = {step: _money(movements[f"{step}_cents"].sum()) for step in WATERFALL_STEPS}
    entry, exit_ = movements["entry"], movements["exit"]
    flags = {
        "opening": movements["in_opening"],
        "new": entry.isin(["created", "reopened"]),
        "increased": movements["increased_cents"] > 0,
        "decreased": movements["decreased_cents"] < 0,
        "slipped": exit_ == "slipped",
        "pulled_in": entry == "pulled_in",
        "won": exit_ == "won",
        "lost": exit_ == "lost",
        "closing": movements["in_closing"],
    }
    counts = {step: int(flag.astype(bool).sum()) for step, flag in flags.items()}
    return Waterfall(week=week, quarter=quarter, deals=counts, **totals)


def waterfall(history: pd.DataFrame, week: Week, quarter: Quarter | None = None) -> Waterfall:
    """Returns the week's pipeline waterfall (opening, signed movements, closing).

    Requires columns as normalise_history. The quarter defaults to review_quarter(week).
    """
    quarter = quarter or review_quarter(week)
    return waterfall_from_movements(deal_movements(history, week, quarter), week, quarter)


def with_steady_pipeline(totals: Waterfall, amounts: pd.Series) -> Waterfall:
    """Returns the waterfall plus deals that sat in the pipeline all week without a change.

    Such a deal (no row in the week, open with an expected close in the quarter) is in the
    opening and the closing pipeline at its one amount and in no movement, so `waterfall` of
    the other deals' rows plus these amounts equals `waterfall` of all the rows. Amounts
    count in cents like everywhere else (missing = 0).
    """
    money = _money(_cents(amounts).sum())
    deals = dict(totals.deals)
    for step in ("opening", "closing"):
        deals[step] = deals.get(step, 0) + len(amounts)
    return replace(
        totals, opening=totals.opening + money, closing=totals.closing + money, deals=deals
    )


# -- deal lists ---------------------------------------------------------------------------


def _attach(frame: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """Joins deal attributes (name, rep, territory) and orders by rep, then amount.

    Deal attributes hold one row per deal. Rows are ordered by rep name, amount (largest
    first, missing as 0) and deal id.
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


def _looked_up(values: pd.Series, mapping: Mapping, missing: object = np.nan) -> np.ndarray:
    """Returns mapping[value] per value (`missing` for values not in it, or missing values).

    Looks each distinct value up once: far cheaper than Series.map on long object columns.
    """
    codes, uniques = pd.factorize(values)
    found = np.array([mapping.get(u, missing) for u in uniques] + [missing])
    return found[codes]  # code -1 (a missing value) takes the last entry


def _ids_int(frame: pd.DataFrame) -> pd.DataFrame:
    if frame["opportunity_id"].dtype == "int64":
        return frame
    return frame.assign(opportunity_id=frame["opportunity_id"].astype("int64"))


def _state_columns(states: pd.DataFrame) -> pd.DataFrame:
    out = states[
        ["opportunity_id", "stage", "outcome", "amount", "expected_close_date", "forecast_category"]
    ].copy()
    out["amount"] = states["cents"] / 100.0
    return out


def new_deals(states: WeekStates, deals: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """Returns the deals created during the week, with their state at the week's end.

    Requires a WeekStates and deal attributes with columns opportunity_id, name, rep,
    territory. Returns a frame with columns opportunity_id, name, rep, territory, created_at,
    stage, outcome, amount, expected_close_date, forecast_category, in_pipeline.
    """
    created = states.rows[states.rows["opportunity_id"].isin(states.created)]
    first = created.groupby("opportunity_id", sort=False).head(1)[["opportunity_id", "changed_at"]]
    end = states.closing[states.closing["opportunity_id"].isin(states.created)]
    out = _state_columns(end).merge(
        first.rename(columns={"changed_at": "created_at"}), on="opportunity_id"
    )
    out["in_pipeline"] = in_pipeline(out, quarter).to_numpy()
    order = ["opportunity_id", "created_at", "stage", "outcome", "amount"]
    return _attach(out[order + [c for c in out.columns if c not in order]], deals)


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
        _state_columns(states.closing), on="opportunity_id", suffixes=("_0", "")
    )
    both = both[(both["outcome_0"] == "open") & (both["outcome"] == "open")]
    rank0 = _looked_up(both["stage_0"], order)
    rank1 = _looked_up(both["stage"], order)
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
    return _attach(out, deals)


def push_counts(history: pd.DataFrame, until: date | None = None) -> pd.DataFrame:
    """Returns how many times each deal's expected close was pushed later, before `until`.

    A push is an open row whose expected_close_date is later than the deal's previous row's.
    Requires columns as normalise_history (whole histories of the deals to count).
    Returns a frame with columns opportunity_id, pushes (int), first_expected_close_date.
    """
    rows = _normalised(history)
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
        return _attach(_empty_pushed(), deals)
    ids = counts.index
    life = push_counts(life_history if life_history is not None else hist, states.week.end)
    end = _state_columns(states.closing[states.closing["opportunity_id"].isin(ids)])
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
    return _attach(out[cols], deals)


def _empty_pushed() -> pd.DataFrame:
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
    end = _state_columns(states.closing)[
        ["opportunity_id", "amount", "expected_close_date", "stage"]
    ]
    return _attach(moved.merge(end, on="opportunity_id", how="left"), deals)


def overdue_deals(states: WeekStates, deals: pd.DataFrame) -> pd.DataFrame:
    """Returns deals still open at the week's end whose expected close is before week.end.

    Requires a WeekStates and deal attributes. Returns a frame with columns opportunity_id,
    name, rep, territory, expected_close_date, days_overdue (week.end minus expected close),
    stage, amount, forecast_category.
    """
    end = _state_columns(states.closing)
    as_of = pd.Timestamp(states.week.end)
    end = end[(end["outcome"] == "open") & (end["expected_close_date"] < as_of)]
    out = end.assign(days_overdue=(as_of - end["expected_close_date"]).dt.days.astype("int64"))
    cols = [
        "opportunity_id",
        "expected_close_date",
        "days_overdue",
        "stage",
        "amount",
        "forecast_category",
    ]
    return _attach(out[cols], deals)


def stale_deals(
    states: WeekStates, deals: pd.DataFrame, stale_days: int = STALE_DAYS_DEFAULT
) -> pd.DataFrame:
    """Returns deals open at the week's end with no change for at least `stale_days` days.

    Days are counted from the last change to week.end (the Monday after the week).
    Requires a WeekStates and deal attributes. Returns a frame with columns opportunity_id,
    name, rep, territory, last_change, days_since_change, stage, amount, expected_close_date.
    """
    if stale_days < 1:
        raise ValueError(f"stale_days must be at least 1 (got {stale_days}).")
    end = states.closing
    as_of = pd.Timestamp(states.week.end)
    days = (as_of - end["changed_at"]).dt.days
    chosen = end[(end["outcome"] == "open") & (days >= stale_days)]
    out = _state_columns(chosen).assign(
        last_change=chosen["changed_at"].to_numpy(),
        days_since_change=days[chosen.index].astype("int64").to_numpy(),
    )
    cols = [
        "opportunity_id",
        "last_change",
        "days_since_change",
        "stage",
        "amount",
        "expected_close_date",
    ]
    return _attach(out[cols], deals)


def big_amount_changes(
    states: WeekStates, deals: pd.DataFrame, threshold: float = BIG_CHANGE_DEFAULT
) -> pd.DataFrame:
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
    return _attach(out, deals)


# -- roll-ups and coverage ----------------------------------------------------------------


def _by_rep_keys(deals: pd.DataFrame) -> pd.DataFrame:
    keys = _ids_int(deals[["opportunity_id", "rep_id", "rep"]].copy())
    keys["rep"] = keys["rep"].astype(object).where(keys["rep"].notna(), "(no rep)")
    return keys


def forecast_rollup(closing_pipeline: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """Returns the pipeline by rep split by forecast category, with a final "Total" row.

    Requires pipeline rows with columns opportunity_id, forecast_category, cents (as from
    pipeline_at or review_week) and deal attributes with opportunity_id, rep_id, rep.
    Returns a frame with columns rep_id (Int64, <NA> on the total row), rep, commit,
    best_case, pipeline, other (any other or missing category), total, deals (int).
    """
    frame = closing_pipeline[["opportunity_id", "forecast_category", "cents"]].merge(
        _by_rep_keys(deals), on="opportunity_id", how="left"
    )
    frame["rep"] = frame["rep"].astype(object).where(frame["rep"].notna(), "(no rep)")
    named = {c: c for c in frame["forecast_category"].dropna().unique() if isinstance(c, str)}
    named = {c: c.strip().lower() for c in named}
    named = {c: n if n in FORECAST_CATEGORIES else "other" for c, n in named.items()}
    frame["category"] = _looked_up(frame["forecast_category"], named, "other")
    cols = [*FORECAST_CATEGORIES, "other"]
    if frame.empty:
        table = pd.DataFrame(columns=["rep_id", "rep", *cols, "total", "deals"])
    else:
        table = (
            frame.groupby(["rep_id", "rep", "category"], dropna=False)["cents"]
            .sum()
            .unstack("category", fill_value=0)
            .reindex(columns=cols, fill_value=0)
            .reset_index()
        )
        counts = frame.groupby(["rep_id", "rep"], dropna=False).size().rename("deals")
        table = table.merge(counts.reset_index(), on=["rep_id", "rep"], how="left")
        table = table.sort_values("rep", kind="stable").reset_index(drop=True)
    table.columns.name = None
    total = {c: table[c].sum() for c in [*cols, "deals"]}
    table = pd.concat(
        [table, pd.DataFrame([{"rep_id": pd.NA, "rep": "Total", **total}])], ignore_index=True
    )
    for c in cols:
        table[c] = table[c].astype("int64") / 100.0
    table["total"] = table[cols].sum(axis=1)
    table["rep_id"] = table["rep_id"].astype("Int64")
    table["deals"] = table["deals"].astype("int64")
    return table[["rep_id", "rep", *cols, "total", "deals"]]


@dataclass(frozen=True)
class Coverage:
    """Pipeline coverage for a quarter: pipeline / (quota - won to date), or None + reason."""

    pipeline: float
    quota: float | None
    won_to_date: float
    remaining_quota: float | None
    value: float | None
    reason: str | None

    def to_dict(self) -> dict[str, object]:
        """Returns the fields as a JSON-ready dict."""
        return {
            "pipeline": self.pipeline,
            "quota": self.quota,
            "won_to_date": self.won_to_date,
            "remaining_quota": self.remaining_quota,
            "value": self.value,
            "reason": self.reason,
        }


def coverage_ratio(pipeline: float, quota: float | None, won_to_date: float) -> Coverage:
    """Returns the Coverage of `quota` (None when no quota is set) by `pipeline`."""
    if quota is None or pd.isna(quota) or quota <= 0:
        return Coverage(pipeline, None, won_to_date, None, None, "no quota for the quarter")
    remaining = round(quota - won_to_date, 2)
    if remaining <= 0:
        return Coverage(pipeline, quota, won_to_date, remaining, None, "quota already met")
    return Coverage(pipeline, quota, won_to_date, remaining, pipeline / remaining, None)


def coverage_by_rep(
    pipeline_by_rep: pd.DataFrame, quota_by_rep: pd.DataFrame, won_by_rep: pd.DataFrame
) -> pd.DataFrame:
    """Returns pipeline coverage per rep for the quarter plus a final "Total" row.

    Requires pipeline_by_rep with columns rep_id, rep, pipeline; quota_by_rep with rep_id,
    quota; won_by_rep with rep_id, won (the quarter's won amount to date). Reps in any of
    the three frames appear. Returns a frame with columns rep_id (Int64), rep, pipeline,
    quota (Float64, <NA> when none), won_to_date, remaining_quota (Float64), coverage
    (Float64, <NA> when undefined), reason (None when defined).
    """
    names = pipeline_by_rep[["rep_id", "rep"]]
    for extra in (quota_by_rep, won_by_rep):
        if "rep" in extra.columns:
            names = pd.concat([names, extra[["rep_id", "rep"]]])
    names = names.drop_duplicates("rep_id")
    ids = pd.Index(
        pd.concat([pipeline_by_rep["rep_id"], quota_by_rep["rep_id"], won_by_rep["rep_id"]])
        .dropna()
        .unique()
    )
    pipe = pipeline_by_rep.groupby("rep_id")["pipeline"].sum().reindex(ids, fill_value=0.0)
    quota = quota_by_rep.groupby("rep_id")["quota"].sum().reindex(ids)
    won = won_by_rep.groupby("rep_id")["won"].sum().reindex(ids, fill_value=0.0)
    rows = []
    for rep_id in ids:
        q = quota.get(rep_id)
        cov = coverage_ratio(
            float(pipe[rep_id]), None if pd.isna(q) else float(q), float(won[rep_id])
        )
        rows.append({"rep_id": rep_id, **cov.to_dict()})
    has_quota = quota.notna().any()
    total = coverage_ratio(
        float(pipe.sum()), float(quota.sum()) if has_quota else None, float(won.sum())
    )
    out = pd.DataFrame(rows, columns=["rep_id", *Coverage.__dataclass_fields__])
    out = out.merge(names, on="rep_id", how="left").sort_values("rep", kind="stable")
    out = pd.concat(
        [out, pd.DataFrame([{"rep_id": pd.NA, "rep": "Total", **total.to_dict()}])],
        ignore_index=True,
    )
    out = out.rename(columns={"value": "coverage"})
    for col in ("quota", "remaining_quota", "coverage"):
        out[col] = pd.array(out[col].tolist(), dtype="Float64")
    out["rep_id"] = out["rep_id"].astype("Int64")
    out["reason"] = out["reason"].astype(object).where(out["reason"].notna(), None)
    cols = ["rep_id", "rep", "pipeline", "quota", "won_to_date", "remaining_quota"]
    return out[[*cols, "coverage", "reason"]].reset_index(drop=True)


# -- the whole review ---------------------------------------------------------------------


LIST_NAMES = (
    "new",
    "advanced",
    "regressed",
    "pushed",
    "slipped",
    "overdue",
    "stale",
    "big_changes",
)


@dataclass(frozen=True)
class PipelineReview:
    """Everything the weekly meeting walks through, for one week and one scope."""

    week: Week
    quarter: Quarter
    waterfall: Waterfall
    movements: pd.DataFrame
    closing_pipeline: pd.DataFrame
    lists: Mapping[str, pd.DataFrame]
    forecast: pd.DataFrame


def review_week(
    history: pd.DataFrame | WeekStates,
    deals: pd.DataFrame,
    stages: pd.DataFrame,
    week: Week,
    quarter: Quarter | None = None,
    *,
    stale_days: int = STALE_DAYS_DEFAULT,
    big_change: float = BIG_CHANGE_DEFAULT,
    life_history: pd.DataFrame | None = None,
) -> PipelineReview:
    """Returns the week's PipelineReview: waterfall, per-deal movements, lists, forecast roll-up.

    Requires history as normalise_history (whole histories, or the repository's rows: each
    deal's last row before the week plus the week's rows; or their week_states), deal
    attributes with columns
    opportunity_id, name, rep_id, rep, territory, and stages with name, sort_order.
    `life_history` gives whole histories of pushed deals for their lifetime push count.
    Lists are: new, advanced, regressed, pushed, slipped, overdue, stale, big_changes.
    """
    quarter = quarter or review_quarter(week)
    states = history if isinstance(history, WeekStates) else week_states(history, week)
    movements = _movements(states, quarter)
    closing = states.closing[in_pipeline(states.closing, quarter)].reset_index(drop=True)
    changes = stage_changes(states, deals, stages)
    lists = {
        "new": new_deals(states, deals, quarter),
        "advanced": changes[changes["direction"] == "advance"].reset_index(drop=True),
        "regressed": changes[changes["direction"] == "regression"].reset_index(drop=True),
        "pushed": pushed_deals(states, deals, quarter, life_history),
        "slipped": slipped_deals(states, movements, deals),
        "overdue": overdue_deals(states, deals),
        "stale": stale_deals(states, deals, stale_days),
        "big_changes": big_amount_changes(states, deals, big_change),
    }
    return PipelineReview(
        week=week,
        quarter=quarter,
        waterfall=waterfall_from_movements(movements, week, quarter),
        movements=_attach(movements, deals),
        closing_pipeline=_attach(_state_columns(closing), deals),
        lists=lists,
        forecast=forecast_rollup(closing, deals),
    )


def pipeline_by_rep(closing_pipeline: pd.DataFrame) -> pd.DataFrame:
    """Returns the pipeline amount per rep.

    Requires columns rep_id, rep, amount (as PipelineReview.closing_pipeline).
    Returns a frame with columns rep_id, rep, pipeline.
    """
    if closing_pipeline.empty:
        return pd.DataFrame({"rep_id": pd.Series(dtype="Int64"), "rep": [], "pipeline": []})
    return (
        closing_pipeline.groupby(["rep_id", "rep"], dropna=False)["amount"]
        .sum()
        .rename("pipeline")
        .reset_index()
    )


@dataclass(frozen=True)
class Headline:
    """The week's headline for the Overview page."""

    week: Week
    quarter: Quarter
    opening: float
    closing: float
    net_change: float
    slipped: float
    slipped_deals: int


def headline(review_waterfall: Waterfall) -> Headline:
    """Returns the headline figures (net pipeline change, slipped value) of a Waterfall."""
    w = review_waterfall
    return Headline(
        week=w.week,
        quarter=w.quarter,
        opening=float(w.opening),
        closing=float(w.closing),
        net_change=float(w.net_change),
        slipped=float(w.slipped),
        slipped_deals=int(w.deals.get("slipped", 0)),
    )
