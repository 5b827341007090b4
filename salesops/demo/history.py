"""Opportunity history: one row per change of stage, amount or expected close date.

Deals move up through the open stages, have their amounts changed, have close dates pushed
each time the expected date passes, and close. A small seeded share also takes detours before
closing: a stage regression, a close date pulled in, a loss reopened. Several changes of one
deal on one day collapse into the day's last state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.demo.catalog import FORECAST_CATEGORY, OPEN_STAGES
from salesops.demo.state import DemoState, positions_in_groups
from salesops.demo.text import labels

# Event kinds: stage move (0), push (1), amount change (2), close (3), then the detours.
KIND_STAGE, KIND_PUSH, KIND_AMOUNT, KIND_CLOSE = 0, 1, 2, 3
KIND_REGRESSION, KIND_PULL_IN, KIND_LOST, KIND_REOPENED = 4, 5, 6, 7
_STAGE_NAMES = ("", *OPEN_STAGES, "Closed Won", "Closed Lost")
_OUTCOMES = ("open", "won", "lost")


def _filled(events: pd.DataFrame, values: np.ndarray, how: str = "ffill") -> np.ndarray:
    """Returns `values` forward-filled (or summed so far) within each deal, in event order."""
    return getattr(pd.Series(values).groupby(events["opp"].to_numpy()), how)().to_numpy()


def _stage_events(state: DemoState, opps: pd.DataFrame) -> pd.DataFrame:
    """Returns the stage moves (opp, t, kind, value = stage number) of every deal."""
    rng = state.rng
    n = len(opps)
    won = opps["won"].to_numpy()
    day, close_day = opps["day"].to_numpy(), opps["close_day"].to_numpy()
    cycle = close_day - day
    # Highest open stage reached: won deals pass all five; lost deals stall somewhere.
    reached = np.where(won, 5, rng.integers(1, 6, n))
    # Stage entry times as fractions of the cycle.
    rows_opp = np.repeat(np.arange(n), reached)
    stage_no = positions_in_groups(reached)
    frac = np.where(
        stage_no == 1, 0.0, (stage_no - 1) / 5.0 + rng.uniform(-0.05, 0.05, len(rows_opp))
    )
    t_stage = day[rows_opp] + np.floor(frac * cycle[rows_opp]).astype(int)
    return pd.DataFrame(
        {"opp": rows_opp, "t": t_stage, "kind": KIND_STAGE, "value": stage_no.astype(float)}
    )


def _push_step(opps: pd.DataFrame, share: float) -> np.ndarray:
    """Returns how far each push moves a deal's expected close (days): `share` of its cycle."""
    cycle = opps["close_day"].to_numpy() - opps["day"].to_numpy()
    return np.maximum(14, (cycle * share).astype(int))


def _push_events(state: DemoState, opps: pd.DataFrame) -> pd.DataFrame:
    """Returns the close-date pushes: each time the expected date passes while the deal is open."""
    n = len(opps)
    day, close_day = opps["day"].to_numpy(), opps["close_day"].to_numpy()
    cycle = close_day - day
    planned = opps["planned"].to_numpy()
    step = _push_step(opps, state.pattern.push_share)
    pushes = np.clip(np.ceil((cycle - planned) / step), 0, 4).astype(int)
    push_opp = np.repeat(np.arange(n), pushes)
    push_no = positions_in_groups(pushes) if pushes.sum() else np.zeros(0, int)
    # Reps update the date a while after it has passed, so open deals can sit overdue.
    push_lag = state.rng.integers(0, 25, len(push_opp))
    push_t = day[push_opp] + planned[push_opp] + (push_no - 1) * step[push_opp] + push_lag
    before_close = push_t < close_day[push_opp]
    return pd.DataFrame(
        {"opp": push_opp, "t": push_t, "kind": KIND_PUSH, "value": push_no.astype(float)}
    )[before_close]


def _amount_events(state: DemoState, opps: pd.DataFrame) -> pd.DataFrame:
    """Returns amount changes (value = factor) on about a third of deals, mid-cycle."""
    rng = state.rng
    day = opps["day"].to_numpy()
    cycle = opps["close_day"].to_numpy() - day
    changes = rng.uniform(size=len(opps)) < 0.33
    ch_opp = np.flatnonzero(changes)
    ch_t = day[ch_opp] + (cycle[ch_opp] * rng.uniform(0.3, 0.8, len(ch_opp))).astype(int)
    ch_factor = np.round(rng.choice([0.7, 0.8, 0.9, 1.1, 1.25, 1.5], len(ch_opp)), 2)
    return pd.DataFrame({"opp": ch_opp, "t": ch_t, "kind": KIND_AMOUNT, "value": ch_factor})


def _detours(state: DemoState, opps: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Returns the detours deals take before they close, and the reopened deals' lost spells.

    A small, seeded share of deals that close within the data: a stage regression (one
    stage back mid-cycle; the next stage move restores it), a close date pulled in
    (1-6 weeks earlier, until the next push), and, for deals finally lost, an earlier
    loss reopened days or weeks later. Every detour ends before the deal's close, so
    each deal's final state, and every table built from it, stays as it was.
    Returns the events (opp, t, kind, value) and per deal the day a provisional loss
    starts and the day it is reopened (-1 where there is none).
    """
    rng = state.detour_rng
    n = len(opps)
    day, close_day = opps["day"].to_numpy(), opps["close_day"].to_numpy()
    cycle = close_day - day
    closes = close_day <= state.n_days - 1
    # Regressions need stage moves on distinct days: cycles of a month or more.
    regress = np.flatnonzero(closes & (cycle >= 30) & (rng.uniform(size=n) < 0.08))
    regress_t = day[regress] + (cycle[regress] * rng.uniform(0.45, 0.95, len(regress)))
    pull = np.flatnonzero(closes & (cycle >= 14) & (rng.uniform(size=n) < 0.10))
    pull_t = day[pull] + (cycle[pull] * rng.uniform(0.2, 0.9, len(pull)))
    pull_days = rng.integers(7, 43, len(pull)).astype(float)
    reopen = np.flatnonzero(
        closes & ~opps["won"].to_numpy() & (cycle >= 20) & (rng.uniform(size=n) < 0.05)
    )
    lost_t = day[reopen] + (cycle[reopen] * rng.uniform(0.2, 0.6, len(reopen))).astype(int)
    gap = np.minimum(rng.integers(3, 31, len(reopen)), close_day[reopen] - lost_t - 1)
    events = pd.DataFrame(
        {
            "opp": np.concatenate([regress, pull, reopen, reopen]),
            "t": np.concatenate([regress_t.astype(int), pull_t.astype(int), lost_t, lost_t + gap]),
            "kind": np.repeat(
                [KIND_REGRESSION, KIND_PULL_IN, KIND_LOST, KIND_REOPENED],
                [len(regress), len(pull), len(reopen), len(reopen)],
            ),
            "value": np.concatenate([np.zeros(len(regress)), pull_days, np.zeros(2 * len(reopen))]),
        }
    )
    events = events[events["t"] < close_day[events["opp"].to_numpy()]]
    lost_from, lost_until = np.full(n, -1), np.full(n, -1)
    lost_from[reopen], lost_until[reopen] = lost_t, lost_t + gap
    return events, lost_from, lost_until


def _without_clashing_detours(
    events: pd.DataFrame, lost_from: np.ndarray, lost_until: np.ndarray
) -> pd.DataFrame:
    """Returns the events less detours that would hide a recorded change.

    Several changes of one day collapse into the day's last state, so a detour must not
    share a day with a deal's own event, and a provisional loss must not swallow a stage
    move (the stage would vanish from the deal's history). A deal whose loss clashes keeps
    no loss at all (`lost_from`/`lost_until` are reset in place).
    """
    opp, day, kind = (events[c].to_numpy() for c in ("opp", "t", "kind"))
    key = opp * 100_000 + day  # non-decreasing: the events are in (deal, day) order
    detour = kind >= KIND_REGRESSION
    clash = detour & _in_sorted(key, key[~detour])
    stage = kind == KIND_STAGE
    in_spell = stage & (day >= lost_from[opp]) & (day <= lost_until[opp]) & (lost_from[opp] >= 0)
    spoiled = np.union1d(opp[in_spell], opp[clash & (kind >= KIND_LOST)])
    lost_from[spoiled], lost_until[spoiled] = -1, -1
    is_spoiled = np.zeros(len(lost_from), dtype=bool)
    is_spoiled[spoiled] = True
    drop = clash | ((kind >= KIND_LOST) & is_spoiled[opp])
    return events[~drop].reset_index(drop=True)


def _in_sorted(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """Returns whether each value is among `sorted_values` (ascending): np.isin by bisection.

    np.isin hashes both arrays (~1 s for the large demo's 6M events); these are sorted.
    """
    at = np.searchsorted(sorted_values, values)
    found = at < len(sorted_values)
    found[found] = sorted_values[at[found]] == values[found]
    return found


@dataclass(frozen=True)
class _Events:
    """Every deal's change events in order, with the lost spells of reopened deals."""

    frame: pd.DataFrame  # columns opp, t, kind, value; sorted by opp, t, kind
    lost_from: np.ndarray
    lost_until: np.ndarray


def _events(state: DemoState, opps: pd.DataFrame) -> _Events:
    """Returns every change event of every deal within the data span, detours included."""
    n = len(opps)
    day, close_day = opps["day"].to_numpy(), opps["close_day"].to_numpy()
    stage_events = _stage_events(state, opps)
    push_events = _push_events(state, opps)
    amount_events = _amount_events(state, opps)
    close_events = pd.DataFrame(
        {
            "opp": np.arange(n),
            "t": close_day,
            "kind": KIND_CLOSE,
            "value": opps["won"].to_numpy().astype(float),
        }
    )
    detours, lost_from, lost_until = _detours(state, opps)
    ev = pd.concat(
        [stage_events, push_events, amount_events, close_events, detours], ignore_index=True
    )
    ev = ev[ev["t"] <= state.n_days - 1]
    ev["t"] = np.maximum(ev["t"].to_numpy(), day[ev["opp"].to_numpy()])
    ev = ev.sort_values(["opp", "t", "kind"], kind="stable").reset_index(drop=True)
    ev = _without_clashing_detours(ev, lost_from, lost_until)
    return _Events(ev, lost_from, lost_until)


def _pointless_detours_dropped(
    opps: pd.DataFrame, ev: pd.DataFrame, push_share: float
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Returns (events, stage so far, expected close, pull-in days) less pointless detours.

    Stage: the last stage event so far (forward-filled per deal). Expected close: planned
    date, moved by a step per push. A regression needs stage 2 or more to step back from;
    a pull-in must move the date at least a day (never to before its own day).
    """
    day, planned = opps["day"].to_numpy(), opps["planned"].to_numpy()
    step = _push_step(opps, push_share)
    stage_val = _filled(ev, np.where(ev["kind"] == KIND_STAGE, ev["value"], np.nan))
    n_push = _filled(ev, np.where(ev["kind"] == KIND_PUSH, 1, 0), "cumsum")
    expected = day[ev["opp"]] + planned[ev["opp"]] + n_push * step[ev["opp"]]
    pull = np.minimum(ev["value"], expected - ev["t"] - 1).to_numpy()
    pointless = ((ev["kind"] == KIND_REGRESSION) & ~(stage_val >= 2)) | (
        (ev["kind"] == KIND_PULL_IN) & (pull < 1)
    )
    keep = ~pointless.to_numpy()
    return ev[keep].reset_index(drop=True), stage_val[keep], expected[keep], pull[keep]


def deal_history(state: DemoState, opps: pd.DataFrame) -> pd.DataFrame:
    """Returns the opportunity_history frame: one row per deal and day with a change.

    Requires columns day, close_day, planned, won, amount (one row per deal, in id order).
    Returns columns opportunity_id, changed_at, stage, outcome, amount,
    expected_close_date, forecast_category.
    """
    events = _events(state, opps)
    lost_from, lost_until = events.lost_from, events.lost_until
    ev, stage_val, expected, pull = _pointless_detours_dropped(
        opps, events.frame, state.pattern.push_share
    )
    o = ev["opp"].to_numpy()
    kind = ev["kind"].to_numpy()
    val = ev["value"].to_numpy()
    # A regression steps back one stage until the next stage move.
    regression = np.where(kind == KIND_REGRESSION, stage_val - 1, np.nan)
    stage_val = _filled(ev, np.where(kind == KIND_STAGE, val, regression))
    # Amount: product of change factors so far.
    factor = pd.Series(np.where(kind == KIND_AMOUNT, val, 1.0)).groupby(o).cumprod().to_numpy()
    amount = np.round(opps["amount"].to_numpy()[o] * factor, -2)
    # A pull-in moves the expected close earlier until the next push; a close row sets it
    # to the close.
    expected = expected - _filled(ev, np.where(kind == KIND_PULL_IN, pull, 0), "cumsum")
    closed = kind == KIND_CLOSE
    expected = np.where(closed, opps["close_day"].to_numpy()[o], expected)
    # A reopened deal reads lost (closed that day) from its provisional loss to reopening.
    t = ev["t"].to_numpy()
    lost_for_now = (t >= lost_from[o]) & (t < lost_until[o])
    expected = np.where(lost_for_now, lost_from[o], expected)
    # Text by code (salesops.demo.text): stage 0 is "", 1.. the open stages, then the closed.
    stage = np.nan_to_num(stage_val, nan=1).astype(int)
    outcome = np.zeros(len(ev), dtype=int)
    outcome[closed & (val == 1)] = 1
    outcome[(closed & (val == 0)) | lost_for_now] = 2
    stage = np.where(outcome == 1, len(_STAGE_NAMES) - 2, stage)
    stage = np.where(outcome == 2, len(_STAGE_NAMES) - 1, stage)
    # Collapse several changes of one deal on the same day into the day's final state: the
    # events are in (deal, day) order, so that is each run's last row (kept before the
    # frame is made: a groupby's tail over the frame's string columns cost more).
    last = np.ones(len(o), dtype=bool)
    last[:-1] = (o[1:] != o[:-1]) | (t[1:] != t[:-1])
    stage = stage[last]
    return pd.DataFrame(
        {
            "opportunity_id": o[last] + 1,
            "changed_at": state.start + t[last].astype("timedelta64[D]"),
            "stage": labels(stage, _STAGE_NAMES),
            "outcome": labels(outcome[last], _OUTCOMES),
            "amount": amount[last],
            "expected_close_date": state.start + expected[last].astype("timedelta64[D]"),
            "forecast_category": labels(stage, [FORECAST_CATEGORY.get(s) for s in _STAGE_NAMES]),
        }
    )
