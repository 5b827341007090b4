"""JSON-ready dicts of the call report (the `salesops call --format json` contract)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from salesops.call.engine import TrackRecordRow
from salesops.call.report import CallReport, UnitCall
from salesops.forecast.summary import json_number


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


def track_rows(rows: list[TrackRecordRow]) -> list[dict[str, Any]]:
    """Returns each past quarter's calls at the same day, what was won, and the call's error."""
    out = []
    for row in rows:
        error = row.error(row.call.projection)
        out.append(
            {
                "quarter": row.quarter.label,
                "as_of": row.instant.isoformat(),
                "projection": json_number(row.call.projection),
                "stage_probability": json_number(row.call.stage_probability),
                "won_plus_commit": json_number(row.call.commit),
                "actual": json_number(row.actual),
                "error": None if error is None else round(error, 4),
            }
        )
    return out


def unit_json(report: CallReport, unit: UnitCall) -> dict[str, Any]:
    """Returns one scope's call in the contract's shape."""
    call = unit.call
    errors = unit.mean_abs_errors()
    return {
        "quarter": report.quarter.label,
        "as_of": report.as_of.isoformat(),
        "day_of_quarter": report.day,
        "scope": unit.label,
        "won_to_date": json_number(call.won_to_date),
        "commit": json_number(call.commit),
        "best_case": json_number(call.best_case),
        "projection": json_number(call.projection),
        "reason": call.reason,
        "from_pipeline": json_number(call.from_pipeline),
        "new_business": json_number(call.new_business),
        "low": json_number(unit.low),
        "high": json_number(unit.high),
        "range_reason": unit.range_reason,
        "quota": json_number(unit.quota),
        "gap": json_number(unit.gap),
        "method": report.method,
        "training_quarters": list(call.training),
        "by_stage": by_stage(unit),
        "track_record": track_rows(unit.track),
        "mean_abs_error": {k: None if v is None else round(v, 4) for k, v in errors.items()},
    }


def report_json(report: CallReport) -> dict[str, Any]:
    """Returns `{"call": {...}, "units": [...], "by", "notes"}` (units only with a roll-up)."""
    return {
        "call": unit_json(report, report.company),
        "by": report.by,
        "units": [unit_json(report, u) for u in report.units],
        "notes": list(report.notes),
    }


def frame_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Returns a frame's rows as dicts (for tables)."""
    return [dict(r) for r in frame.to_dict(orient="records")]


def table_frame(report: CallReport) -> pd.DataFrame:
    """Returns the panel as a table: one row for the scope, then one per roll-up unit.

    Columns: scope, won_to_date, commit, best_case, call, low, high, quota, gap,
    mae_call, mae_stage_probability, mae_won_plus_commit.
    """
    rows = []
    for unit in [report.company, *report.units]:
        errors = unit.mean_abs_errors()
        rows.append(
            {
                "scope": unit.label,
                "won_to_date": round(unit.call.won_to_date),
                "commit": round(unit.call.commit),
                "best_case": round(unit.call.best_case),
                "call": None if unit.call.projection is None else round(unit.call.projection),
                "low": None if unit.low is None else round(unit.low),
                "high": None if unit.high is None else round(unit.high),
                "quota": None if unit.quota is None else round(unit.quota),
                "gap": None if unit.gap is None else round(unit.gap),
                **{f"mae_{k}": None if v is None else round(v, 3) for k, v in errors.items()},
            }
        )
    return pd.DataFrame(rows)


def track_frame(unit: UnitCall) -> pd.DataFrame:
    """Returns the track record as a table (quarter, as_of, each method's call, actual, error)."""
    return pd.DataFrame(track_rows(unit.track))
