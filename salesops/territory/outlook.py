"""Bookings outlook: each rep's expected bookings over the quota year, and how far off it runs.

**Expected bookings** of a rep for the 12 months after the origin month = productivity x the
ramped months ahead, where
- ramped months = the sum over months of the ramp at the rep's tenure (0 when not employed;
  `salesops.capacity.ramp`), so a ramping rep is prorated and a known end date counts;
- productivity = (bookings of the last 12 months + k x the segment's productivity) /
  (ramped months of the last 12 months + k), k = Settings `quota_shrink_months`: a rep with
  little history leans on the segment's bookings per ramped month.
**Spread**: the actual / expected ratio of every rep and every past origin month whose year
ahead is fully observed (reps employed all that year), per segment (the whole team for a
segment with fewer than `MIN_SEGMENT_RATIOS`). The chance a rep books at least Q is the share
of those ratios at or above Q / expected (interpolated), so the spread measured from the
team's own history is what the quotas are calibrated against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.capacity.ramp import RampModel, month_index, month_indexes

YEAR = 12
MIN_SEGMENT_RATIOS = 30  # fewer past rep-years than this: the segment uses the team's spread
MIN_TEAM_RATIOS = 8  # fewer than this: the spread is unknown and the outlook says so
RATIO_ORIGINS = 12  # the most recent origins whose year ahead is known: the spread is recent


@dataclass(frozen=True)
class Grid:
    """Reps x months: bookings and ramped months (ramp x employed) on one month axis."""

    first_month: int
    bookings: np.ndarray
    ramped: np.ndarray
    employed: np.ndarray

    def col(self, month: int) -> int:
        """Returns the column of a month index (may be outside the grid)."""
        return month - self.first_month

    def window(self, values: np.ndarray, first: int, months: int) -> np.ndarray:
        """Returns the sum per rep over `months` months from month index `first` (0 outside)."""
        lo = max(self.col(first), 0)
        hi = min(self.col(first) + months, values.shape[1])
        return values[:, lo:hi].sum(axis=1) if hi > lo else np.zeros(values.shape[0])


def grid(monthly: pd.DataFrame, reps: pd.DataFrame, ramp: RampModel, last_month: int) -> Grid:
    """Returns the bookings and ramped-months grid of `reps` up to `last_month` (+ a year).

    Requires columns rep_id, month, bookings (monthly) and id, hire_date, end_date (reps).
    """
    months = month_indexes(monthly["month"]) if len(monthly) else np.array([last_month])
    first = int(min(np.nanmin(months), last_month)) if len(months) else last_month
    n_months = last_month + YEAR - first + 1
    pos = pd.Series(np.arange(len(reps)), index=reps["id"].astype("int64").to_numpy())
    booked = np.zeros((len(reps), n_months))
    if len(monthly):
        row = pos.reindex(monthly["rep_id"].astype("int64").to_numpy()).to_numpy()
        col = (months - first).astype(int)
        ok = ~np.isnan(row) & (col >= 0) & (col < n_months)
        np.add.at(booked, (row[ok].astype(int), col[ok]), monthly["bookings"].to_numpy()[ok])
    axis = first + np.arange(n_months)[None, :]
    hire = month_indexes(reps["hire_date"])[:, None]
    end = month_indexes(reps["end_date"])[:, None]
    employed = (np.isnan(hire) | (axis >= hire)) & (np.isnan(end) | (axis <= end))
    tenure = np.where(np.isnan(hire), 10_000.0, axis - hire + 1)
    ramped = ramp.at(tenure) * employed
    return Grid(first, booked, ramped, employed.astype(bool))


def segment_rates(g: Grid, codes: np.ndarray, origin: int) -> np.ndarray:
    """Returns each segment code's bookings per ramped month over the 12 months to `origin`.

    A segment without ramped months takes the team's rate (0 without any).
    """
    booked = g.window(g.bookings, origin - YEAR + 1, YEAR)
    ramped = g.window(g.ramped, origin - YEAR + 1, YEAR)
    n = int(codes.max()) + 1 if len(codes) else 0
    seg_booked = np.bincount(codes, weights=np.where(ramped > 0, booked, 0.0), minlength=n)
    seg_ramped = np.bincount(codes, weights=ramped, minlength=n)
    overall = booked.sum() / ramped.sum() if ramped.sum() > 0 else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(seg_ramped > 0, seg_booked / seg_ramped, overall)


def productivity(g: Grid, codes: np.ndarray, origin: int, shrink: float) -> np.ndarray:
    """Returns each rep's bookings per ramped month over the 12 months to `origin`, shrunk.

    `codes` numbers each rep's segment (0, 1, ...).
    """
    booked = g.window(g.bookings, origin - YEAR + 1, YEAR)
    ramped = g.window(g.ramped, origin - YEAR + 1, YEAR)
    rate = segment_rates(g, codes, origin)
    return (booked + shrink * rate[codes]) / (ramped + shrink)


def expected_bookings(g: Grid, codes: np.ndarray, origin: int, shrink: float) -> np.ndarray:
    """Returns each rep's expected bookings over the 12 months after `origin`."""
    ahead = g.window(g.ramped, origin + 1, YEAR)
    return productivity(g, codes, origin, shrink) * ahead


def past_ratios(
    g: Grid, codes: np.ndarray, origin: int, shrink: float
) -> tuple[np.ndarray, np.ndarray]:
    """Returns (segment, actual / expected) for every rep-year fully observed by `origin`.

    Origins run from the grid's 12th month to `origin` - 12, so each year ahead ends by
    `origin` and each has a year of history behind it. Only reps employed all of that year
    with some history count.
    """
    segs, ratios = [], []
    for o in range(
        max(g.first_month + YEAR - 1, origin - YEAR - RATIO_ORIGINS + 1), origin - YEAR + 1
    ):
        expected = expected_bookings(g, codes, o, shrink)
        actual = g.window(g.bookings, o + 1, YEAR)
        whole_year = g.window(g.employed.astype(float), o + 1, YEAR) >= YEAR
        history = g.window(g.employed.astype(float), o - YEAR + 1, YEAR) > 0
        keep = whole_year & history & (expected > 0)
        segs.append(codes[keep])
        ratios.append(actual[keep] / expected[keep])
    if not ratios:
        return np.array([], dtype=int), np.array([])
    return np.concatenate(segs), np.concatenate(ratios)


@dataclass(frozen=True)
class Spread:
    """Sorted actual / expected ratios per segment code, from past rep-years.

    `tables[code]` is what a rep of that segment is judged by: its own segment's ratios, or
    the team's when the segment has fewer than MIN_SEGMENT_RATIOS.
    """

    tables: tuple[np.ndarray, ...]
    own: tuple[bool, ...]
    samples: int
    team: np.ndarray


def spread(codes: np.ndarray, ratios: np.ndarray, n_segments: int) -> Spread | None:
    """Returns the per-segment spread, or None with fewer than MIN_TEAM_RATIOS rep-years."""
    if len(ratios) < MIN_TEAM_RATIOS:
        return None
    team = np.sort(ratios)
    tables, own = [], []
    for code in range(n_segments):
        mine = ratios[codes == code]
        enough = len(mine) >= MIN_SEGMENT_RATIOS
        tables.append(np.sort(mine) if enough else team)
        own.append(enough)
    return Spread(tuple(tables), tuple(own), len(ratios), team)


def survival(sorted_ratios: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Returns P(ratio >= x) from sorted samples (plotting positions (i + 0.5) / n, linear)."""
    n = len(sorted_ratios)
    positions = (np.arange(n) + 0.5) / n
    return 1.0 - np.interp(x, sorted_ratios, positions, left=0.0, right=1.0)


def quantile(sorted_ratios: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """Returns the ratio below which a share `p` of the samples lie (the inverse of survival)."""
    n = len(sorted_ratios)
    positions = (np.arange(n) + 0.5) / n
    return np.interp(p, positions, sorted_ratios)


@dataclass(frozen=True)
class Outlook:
    """Expected bookings per rep over the quota year and the spread they are judged by."""

    origin: int
    reps: pd.DataFrame  # rep_id, segment, expected, ramped_months
    codes: np.ndarray
    spread: Spread | None
    reason: str | None
    rates: dict[str, float]  # bookings per ramped month, by segment (what a hire books)

    @property
    def expected(self) -> np.ndarray:
        """Returns each rep's expected bookings (float64; computed once)."""
        cached = self.__dict__.get("_expected")
        if cached is None:
            cached = self.reps["expected"].to_numpy(dtype="float64")
            object.__setattr__(self, "_expected", cached)
        return cached

    def chance(self, quotas: np.ndarray, share: float = 1.0) -> np.ndarray:
        """Returns each rep's chance of booking at least `share` x their quota (NaN: no quota)."""
        expected = self.expected
        out = np.full(len(expected), np.nan)
        if self.spread is None:
            return out
        q = np.asarray(quotas, dtype="float64") * share
        ok = (expected > 0) & (q > 0)
        for code, table in enumerate(self.spread.tables):
            mask = ok & (self.codes == code)
            if mask.any():
                out[mask] = survival(table, q[mask] / expected[mask])
        return out

    def factor(self, segment: str, chance: float) -> float:
        """Returns quota / expected bookings at `chance` for a rep of `segment` (0: no spread)."""
        if self.spread is None:
            return 0.0
        names = list(pd.unique(self.reps["segment"]))
        table = self.spread.tables[names.index(segment)] if segment in names else self.spread.team
        return float(quantile(table, 1.0 - chance))

    def quantile_quotas(self, chance: float) -> np.ndarray:
        """Returns each rep's quota with the given chance of being reached (0: no outlook)."""
        if self.spread is None:
            return np.zeros(len(self.codes))
        factors = np.array([float(quantile(t, 1.0 - chance)) for t in self.spread.tables])
        return np.maximum(self.expected, 0.0) * factors[self.codes]


def outlook(
    monthly: pd.DataFrame,
    reps: pd.DataFrame,
    ramp: RampModel,
    origin_day: object,
    shrink: float,
) -> Outlook:
    """Returns the bookings outlook of `reps` for the 12 months after the month of `origin_day`.

    Requires columns rep_id, month, bookings (monthly, history up to the origin at least) and
    id, segment, hire_date, end_date (reps). Bookings after the origin are only used for
    the spread of earlier origins, never for the outlook itself.
    """
    origin = month_index(origin_day)
    known = monthly[month_indexes(monthly["month"]) <= origin] if len(monthly) else monthly
    g = grid(known, reps, ramp, origin)
    segments = reps["segment"].astype("object").fillna("(no segment)").astype(str)
    codes, names = pd.factorize(segments)
    codes = codes.astype(int)
    expected = expected_bookings(g, codes, origin, shrink)
    segs, ratios = past_ratios(g, codes, origin, shrink)
    measured = spread(segs, ratios, len(names))
    reason = None
    if measured is None:
        reason = (
            f"only {len(ratios)} past rep-years to measure how far bookings run from "
            f"expectation ({MIN_TEAM_RATIOS} needed: about two years of bookings)"
        )
    frame = pd.DataFrame(
        {
            "rep_id": reps["id"].to_numpy(),
            "segment": segments.to_numpy(),
            "expected": expected,
            "ramped_months": g.window(g.ramped, origin + 1, YEAR),
        }
    )
    rates = segment_rates(g, codes, origin)
    by_segment = {str(name): float(rates[i]) for i, name in enumerate(names)}
    return Outlook(origin, frame, codes, measured, reason, by_segment)
