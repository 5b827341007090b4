"""Column specs: the human label, kind and help of every column a table shows (one registry).

The app (salesops/ui/tables.py draws them with st.column_config) and the meeting pack
(`text_table`, HTML) both label and format columns from here, so "new_customers" is
"New customers" and 24849300 is "$24,849,300" wherever a table appears. Internal ids and
the columns that only explain another column's "—" (`*_reason`) are not shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from salesops.formatting import EM_DASH, format_cell, is_undefined

KINDS = (
    "money", "money_change", "ratio", "pp", "days", "hours", "months", "count", "x", "number",
    "date", "datetime", "bool", "text", "hidden",
)  # fmt: skip


@dataclass(frozen=True)
class Col:
    """How one column is shown: label, kind (see KINDS), header help, decimals, value labels."""

    label: str
    kind: str = "text"
    help: str | None = None
    decimals: int = 1
    signed: bool = False
    values: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown column kind {self.kind!r}: use one of {', '.join(KINDS)}.")


OUTCOMES = {"open": "Open", "won": "Won", "lost": "Lost"}
METHODS = {"prophet": "Prophet", "seasonal_naive": "Seasonal naive", "none": "None"}
FORECAST_CATEGORIES = {
    "commit": "Commit", "best_case": "Best case", "pipeline": "Pipeline", "omitted": "Omitted",
    "closed": "Closed",
}  # fmt: skip

COLUMNS: dict[str, Col] = {
    # people, places, deals
    "name": Col("Name"),
    "account": Col("Account"),
    "rep": Col("Rep"),
    "territory": Col("Territory"),
    "segment": Col("Segment"),
    "region": Col("Region"),
    "channel": Col("Channel"),
    "activity": Col("Activity"),
    "stage": Col("Stage"),
    "outcome": Col("Outcome", values=OUTCOMES),
    "amount": Col("Amount", "money"),
    "created_at": Col("Created", "date"),
    "closed_at": Col("Closed", "date"),
    "cycle_days": Col("Cycle (days)", "days"),
    "expected_close_date": Col("Expected close", "date"),
    "forecast_category": Col("Forecast category", values=FORECAST_CATEGORIES),
    "external_id": Col("CRM id"),
    # KPIs
    "win_rate": Col("Win rate", "ratio"),
    "avg_sales_cycle_days": Col("Avg sales cycle (days)", "days"),
    "lead_to_opportunity_ratio": Col("Lead → opportunity", "ratio"),
    "cac": Col("CAC", "money"),
    "ltv": Col("LTV", "money"),
    "ltv_to_cac": Col("LTV : CAC", "x"),
    "cac_payback_months": Col("CAC payback (months)", "months"),
    "won": Col("Won", "count"),
    "lost": Col("Lost", "count"),
    "bookings": Col("Bookings", "money"),
    "bookings_12m": Col("Bookings (12 months)", "money"),
    "leads": Col("Leads", "count"),
    "new_customers": Col("New customers", "count"),
    "month": Col("Month", "date"),
    # pipeline review
    "label": Col("Step"),
    "deals": Col("Deals", "count"),
    "in_pipeline": Col("In the quarter's pipeline", "bool"),
    "from_stage": Col("From stage"),
    "to_stage": Col("To stage"),
    "direction": Col("Direction"),
    "steps": Col("Stages moved", "count"),
    "previous_close": Col("Previous close", "date"),
    "days_pushed": Col("Pushed by (days)", "days"),
    "pushes_this_week": Col("Pushes this week", "count"),
    "pushes_total": Col("Pushes in all", "count"),
    "left_quarter": Col("Left the quarter", "bool"),
    "slipped": Col("Slipped", "bool"),
    "days_overdue": Col("Days overdue", "days"),
    "last_change": Col("Last change", "date"),
    "days_since_change": Col("Days since a change", "days"),
    "entered_stage": Col("In stage since", "date"),
    "days_in_stage": Col("Days in stage", "days"),
    "stale_after": Col(
        "Stale after (days)", "days", help="The stage's typical time: see the Stale definition."
    ),
    "from_amount": Col("Amount before", "money"),
    "change": Col("Change", "money_change"),
    "change_fraction": Col("Change (%)", "ratio", signed=True),
    "pipeline": Col("Pipeline", "money"),
    "quota": Col("Quota", "money"),
    "won_to_date": Col("Won to date", "money"),
    "remaining_quota": Col("Quota still to win", "money"),
    "coverage": Col("Coverage", "x", help="Pipeline ÷ quota still to win."),
    "commit": Col("Commit", "money"),
    "best_case": Col("Best case", "money"),
    "other": Col("Other", "money"),
    "total": Col("Total", "money"),
    "opening": Col("Opening", "money"),
    "closing": Col("Closing", "money"),
    "new": Col("New", "money"),
    "increased": Col("Increased", "money"),
    "decreased": Col("Decreased", "money"),
    "pulled_in": Col("Pulled in", "money"),
    "reason": Col("Note"),
    # rep time
    "hours": Col("Hours", "hours", decimals=0),
    "selling_hours": Col("Selling hours", "hours", decimals=0),
    "non_selling_hours": Col("Non-selling hours", "hours", decimals=0),
    "back_office_hours": Col("Back-office hours", "hours", decimals=0),
    "unknown_hours": Col("Unclassified hours", "hours", decimals=0),
    "selling_share": Col("Selling share", "ratio"),
    "gap_to_benchmark": Col("Gap to benchmark", "pp"),
    "revenue_per_selling_hour": Col("Bookings per selling hour", "money"),
    "count": Col("Units", "count"),
    "hours_per_unit": Col("Hours per unit", "hours", decimals=2),
    "hourly_cost": Col("Hourly cost", "money"),
    "cost_per_unit": Col("Cost per unit", "money"),
    # forecast
    "method": Col("Method", values=METHODS),
    "mape": Col("MAPE", "ratio", help="Mean absolute percentage error: lower is better."),
    "wape": Col("WAPE", "ratio", help="Total |error| ÷ total actual: lower is better."),
    "note": Col("Note"),
    "winner": Col("More accurate", "bool"),
    "reached": Col("Deals that reached it", "count"),
    "historical_rate": Col("Historical win rate", "ratio"),
    "table_probability": Col("Stage table probability", "ratio"),
    "probability": Col("Probability used", "ratio"),
    "source": Col("Source"),
    "prophet_wape": Col("Prophet WAPE", "ratio"),
    "naive_wape": Col("Seasonal-naive WAPE", "ratio"),
    # data
    "check": Col("Check"),
    "description": Col("What it means"),
    "imported_at": Col("Imported", "datetime"),
    "entity": Col("Table"),
    "file_name": Col("File"),
    "rows_read": Col("Rows read", "count"),
    "rows_inserted": Col("Inserted", "count"),
    "rows_updated": Col("Updated", "count"),
    "rows_rejected": Col("Rejected", "count"),
    "status": Col("Status"),
    "match_key": Col("Matched on"),
    "group_size": Col("Duplicates", "count"),
    "days_negative": Col("Days before creation", "days"),
}
# Internal keys a table never shows (its human column stands beside it).
HIDDEN = {"id", "key", "side", "scope", "sort_order", "step", "is_future"}
# The column explaining another column's "—" when it is not "<column>_reason".
REASONS = {"selling_share": "share_reason", "revenue_per_selling_hour": "rpsh_reason"}
WORDS = {"ltv": "LTV", "cac": "CAC", "id": "id", "crm": "CRM", "cv": "CV", "12m": "(12 months)"}


def humanise(name: str) -> str:
    """Returns a column name as a header: "potential_per_rep" -> "Potential per rep"."""
    words = [WORDS.get(w, w) for w in name.split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else name


def column_specs(
    frame: pd.DataFrame, overrides: Mapping[str, Col | str] | None = None
) -> dict[str, Col]:
    """Returns each column's spec: the table's override, the registry's, or a humanised name.

    An override given as a string relabels the registry's spec.
    """
    specs = {}
    for name in map(str, frame.columns):
        base = COLUMNS.get(name) or Col(humanise(name), _guess_kind(frame[name]))
        chosen = (overrides or {}).get(name)
        specs[name] = replace(base, label=chosen) if isinstance(chosen, str) else chosen or base
    return specs


def _guess_kind(column: pd.Series) -> str:
    """Returns a kind for a column the registry does not know, from its dtype."""
    if pd.api.types.is_bool_dtype(column):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(column):
        return "date"
    if pd.api.types.is_integer_dtype(column):
        return "count"
    if pd.api.types.is_float_dtype(column):
        return "number"
    return "text"


def reason_column(frame: pd.DataFrame, name: str) -> str | None:
    """Returns the column holding the reasons of `name`'s undefined values, if there is one."""
    for candidate in (REASONS.get(name), f"{name}_reason"):
        if candidate and candidate in frame.columns:
            return candidate
    return None


def shown_columns(
    frame: pd.DataFrame,
    specs: Mapping[str, Col],
    overrides: Mapping[str, Col | str] | None = None,
    order: Iterable[str] | None = None,
    hide: Iterable[str] = (),
) -> list[str]:
    """Returns the columns a table shows, in order: no ids, no `*_reason`, none in `hide`."""
    named = set(overrides or {})
    hidden = set(hide)
    for name, spec in specs.items():
        is_id = name in HIDDEN or (name.endswith("_id") and name not in COLUMNS)
        explains = name.endswith("_reason") or name in REASONS.values()
        if name not in named and (spec.kind == "hidden" or is_id or explains):
            hidden.add(name)
    return [n for n in (order or specs) if n in specs and n not in hidden]


def undefined_note(spec: Col, reasons: Iterable[object]) -> str:
    """Returns a header tooltip for a column with undefined values: "— = undefined: why"."""
    shown = sorted({str(r) for r in reasons if isinstance(r, str) and r})[:3]
    why = f": {'; '.join(shown)}" if shown else ""
    return " ".join(p for p in (spec.help, f"{EM_DASH} = undefined{why}.") if p)


def text_cell(value: object, spec: Col, currency: str) -> str:
    """Returns one cell as text in its column's kind (a text column's values relabelled)."""
    if spec.kind == "text":
        return EM_DASH if is_undefined(value) else spec.values.get(str(value), str(value))
    return format_cell(value, spec.kind, currency)


def text_table(
    frame: pd.DataFrame,
    currency: str,
    overrides: Mapping[str, Col | str] | None = None,
    order: Iterable[str] | None = None,
    hide: Iterable[str] = (),
) -> pd.DataFrame:
    """Returns the table as text cells under human headers (the meeting pack's HTML tables)."""
    specs = column_specs(frame, overrides)
    shown = shown_columns(frame, specs, overrides, order, hide)
    out = pd.DataFrame(index=frame.index)
    for name in shown:
        spec = specs[name]
        out[spec.label] = [text_cell(v, spec, currency) for v in frame[name]]
    return out.reset_index(drop=True)
