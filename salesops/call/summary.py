"""JSON-ready dicts of the call report (the `salesops call --format json` contract).

Where bookings are undefined (won deals without amounts, `CallReport.bookings_reason`) every
money figure is null and `reason` says why, never 0.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd

from salesops.call.engine import TrackRecordRow
from salesops.call.report import CallReport, UnitCall
from salesops.forecast.summary import json_number
from salesops.kpis.won_amounts import SHORT_REASON


def by_stage(unit: UnitCall) -> list[dict[str, Any]]:
    """Returns the open pipeline per stage: deals, open amount, expected, effective rate."""
    pipeline = unit.call.pipeline
    if pipeline.empty:
        return []
    grouped = pipeline.groupby("stage", as_index=False)[["deals", "open_amount", "expected"]].sum()
    rows = []
    for row in grouped.itertuples(index=False):
        rows.append(
            {
                "stage": row.stage,
                "deals": int(row.deals),
                "open_amount": json_number(row.open_amount),
                "expected": json_number(row.expected),
                "rate": round(row.expected / row.open_amount, 4) if row.open_amount > 0 else None,
            }
        )
    return rows


def track_rows(rows: list[TrackRecordRow], defined: bool = True) -> list[dict[str, Any]]:
    """Returns each past quarter's calls at the same day, what was won, and the call's error.

    Without `defined` (bookings undefined) every amount and error is None.
    """
    out = []
    for row in rows:
        error = row.error(row.call.projection) if defined else None
        money = json_number if defined else _undefined
        out.append(
            {
                "quarter": row.quarter.label,
                "as_of": row.instant.isoformat(),
                "projection": money(row.call.projection),
                "stage_probability": money(row.call.stage_probability),
                "won_plus_commit": money(row.call.commit),
                "actual": money(row.actual),
                "error": None if error is None else round(error, 4),
            }
        )
    return out


def _undefined(value: Any) -> None:
    """Returns None: an amount made of bookings where bookings are undefined."""
    del value


def unit_reason(report: CallReport, unit: UnitCall) -> str | None:
    """Returns why a unit's money figures are undefined (the scope's or its own), else None."""
    if unit is report.company:
        return report.bookings_reason
    return report.unit_bookings_reason(unit.unit)


def _errors(report: CallReport, unit: UnitCall) -> dict[str, float | None]:
    """Returns the unit's mean absolute errors (None each where bookings are undefined)."""
    errors = unit.mean_abs_errors()
    if unit_reason(report, unit) is not None:
        return dict.fromkeys(errors)
    return errors


def unit_json(report: CallReport, unit: UnitCall) -> dict[str, Any]:
    """Returns one scope's call in the contract's shape."""
    call = unit.call
    errors = _errors(report, unit)
    undefined = unit_reason(report, unit)
    defined = undefined is None
    money = json_number if defined else _undefined
    return {
        "quarter": report.quarter.label,
        "as_of": report.as_of.isoformat(),
        "day_of_quarter": report.day,
        "scope": unit.label,
        "won_to_date": money(call.won_to_date),
        "commit": money(call.commit),
        "best_case": money(call.best_case),
        "projection": money(call.projection),
        "reason": call.reason if defined else undefined,
        "from_pipeline": money(call.from_pipeline),
        "new_business": money(call.new_business),
        "low": money(unit.low),
        "high": money(unit.high),
        "range_reason": unit.range_reason if defined else undefined,
        "quota": json_number(unit.quota),
        "gap": money(unit.gap),
        "method": report.method,
        "training_quarters": list(call.training),
        "by_stage": by_stage(unit),
        "track_record": track_rows(unit.track, defined),
        "mean_abs_error": {k: None if v is None else round(v, 4) for k, v in errors.items()},
    }


def report_json(report: CallReport) -> dict[str, Any]:
    """Returns `{"call": {...}, "units": [...], "by", "notes"}` (units only with a roll-up)."""
    return {
        "call": unit_json(report, report.company),
        "bookings": report.amounts.to_json(),
        "by": report.by,
        "units": [unit_json(report, u) for u in report.units],
        "notes": list(report.notes),
    }


def frame_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Returns a frame's rows as dicts (for tables)."""
    return [dict(r) for r in frame.to_dict(orient="records")]


def _whole(value: float | None, made_of_bookings: bool = True, *, undefined: bool) -> int | None:
    """Returns a table amount in whole units; None where it is made of undefined bookings."""
    if value is None or (made_of_bookings and undefined):
        return None
    return round(value)


def table_frame(report: CallReport) -> pd.DataFrame:
    """Returns the panel as a table: one row for the scope, then one per roll-up unit.

    Columns: scope, won_to_date, commit, best_case, call, low, high, quota, gap,
    mae_call, mae_stage_probability, mae_won_plus_commit, note (why a row's money is "—").
    """
    rows = []
    for unit in [report.company, *report.units]:
        undefined = unit_reason(report, unit) is not None  # the scope's, or the unit's own
        whole = partial(_whole, undefined=undefined)
        errors = _errors(report, unit)
        rows.append(
            {
                "scope": unit.label,
                "won_to_date": whole(unit.call.won_to_date),
                "commit": whole(unit.call.commit),
                "best_case": whole(unit.call.best_case),
                "call": whole(unit.call.projection),
                "low": whole(unit.low),
                "high": whole(unit.high),
                "quota": whole(unit.quota, made_of_bookings=False),
                "gap": whole(unit.gap),
                **{f"mae_{k}": None if v is None else round(v, 3) for k, v in errors.items()},
                "note": SHORT_REASON if undefined else None,
            }
        )
    frame = pd.DataFrame(rows)
    return frame if frame["note"].notna().any() else frame.drop(columns="note")


def track_frame(unit: UnitCall, defined: bool = True) -> pd.DataFrame:
    """Returns the track record as a table (quarter, as_of, each method's call, actual, error).

    Without `defined` (bookings undefined) every amount and error is None.
    """
    return pd.DataFrame(track_rows(unit.track, defined))
