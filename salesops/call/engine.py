"""The call of one quarter at one day of it, its track record, and the call's evolution.

`CallInputs` holds what the repository read (snapshots at the same day of several quarters,
won amounts by day, the stage table); every function here is pure. A call of a scope (the
company, or one team or territory of a roll-up) uses the rates and new business measured on
the whole input (`measure`), so the units' calls add up to the company's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from salesops.calendar import Quarter
from salesops.call.model import (
    QuarterOutcome,
    instant_at,
    open_by_category,
    previous_quarters,
    priced_pipeline,
    quarter_outcome,
    rate_lookups,
    rates_from,
    stage_probabilities,
    stage_probability_view,
)
from salesops.call.sums import group_sums
from salesops.config import Settings

COMPANY = ""  # the unit of a call that is not rolled up
PIPELINE_KEYS = ["stage", "forecast_category", "close_bucket"]
PIPELINE_MEASURES = ["deals", "open_amount"]
EMPTY_SNAPSHOT = pd.DataFrame(
    {
        "unit": pd.Series(dtype=object),
        "stage": pd.Series(dtype=object),
        "forecast_category": pd.Series(dtype=object),
        "close_bucket": pd.Series(dtype=object),
        "deals": pd.Series(dtype="int64"),
        "open_amount": pd.Series(dtype="float64"),
        "won_amount": pd.Series(dtype="float64"),
        "won_deals": pd.Series(dtype="int64"),
    }
)


def _by_unit(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Returns a frame's rows per unit, without the unit column, each indexed from 0.

    A frame grouped by unit first holds each unit's rows in one block: each is a slice
    (no copy of the rows, which a roll-up's hundreds of splits would pay for).
    """
    body = frame.drop(columns="unit")
    units = frame["unit"].to_numpy(dtype=object)
    if not len(units):
        return {}
    starts = np.flatnonzero(np.r_[True, units[1:] != units[:-1]])
    if len(set(units[starts])) < len(starts):  # a unit in more than one block
        return {
            u: body.iloc[rows].reset_index(drop=True)
            for u, rows in frame.groupby("unit", sort=False).indices.items()
        }
    ends = [*starts[1:], len(units)]
    return {
        units[a]: body.iloc[a:b].reset_index(drop=True) for a, b in zip(starts, ends, strict=True)
    }


def _text_as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Returns a grouped frame with its key columns as Python strings (object dtype).

    A groupby hands its keys back as pyarrow strings; a roll-up slices and reads these
    small frames hundreds of times, each time paying pyarrow's overhead over the rows.
    """
    return frame.astype({c: object for c in ("unit", *PIPELINE_KEYS) if c in frame})


def _grouped(frame: pd.DataFrame, keys: list[str], columns: list[str]) -> pd.DataFrame:
    """Returns `frame.groupby(keys, as_index=False)[columns].sum()`, keys as Python strings.

    Snapshot rows are one per key already (the queries group by it): then the groups are
    the rows with no missing key (groupby drops those), sorted, with the same values.
    """
    if frame.duplicated(keys).any():
        return _text_as_objects(frame.groupby(keys, as_index=False)[columns].sum())
    kept = frame[frame[keys].notna().all(axis=1)]
    return kept.sort_values(keys)[[*keys, *columns]].reset_index(drop=True)


@dataclass(frozen=True)
class CallInputs:
    """What a call reads: snapshots keyed by (quarter label, day), won amounts, stages.

    `snapshots[(label, day)]` has columns unit, stage, forecast_category, close_bucket,
    deals, open_amount, won_amount (won by the quarter's end, or by `until`). `won_days` has
    columns unit, day, won_amount. `first_day` is the first day the data knows (None: empty).
    """

    snapshots: dict[tuple[str, int], pd.DataFrame]
    won_days: pd.DataFrame
    stages: pd.DataFrame
    until: date
    first_day: date | None
    # Each snapshot and the won days split by unit once: a roll-up asks for every unit of
    # every snapshot many times (a track record measures each of its quarters).
    _parts: dict = field(default_factory=dict, compare=False, repr=False)

    def snapshot(self, quarter: Quarter, day: int, unit: str | None = None) -> pd.DataFrame:
        """Returns the snapshot rows of a quarter at a day, of one unit or all of them."""
        frame = self.snapshots.get((quarter.label, day), EMPTY_SNAPSHOT)
        if unit is None:
            return frame
        return self._split(("snapshot", quarter.label, day), frame).get(unit, frame.iloc[:0])

    def stage_table(self) -> dict[str, float]:
        """Returns the stage table's probability per stage (read once)."""
        if "stage_table" not in self._parts:
            self._parts["stage_table"] = stage_probabilities(self.stages)
        return self._parts["stage_table"]

    def won(self, unit: str | None = None) -> pd.DataFrame:
        """Returns the won-by-day rows of one unit or all of them."""
        if unit is None:
            return self.won_days
        return self._split(("won",), self.won_days).get(unit, self.won_days.iloc[:0])

    def pipeline(self, quarter: Quarter, day: int, unit: str | None = None) -> pd.DataFrame:
        """Returns the snapshot's open deals and amount per stage, category and close bucket.

        Every unit's is grouped at once (the same sums as grouping each unit's rows alone),
        and only when a unit is asked for (a call that is not rolled up never asks).
        """
        whole = self._whole(quarter, day)
        return whole if unit is None else self._units(quarter, day)[0].get(unit, whole.iloc[:0])

    def _whole(self, quarter: Quarter, day: int) -> pd.DataFrame:
        """Returns the pipeline of the whole input (computed once per quarter and day)."""
        key = ("pipeline", quarter.label, day)
        if key not in self._parts:
            # pandas' groupby sums in plain Python (keys as Python strings already)
            snapshot = self.snapshot(quarter, day)
            self._parts[key] = group_sums(snapshot, PIPELINE_KEYS, PIPELINE_MEASURES)
        return self._parts[key]

    def _units(self, quarter: Quarter, day: int) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
        """Returns the pipeline per unit, and of every unit in one frame (computed once)."""
        key = ("unit pipelines", quarter.label, day)
        if key not in self._parts:
            snapshot = self.snapshot(quarter, day)
            by_unit = _grouped(snapshot, ["unit", *PIPELINE_KEYS], list(PIPELINE_MEASURES))
            self._parts[key] = (_by_unit(by_unit), by_unit)
        return self._parts[key]

    def priced(
        self, quarter: Quarter, day: int, measured: Measure, unit: str | None = None
    ) -> pd.DataFrame:
        """Returns `priced_pipeline` of a unit's pipeline (None: the whole input's).

        Every unit's is priced at once, once per measure (a roll-up prices every unit of
        every quarter of its track record at that quarter's measure).
        """
        key = (quarter.label, day, unit is not None)
        lookups = measured.lookups or None
        if key not in measured.priced:
            if unit is None:
                whole = self._whole(quarter, day)
                measured.priced[key] = priced_pipeline(whole, measured.rates, lookups)
            else:
                by_unit = self._units(quarter, day)[1]
                measured.priced[key] = _by_unit(priced_pipeline(by_unit, measured.rates, lookups))
        if unit is None:
            return measured.priced[key]
        return measured.priced[key].get(unit, self.priced(quarter, day, measured).iloc[:0])

    def units_at(self, quarter: Quarter, day: int) -> list[str]:
        """Returns the units with open pipeline in the snapshot of a quarter at a day."""
        return list(self._split(("snapshot", quarter.label, day), self.snapshot(quarter, day)))

    def outcomes(
        self, quarter: Quarter, day: int
    ) -> tuple[QuarterOutcome, dict[str, QuarterOutcome]]:
        """Returns the quarter's won amount split at the day: whole input, and per unit.

        The `quarter_outcome` of each unit's won days and snapshot, all units summed at
        once (a roll-up's track record asks for every unit of every quarter); computed once
        per quarter and day. A unit with neither won days nor snapshot rows is absent.
        """
        key = ("outcomes", quarter.label, day)
        if key not in self._parts:
            instant = instant_at(quarter, day)
            snapshot = self.snapshot(quarter, day)
            whole = quarter_outcome(self.won_days, snapshot, quarter, instant)
            names, codes, days, amounts = self._won_arrays()
            bounds = (np.datetime64(d, "ns") for d in (quarter.start, instant, quarter.end))
            start, mid, end = bounds
            parts = []
            for mask in ((days >= start) & (days < mid), (days >= mid) & (days < end)):
                parts.append(np.bincount(codes[mask], amounts[mask], minlength=len(names)))
            before, after = (dict(zip(names, p.tolist(), strict=True)) for p in parts)
            piped = snapshot.groupby("unit", sort=False)["won_amount"].sum().to_dict()
            units = {}
            for unit in {*names, *piped}:
                won_before, won_after = before.get(unit, 0.0), after.get(unit, 0.0)
                from_pipeline = float(piped.get(unit, 0.0))
                units[unit] = QuarterOutcome(
                    won_before, won_before + won_after, from_pipeline, won_after - from_pipeline
                )
            self._parts[key] = (whole, units)
        return self._parts[key]

    def outcome(self, quarter: Quarter, day: int, unit: str | None = None) -> QuarterOutcome:
        """Returns the quarter's won amount split at the day, of one unit or all of them."""
        whole, units = self.outcomes(quarter, day)
        return whole if unit is None else units.get(unit, QuarterOutcome(0.0, 0.0, 0.0, 0.0))

    def _won_arrays(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Returns the won days as (unit names, unit code per row, days, amounts)."""
        if "won_arrays" not in self._parts:
            codes, names = pd.factorize(self.won_days["unit"])
            self._parts["won_arrays"] = (
                [str(n) for n in names],
                codes.astype("int64"),
                self.won_days["day"].to_numpy(dtype="datetime64[ns]"),
                self.won_days["won_amount"].to_numpy(dtype="float64"),
            )
        return self._parts["won_arrays"]

    def _split(self, key: tuple, frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
        """Returns a frame's rows per unit (computed once per key)."""
        if key not in self._parts:
            self._parts[key] = {u: part for u, part in frame.groupby("unit", sort=False)}
        return self._parts[key]


@dataclass(frozen=True)
class Measure:
    """What the training quarters say at one day: rates, new business and its split by unit."""

    quarters: tuple[str, ...]
    rates: pd.DataFrame
    new_business: float
    unit_share: dict[str, float] = field(default_factory=dict)
    season: float = 1.0  # won / expected of the training quarters of the same season
    lookups: list[dict] = field(default_factory=list)  # rate_lookups(rates)
    # pipelines priced at these rates, per (quarter label, day): filled by CallInputs.priced
    priced: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class QuarterCall:
    """The call of one scope for one quarter at one instant, with the alternatives beside it."""

    quarter: Quarter
    instant: date
    won_to_date: float
    commit: float  # won to date + open commit expected this quarter (or overdue)
    best_case: float  # commit + open best case expected this quarter (or overdue)
    stage_probability: float  # won to date + open this quarter × the stage table probability
    projection: float | None  # None when too few past quarters measured it
    from_pipeline: float
    new_business: float
    pipeline: pd.DataFrame  # priced open pipeline (stage, ..., rate, expected)
    training: tuple[str, ...]
    reason: str | None = None


def training_quarters(target: Quarter, instant: date, inputs: CallInputs) -> list[Quarter]:
    """Returns the quarters a call at `instant` learns from: ended by then, with data.

    The quarter of the first day the data knows is left out: its pipeline was still being
    entered, so its day-k snapshot says little about a running business.
    """
    if inputs.first_day is None:
        return []
    first = inputs.first_day
    count = Settings.call_training_quarters
    return [
        q
        for q in previous_quarters(target, count)
        if q.end <= instant and q.start > first and q.end <= inputs.until
    ]


def measure(
    target: Quarter, day: int, inputs: CallInputs, min_deals: int = Settings.call_min_deals
) -> Measure:
    """Returns the rates and new business of the training quarters at the same day."""
    quarters = training_quarters(target, instant_at(target, day), inputs)
    frames = [inputs.snapshot(q, day) for q in quarters]
    training = pd.concat(frames, ignore_index=True) if frames else EMPTY_SNAPSHOT
    rates = rates_from(training, min_deals)
    lookups = rate_lookups(rates)
    totals: dict[str, float] = {}
    new = []
    for q in quarters:
        whole, by_unit = inputs.outcomes(q, day)
        new.append(whole.new_business)
        for unit in inputs.units_at(q, day):
            totals[unit] = totals.get(unit, 0.0) + by_unit[unit].new_business
    total = sum(totals.values())
    share = {u: v / total for u, v in totals.items()} if total > 0 else {}
    return Measure(
        tuple(q.label for q in quarters),
        rates,
        float(np.mean(new)) if new else 0.0,
        share,
        _season(target, day, inputs, quarters, rates, lookups),
        lookups,
    )


def _season(
    target: Quarter,
    day: int,
    inputs: CallInputs,
    quarters: list[Quarter],
    rates: pd.DataFrame,
    lookups: list[dict],
) -> float:
    """Returns won / expected (at the pooled rates) over the training quarters of the season.

    The season is the quarter of the year: a Q4 whose pipeline converts less than the other
    quarters' did so in the Q4s before it too. 1.0 when no training quarter shares it.
    """
    won = expected = 0.0
    for quarter in quarters:
        frame = inputs.snapshot(quarter, day)
        if quarter.start.month != target.start.month or frame.empty:
            continue
        pipeline = inputs.pipeline(quarter, day)
        expected += float(priced_pipeline(pipeline, rates, lookups)["expected"].sum())
        won += float(frame["won_amount"].sum())
    return won / expected if expected > 0 and won > 0 else 1.0


def call_quarter(
    target: Quarter,
    day: int,
    inputs: CallInputs,
    measured: Measure,
    unit: str | None = None,
    min_quarters: int = Settings.call_min_quarters,
) -> QuarterCall:
    """Returns the call of `target` at `day` for one unit (None: the whole input)."""
    instant = instant_at(target, day)
    pipeline = inputs.pipeline(target, day, unit)
    priced = inputs.priced(target, day, measured, unit)
    won = inputs.outcome(target, day, unit).won_before
    commit = won + open_by_category(pipeline, "commit")
    best_case = commit + open_by_category(pipeline, "best_case")
    share = 1.0 if unit is None else measured.unit_share.get(unit, 0.0)
    new_business = measured.new_business * share
    from_pipeline = float(priced["expected"].sum())
    projection: float | None = won + from_pipeline + new_business
    reason = None
    if len(measured.quarters) < min_quarters:
        projection = None
        reason = (
            f"Only {len(measured.quarters)} past quarter(s) with data at this day "
            f"(the call needs {min_quarters}): the stage probability view is the best the "
            "data allows."
        )
    return QuarterCall(
        quarter=target,
        instant=instant,
        won_to_date=won,
        commit=commit,
        best_case=best_case,
        stage_probability=won + stage_probability_view(pipeline, inputs.stage_table()),
        projection=projection,
        from_pipeline=from_pipeline,
        new_business=new_business,
        pipeline=priced,
        training=measured.quarters,
        reason=reason,
    )


@dataclass(frozen=True)
class TrackRecordRow:
    """One past quarter: each method's call at the same day and what was won."""

    quarter: Quarter
    instant: date
    call: QuarterCall
    actual: float

    def error(self, value: float | None) -> float | None:
        """Returns (value - actual) / actual; None when either is undefined or actual is 0."""
        if value is None or self.actual <= 0:
            return None
        return (value - self.actual) / self.actual


def track_record(
    target: Quarter,
    day: int,
    inputs: CallInputs,
    units: Sequence[str | None] = (None,),
    count: int = Settings.call_track_quarters,
) -> dict[str | None, list[TrackRecordRow]]:
    """Returns, per unit, the calls at the same day of the `count` quarters before `target`.

    Only quarters ended by the data's `until` count; each call learns from the quarters
    before it only (see `training_quarters`).
    """
    rows: dict[str | None, list[TrackRecordRow]] = {unit: [] for unit in units}
    for quarter in previous_quarters(target, count):
        if quarter.end > inputs.until or (
            inputs.first_day is not None and quarter.end <= inputs.first_day
        ):
            continue
        measured = measure(quarter, day, inputs)
        for unit in units:
            call = call_quarter(quarter, day, inputs, measured, unit)
            actual = inputs.outcome(quarter, day, unit).actual  # won in the whole quarter
            rows[unit].append(TrackRecordRow(quarter, call.instant, call, actual))
    return rows


def mean_abs_error(rows: Sequence[TrackRecordRow], method: str) -> float | None:
    """Returns the mean |error| of a method ("call", "stage_probability", "won_plus_commit")."""
    pick = {
        "call": lambda c: c.projection,
        "stage_probability": lambda c: c.stage_probability,
        "won_plus_commit": lambda c: c.commit,
    }[method]
    errors = [row.error(pick(row.call)) for row in rows]
    kept = [abs(e) for e in errors if e is not None]
    return float(np.mean(kept)) if kept else None


def call_range(
    call: QuarterCall, rows: Sequence[TrackRecordRow], quantiles: tuple[float, float]
) -> tuple[float | None, float | None, str | None]:
    """Returns (low, high, reason): the call moved by past errors on what was still to win.

    A past call's error is taken relative to the part it had still to win (projection − won
    to date), so the range narrows as the quarter is won. Needs `call_min_quarters` past
    calls.
    """
    if call.projection is None:
        return None, None, call.reason
    errors = []
    for row in rows:
        past = row.call
        if past.projection is None or past.projection - past.won_to_date <= 0:
            continue
        errors.append((row.actual - past.projection) / (past.projection - past.won_to_date))
    if len(errors) < Settings.call_min_quarters:
        return (
            None,
            None,
            (
                f"No range yet: {len(errors)} past call(s) to measure errors on "
                f"(needs {Settings.call_min_quarters})."
            ),
        )
    remaining = call.projection - call.won_to_date
    low_q, high_q = np.quantile(errors, quantiles)
    low = max(call.won_to_date, call.projection + float(low_q) * remaining)
    return low, max(low, call.projection + float(high_q) * remaining), None
