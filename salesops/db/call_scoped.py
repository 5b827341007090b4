"""The call's snapshots and won days of a few reps' deals, swept from their history spans.

A scope of reps that is not a whole set of the unit rollups' units (one rep, a hand-picked
few) is read from the per-rep rollups (salesops.db.schema_call) in the quarters they hold;
an instant in a quarter after those (an as-of date after the data) is swept here. Such a
scope holds few deals (one rep of the large demo: ~0.5% of them): their spans are read once
through the spans' deal index and swept in memory by the rollup build's own `Runs`, at the
asked instants only. The numbers are the ones the span queries give, and the per-rep
rollups give them to the bit (tests/integration/test_call_rollup.py compares them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Connection, Select, or_

from salesops.calendar import Quarter, quarter_of
from salesops.db import schema as s
from salesops.db.rollups_call import BUCKETS, EPOCH, MEASURES, Runs, quarters_between
from salesops.db.rollups_call_update import _Codes, _Spans

SNAPSHOT_COLUMNS = (
    "instant",
    "unit",
    "stage",
    "forecast_category",
    "close_bucket",
    "deals",
    "open_amount",
    "won_amount",
    "won_deals",
)


class ScopedSpans:
    """The spans of a scope's deals dated before `until`, each deal's roll-up unit coded."""

    def __init__(
        self, conn: Connection, deals: Select, ids: Select, until: date, since: date
    ) -> None:
        """`deals` selects (deal id, unit label) of the scope's deals, `ids` their ids.

        Spans ended before `since` are not read: every instant and won day asked of it
        must be from `since` on (a span is current up to its end, a won row is dated at
        its start).
        """
        self.since = since
        rows = conn.execute(deals).all()
        self.units: list[str | None] = sorted({u for _, u in rows}, key=lambda u: (u is None, u))
        code = {u: i for i, u in enumerate(self.units)}
        found = np.array([d for d, _ in rows], dtype="int64")
        self.unit_of = np.zeros(int(found.max(initial=0)) + 1, dtype="int64")
        self.unit_of[found] = [code[u] for _, u in rows]
        sp = s.rollup_history_spans.c
        self.codes = _Codes()
        chosen: ColumnElement[bool] = sp.opportunity_id.in_(ids)
        ended = or_(sp.valid_to.is_(None), sp.valid_to >= since)
        self.spans = _Spans(conn, chosen, self.codes, sp.valid_from < until, ended)

    def snapshots(self, instants: Sequence[tuple[date, date]], until: date) -> pd.DataFrame:
        """Returns the open pipeline at each (instant, quarter end), as call_snapshots does.

        Every instant must lie in its quarter (start .. end) and not after `until`; a
        quarter not ended by `until` has no won amount yet.
        """
        if not instants or not len(self.spans.open):
            return pd.DataFrame({n: pd.Series(dtype=object) for n in SNAPSHOT_COLUMNS})
        asked = [q.start for _, q in _quartered(instants)]
        if min(asked) < self.since:
            raise ValueError(f"Spans read from {self.since}: no instant before it is known.")
        quarters = quarters_between(min(asked), max(asked))
        index = {q.start: i for i, q in enumerate(quarters)}
        starts = np.array([(q.start - EPOCH).days for q in quarters], dtype="int64")
        ends = np.array([(q.end - EPOCH).days for q in quarters], dtype="int64")
        spans = self.spans
        kinds = len(self.codes.kinds)
        group = self.unit_of[spans.open[:, 0]] * kinds + spans.kind
        runs = Runs.of(spans.open, group, spans.won, starts, ends)
        wanted = np.array(
            [index[q.start] * _STRIDE + (t - q.start).days for t, q in _quartered(instants)],
            dtype="int64",
        )
        slots = np.unique(wanted)
        levels = _levels(runs, slots, len(self.units) * kinds * len(BUCKETS))
        return self._rows(instants, wanted, slots, levels, until)

    def _rows(
        self,
        instants: Sequence[tuple[date, date]],
        wanted: np.ndarray,
        slots: np.ndarray,
        levels: dict[str, np.ndarray],
        until: date,
    ) -> pd.DataFrame:
        """Returns the non-empty cells of each asked instant as snapshot rows."""
        kinds = self.codes.kinds
        frames = []
        for i, (_, end) in enumerate(instants):
            slot = int(np.searchsorted(slots, wanted[i]))
            (cells,) = np.nonzero(levels["deals"][slot] > 0)
            bucket, group = cells % len(BUCKETS), cells // len(BUCKETS)
            unit, kind = group // len(kinds), group % len(kinds)
            ended = end <= until
            frames.append(
                pd.DataFrame(
                    {
                        "instant": i,
                        "unit": [self.units[u] for u in unit],
                        "stage": [kinds[k][0] for k in kind],
                        "forecast_category": [kinds[k][1] for k in kind],
                        "close_bucket": [BUCKETS[b] for b in bucket],
                        "deals": levels["deals"][slot, cells],
                        "open_amount": levels["cents"][slot, cells] / 100.0,
                        "won_amount": levels["won"][slot, cells] / 100.0 if ended else 0.0,
                        "won_deals": levels["won_deals"][slot, cells] if ended else 0,
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def won_by_day(self, start: date, until: date) -> pd.DataFrame:
        """Returns the amount won per unit and day in [start, until), as call_won_by_day does."""
        if start < self.since:
            raise ValueError(f"Spans read from {self.since}: no won day before it is known.")
        rows = self.spans.won_rows
        first, last = (start - EPOCH).days, (until - EPOCH).days
        rows = rows[(rows[:, 1] >= first) & (rows[:, 1] < last)]
        frame = pd.DataFrame(
            {
                "unit": self.unit_of[rows[:, 0]],
                "day": rows[:, 1],
                "cents": rows[:, 2],
            }
        )
        summed = frame.groupby(["unit", "day"], as_index=False)["cents"].sum()
        return pd.DataFrame(
            {
                "unit": [self.units[u] for u in summed["unit"]],
                "day": pd.to_datetime(summed["day"], unit="D"),
                "won_amount": summed["cents"] / 100.0,
            }
        )


_DAY = timedelta(days=1)
_STRIDE = 1 << 10  # slot key: quarter index * _STRIDE + day (a quarter has < 100 days)


def _quartered(instants: Sequence[tuple[date, date]]) -> list[tuple[date, Quarter]]:
    """Returns each (instant, quarter end) as (instant, its quarter)."""
    return [(t, quarter_of(end - _DAY)) for t, end in instants]


def _levels(runs: Runs, slots: np.ndarray, groups: int) -> dict[str, np.ndarray]:
    """Returns each MEASURE summed over the runs covering each slot, shaped (slot, group).

    A run covers the slots of its quarter from its first day to the day before `after`:
    it adds its values at the first such slot and takes them away at the next one past it,
    and a running sum over the slots gives every level.
    """
    base = runs.quarter * _STRIDE
    lo = np.searchsorted(slots, base + runs.first, side="left")
    hi = np.searchsorted(slots, base + runs.after, side="left")
    keep = np.flatnonzero(lo < hi)
    cell = np.concatenate([lo[keep] * groups + runs.key[keep], hi[keep] * groups + runs.key[keep]])
    size = (len(slots) + 1) * groups
    out = {}
    for name in MEASURES:
        value = runs.values[name][keep]
        steps = np.bincount(cell, weights=np.concatenate([value, -value]), minlength=size)
        out[name] = np.rint(np.cumsum(steps.reshape(len(slots) + 1, groups), axis=0)).astype(
            "int64"
        )
    return out
