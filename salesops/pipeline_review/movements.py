"""Each deal's contribution to the week's pipeline waterfall.

**Waterfall** for a week, with signed movements that reconcile exactly (money is summed in
integer cents):
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
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from salesops.calendar import Quarter, Week
from salesops.pipeline_review.history import (
    WeekStates,
    first_rows,
    in_pipeline,
    last_rows,
    review_quarter,
    week_states,
)

MOVEMENTS = ("new", "increased", "decreased", "slipped", "pulled_in", "won", "lost")
CLOSED_OUTCOMES = ("won", "lost")
NOTHING = np.array(None, dtype=object)  # None as an array, so np.where gives object arrays
MOVEMENT_COLUMNS = [
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


def deal_movements(
    history: pd.DataFrame | WeekStates, week: Week, quarter: Quarter | None = None
) -> pd.DataFrame:
    """Returns each deal's contribution to the week's waterfall (see the module docstring).

    Requires columns as normalise_history (whole histories, or the repository's pruned rows),
    or their week_states.
    Returns a frame with one row per deal in the pipeline at either instant or at any point
    in the week: opportunity_id, opening, closing and one column per movement (float,
    signed, in currency), the same in integer cents with a `_cents` suffix, entry
    ("created", "reopened", "pulled_in" or None), exit ("won", "lost", "slipped" or None),
    in_opening and in_closing (bool).
    For every row opening + movements == closing exactly in cents.
    """
    states = history if isinstance(history, WeekStates) else week_states(history, week)
    timeline = _timeline(states, quarter or review_quarter(week))
    if not len(timeline.ids):
        return _empty_movements()
    crossings = _crossings(timeline, states.created)
    return _movement_frame(crossings, _cents_by_step(crossings))


class _Timeline(NamedTuple):
    """Per row, ordered by deal then time: a deal's opening row (pos 0), then its week rows."""

    ids: np.ndarray
    pos: np.ndarray
    inside: np.ndarray
    outcome: np.ndarray
    cents: np.ndarray


class _Crossings(NamedTuple):
    """Per deal: in the pipeline at each instant, and how and at what amount it came and went."""

    deal_ids: np.ndarray
    in_opening: np.ndarray
    in_closing: np.ndarray
    opening_cents: np.ndarray
    closing_cents: np.ndarray
    entry_kind: np.ndarray
    entry_cents: np.ndarray
    exit_kind: np.ndarray
    exit_cents: np.ndarray


def _timeline(states: WeekStates, quarter: Quarter) -> _Timeline:
    """Returns the states of the deals in the pipeline at some state, by deal then time."""
    keep = ["opportunity_id", "outcome", "expected_close_date", "cents"]
    both = pd.concat([states.opening[keep], states.rows[keep]], ignore_index=True)
    pos = np.r_[np.zeros(len(states.opening), dtype=int), np.ones(len(states.rows), dtype=int)]
    order = np.lexsort((pos, both["opportunity_id"].to_numpy()))
    ids = both["opportunity_id"].to_numpy()[order]
    inside = in_pipeline(both, quarter).to_numpy()[order]
    # Only deals in the pipeline at some state move anything.
    group = np.cumsum(first_rows(ids)) - 1
    touched = (np.bincount(group, weights=inside) > 0)[group] if len(ids) else inside
    order = order[touched]
    return _Timeline(
        ids=ids[touched],
        pos=pos[order],
        inside=inside[touched],
        outcome=both["outcome"].to_numpy(dtype=object)[order],
        cents=both["cents"].to_numpy(dtype="int64")[order],
    )


def _crossings(t: _Timeline, created: frozenset[int]) -> _Crossings:
    """Returns per deal its opening and closing amounts and the rows it entered and left at."""
    first, last = first_rows(t.ids), last_rows(t.ids)
    prev_in = np.r_[False, t.inside[:-1]] & ~first
    prev_outcome = np.r_[None, t.outcome[:-1]]
    prev_outcome[first] = None
    deal_ids = t.ids[first]
    in0 = t.inside[first] & (t.pos[first] == 0)
    in1 = t.inside[last]
    # The first row that brings a deal in (during the week) and the last that takes it out.
    entry_at = _per_deal(deal_ids, t.ids, np.flatnonzero(t.inside & ~prev_in & (t.pos == 1)))
    exit_at = _per_deal(deal_ids, t.ids, np.flatnonzero(~t.inside & prev_in), last=True)
    has_entry = ~in0 & (entry_at >= 0)
    has_exit = ~in1 & (exit_at >= 0)
    reopened = _is_closed(prev_outcome[entry_at]) & has_entry
    was_created = np.isin(deal_ids, np.fromiter(created, dtype="int64"))
    return _Crossings(
        deal_ids=deal_ids,
        in_opening=in0,
        in_closing=in1,
        opening_cents=np.where(in0, t.cents[first], 0),
        closing_cents=np.where(in1, t.cents[last], 0),
        entry_kind=_entry_kinds(has_entry, was_created, reopened),
        entry_cents=np.where(has_entry, t.cents[entry_at], 0),
        exit_kind=_exit_kinds(has_exit, t.outcome[exit_at]),
        exit_cents=np.where(has_exit, t.cents[exit_at], 0),
    )


def _entry_kinds(has_entry: np.ndarray, created: np.ndarray, reopened: np.ndarray) -> np.ndarray:
    """Returns per deal "created", "reopened", "pulled_in", or None when it did not enter."""
    kinds = np.where(created, "created", np.where(reopened, "reopened", "pulled_in"))
    return np.where(~has_entry, NOTHING, kinds)


def _exit_kinds(has_exit: np.ndarray, exit_outcome: np.ndarray) -> np.ndarray:
    """Returns per deal "won", "lost", "slipped", or None when it did not leave."""
    kinds = np.where(_is_closed(exit_outcome), exit_outcome, "slipped")
    return np.where(~has_exit, NOTHING, kinds)


def _cents_by_step(c: _Crossings) -> dict[str, np.ndarray]:
    """Returns each deal's signed cents per step: opening, closing and every movement."""
    start = np.where(c.in_opening, c.opening_cents, c.entry_cents)
    end = np.where(c.in_closing, c.closing_cents, c.exit_cents)
    change = end - start
    entry, exit_ = c.entry_kind, c.exit_kind
    return {
        "opening": c.opening_cents,
        "closing": c.closing_cents,
        "new": np.where((entry == "created") | (entry == "reopened"), c.entry_cents, 0),
        "increased": np.where(change > 0, change, 0),
        "decreased": np.where(change < 0, change, 0),
        "slipped": np.where(exit_ == "slipped", -c.exit_cents, 0),
        "pulled_in": np.where(entry == "pulled_in", c.entry_cents, 0),
        "won": np.where(exit_ == "won", -c.exit_cents, 0),
        "lost": np.where(exit_ == "lost", -c.exit_cents, 0),
    }


def _movement_frame(c: _Crossings, cents: dict[str, np.ndarray]) -> pd.DataFrame:
    """Returns the deal_movements frame of the deals' crossings and cents per step."""
    out = pd.DataFrame({"opportunity_id": c.deal_ids.astype("int64")})
    steps = ("opening", "closing", *MOVEMENTS)
    for name in steps:
        out[name] = cents[name].astype("int64") / 100.0
    for name in steps:
        out[f"{name}_cents"] = cents[name].astype("int64")
    out["entry"] = pd.Series(c.entry_kind, dtype=object)
    out["exit"] = pd.Series(c.exit_kind, dtype=object)
    out["in_opening"] = c.in_opening
    out["in_closing"] = c.in_closing
    return out[MOVEMENT_COLUMNS]


def _is_closed(outcomes: np.ndarray) -> np.ndarray:
    """Returns True where an outcome (object array, None allowed) is won or lost."""
    return (outcomes == CLOSED_OUTCOMES[0]) | (outcomes == CLOSED_OUTCOMES[1])


def _per_deal(
    deal_ids: np.ndarray, ids: np.ndarray, rows: np.ndarray, last: bool = False
) -> np.ndarray:
    """Returns, per deal, the position of its first (or last) row among `rows`, or -1 if none.

    `ids` are the deal ids of every row (sorted), `rows` positions into them (ascending).
    """
    found = np.full(len(deal_ids), -1, dtype="int64")
    if len(rows):
        picked = rows[last_rows(ids[rows]) if last else first_rows(ids[rows])]
        found[np.searchsorted(deal_ids, ids[picked])] = picked
    return found


def _empty_movements() -> pd.DataFrame:
    """Returns a deal_movements frame with no rows and the usual dtypes."""
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in MOVEMENT_COLUMNS})
    frame["opportunity_id"] = frame["opportunity_id"].astype("int64")
    for c in MOVEMENT_COLUMNS:
        if c.endswith("_cents"):
            frame[c] = frame[c].astype("int64")
    frame["entry"] = frame["entry"].astype(object)
    frame["exit"] = frame["exit"].astype(object)
    frame["in_opening"] = frame["in_opening"].astype(bool)
    frame["in_closing"] = frame["in_closing"].astype(bool)
    return frame
