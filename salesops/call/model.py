"""The time-aware quarter call: won, plus pipeline and new business priced by past quarters.

What is won, plus the open pipeline and the business not yet created, each weighted by what
happened from this same day of past quarters.

For a quarter Q called at day k of it (the instant t = Q.start + k):

    call = won in [Q.start, t)
         + Σ open deals at t × rate(stage, forecast category, where its expected close falls)
         + expected new business (won in [t, Q.end) by deals not open at t)

where a rate is the share of the open amount at day k of each training quarter (the last
`call_training_quarters` quarters ended by t) that was won before that quarter ended, and the
new business is the mean of theirs. A group with fewer than `call_min_deals` deals over the
training quarters takes the rate of its stage and close bucket, then of its close bucket.
Everything comes from frames read as of t (salesops.repository.call), so no call uses what
was not known at its instant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from salesops.calendar import Quarter, quarter_of
from salesops.call.sums import group_rows
from salesops.config import Settings

RATE_LEVELS = (
    ("stage", "forecast_category", "close_bucket"),
    ("stage", "close_bucket"),
    ("close_bucket",),
)
RATE_KEYS = ("stage", "forecast_category", "close_bucket")
RATE_SUMS = ("deals", "open_amount", "won_amount")
# Where a deal's expected close falls from the instant that counts towards this quarter.
THIS_QUARTER_BUCKETS = ("overdue_long", "overdue", "quarter_near", "quarter_late")


def quarter_days(quarter: Quarter) -> int:
    """Returns the number of days in the quarter."""
    return (quarter.end - quarter.start).days


def day_of_quarter(as_of: date, quarter: Quarter) -> int:
    """Returns how many days of the quarter lie before `as_of` (0 .. the quarter's length)."""
    return max(0, min((as_of - quarter.start).days, quarter_days(quarter)))


def instant_at(quarter: Quarter, day: int) -> date:
    """Returns the quarter's start plus `day` days, at most its end (the same day of it)."""
    return quarter.start + timedelta(days=min(day, quarter_days(quarter)))


def previous_quarters(quarter: Quarter, count: int) -> list[Quarter]:
    """Returns the `count` quarters before `quarter`, oldest first."""
    quarters: list[Quarter] = []
    current = quarter
    for _ in range(count):
        current = quarter_of(current.start - timedelta(days=1))
        quarters.append(current)
    return quarters[::-1]


def parse_quarter(text: str) -> Quarter:
    """Returns the Quarter for "2026Q4" or "2026-Q4"; ValueError with a clear sentence otherwise."""
    cleaned = text.strip().upper().replace("-", "")
    year, _, number = cleaned.partition("Q")
    if not (year.isdigit() and len(year) == 4 and number in ("1", "2", "3", "4")):
        raise ValueError(f"Quarter {text!r} is not of the form 2026Q4.")
    return Quarter(date(int(year), 3 * int(number) - 2, 1))


@dataclass(frozen=True)
class QuarterOutcome:
    """What a quarter's pipeline at the instant became: the parts of its won amount."""

    won_before: float  # won in [start, instant)
    actual: float  # won in [start, end) (to `until` when the quarter has not ended)
    from_pipeline: float  # won in [instant, end) by deals open at the instant
    new_business: float  # won in [instant, end) by deals not open at the instant


def quarter_outcome(
    won_days: pd.DataFrame, snapshot: pd.DataFrame, quarter: Quarter, instant: date
) -> QuarterOutcome:
    """Returns the quarter's won amount split at the instant.

    Args:
        won_days: Requires columns day (datetime64) and won_amount, one scope's rows.
        snapshot: the quarter's snapshot rows (see `rates_from`), column won_amount.
        quarter: the quarter.
        instant: the snapshot's instant.
    """
    # numpy masks on the columns: the same sums as pandas', without its per-call overhead.
    days = won_days["day"].to_numpy(dtype="datetime64[ns]")
    amounts = won_days["won_amount"].to_numpy(dtype="float64")
    start, mid, end = (np.datetime64(d, "ns") for d in (quarter.start, instant, quarter.end))
    won_before = float(amounts[(days >= start) & (days < mid)].sum())
    won_after = float(amounts[(days >= mid) & (days < end)].sum())
    from_pipeline = float(snapshot["won_amount"].sum())
    return QuarterOutcome(
        won_before, won_before + won_after, from_pipeline, won_after - from_pipeline
    )


def rates_from(training: pd.DataFrame, min_deals: int = Settings.call_min_deals) -> pd.DataFrame:
    """Returns the in-quarter win rate of every group seen in the training snapshots.

    Args:
        training: Requires columns stage, forecast_category, close_bucket, deals,
            open_amount, won_amount (summed over the training quarters' snapshots).
        min_deals: deals a group needs before its own rate is used.

    Returns:
        A frame with columns level (0 = stage, category and bucket; 1 = stage and bucket;
        2 = bucket), stage, forecast_category, close_bucket (None where the level ignores
        it), deals, open_amount, won_amount, rate.
    """
    # Plain Python group sums (salesops.call.sums): the same groups, order and sums as
    # pandas' groupby, without its milliseconds per call on these few dozen rows.
    columns: dict[str, list] = {name: [] for name in ("level", *RATE_KEYS, *RATE_SUMS)}
    for level, keys in enumerate(RATE_LEVELS):
        groups, sums = group_rows(training, keys, RATE_SUMS, dropna=False)
        columns["level"] += [level] * len(groups)
        for name in RATE_KEYS:
            at = keys.index(name) if name in keys else None
            columns[name] += [None if at is None else g[at] for g in groups]
        for name in RATE_SUMS:
            columns[name] += sums[name]
    deals = pd.Series(columns["deals"], dtype=training["deals"].dtype)
    open_amount = np.array(columns["open_amount"], dtype="float64")
    won_amount = np.array(columns["won_amount"], dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(open_amount > 0, won_amount / open_amount, np.nan)
    rate[(deals < min_deals).to_numpy(dtype=bool)] = np.nan
    return pd.DataFrame(
        {
            "level": np.array(columns["level"], dtype="int64"),
            **{name: pd.Series(columns[name], dtype=object) for name in RATE_KEYS},
            "deals": deals,
            "open_amount": open_amount,
            "won_amount": won_amount,
            "rate": rate,
        }
    )


def rate_lookups(rates: pd.DataFrame) -> list[dict]:
    """Returns, per level of RATE_LEVELS, each group's rate where it has one (see rates_from)."""
    level = rates["level"].to_numpy()
    rate = rates["rate"].to_numpy(dtype="float64")
    columns = {k: rates[k].tolist() for k in RATE_KEYS}
    lookups = []
    for number, keys in enumerate(RATE_LEVELS):
        kept = np.flatnonzero((level == number) & ~np.isnan(rate)).tolist()
        lookups.append({tuple(columns[k][i] for k in keys): float(rate[i]) for i in kept})
    return lookups


def priced_pipeline(
    pipeline: pd.DataFrame, rates: pd.DataFrame, lookups: list[dict] | None = None
) -> pd.DataFrame:
    """Returns the open pipeline with the rate each group takes and its expected won amount.

    Each group takes the rate of the finest level with enough deals (see `rates_from`);
    a close bucket never seen in training takes 0.

    Args:
        pipeline: Requires columns stage, forecast_category, close_bucket, deals, open_amount.
        rates: as returned by `rates_from`.
        lookups: `rate_lookups(rates)`, when the caller prices many pipelines at one rate.

    Returns:
        `pipeline` with columns rate and expected added.
    """
    out = pipeline.copy()
    rate = np.full(len(out), np.nan)
    for keys, lookup in zip(RATE_LEVELS, lookups or rate_lookups(rates), strict=True):
        found = np.array(
            [lookup.get(key, np.nan) for key in zip(*(out[k].tolist() for k in keys), strict=True)],
            dtype="float64",
        )
        rate = np.where(np.isnan(rate), found, rate)
    rate = np.where(np.isnan(rate), 0.0, rate)  # a group never seen in training takes 0
    out["rate"] = rate
    out["expected"] = out["open_amount"].to_numpy(dtype="float64") * rate
    return out


def stage_probabilities(stages: pd.DataFrame) -> dict[str, float]:
    """Returns the stage table's probability per stage name (columns name, probability)."""
    return dict(zip(stages["name"], stages["probability"].astype("float64"), strict=True))


def stage_probability_view(
    pipeline: pd.DataFrame, stages: pd.DataFrame | Mapping[str, float]
) -> float:
    """Returns the open amount expected this quarter (or overdue) × the stage table probability.

    Requires pipeline columns stage, close_bucket, open_amount; `stages` is the stage table
    (columns name, probability) or its `stage_probabilities`, when the caller has many
    pipelines to price.
    """
    counted = np.isin(pipeline["close_bucket"].to_numpy(dtype=object), THIS_QUARTER_BUCKETS)
    table = stages if isinstance(stages, Mapping) else stage_probabilities(stages)
    probability = np.array(
        [table.get(stage, np.nan) for stage in pipeline["stage"].to_numpy(dtype=object)[counted]],
        dtype="float64",
    )
    amounts = pipeline["open_amount"].to_numpy(dtype="float64")[counted]
    return float((amounts * np.nan_to_num(probability, nan=0.0)).sum())


def open_by_category(pipeline: pd.DataFrame, category: str) -> float:
    """Returns the open amount of a forecast category expected this quarter (or overdue)."""
    counted = np.isin(pipeline["close_bucket"].to_numpy(dtype=object), THIS_QUARTER_BUCKETS) & (
        pipeline["forecast_category"].to_numpy(dtype=object) == category
    )
    return float(pipeline["open_amount"].to_numpy(dtype="float64")[counted].sum())
