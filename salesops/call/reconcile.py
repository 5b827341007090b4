"""The one reconciled panel: won, commit, best case, the call and its range, Prophet, quota, gap.

Computed once (`reconciled_panel`) and drawn identically by the Overview, Forecast and
Pipeline review pages and the meeting pack. Prophet's run-rate view of the quarter is the
won bookings of its past periods plus its forecast of the rest; where it and the call
disagree by more than their ranges, `why` says in a sentence which way and the likely cause.
Where bookings are undefined (won deals without amounts) every money figure but the quota is
None and `call_reason` is the one sentence saying why.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.calendar import Quarter
from salesops.call.report import CallReport
from salesops.formatting import format_money
from salesops.kpis.won_amounts import SHORT_REASON


@dataclass(frozen=True)
class ProphetView:
    """Prophet's view of one quarter: actual bookings of its past periods + forecast of the rest."""

    value: float | None
    low: float | None
    high: float | None
    reason: str | None = None


@dataclass(frozen=True)
class Panel:
    """Every number of the reconciled panel, for one scope and quarter."""

    quarter: str
    as_of: str
    scope: str
    won_to_date: float | None
    commit: float | None
    best_case: float | None
    call: float | None
    low: float | None
    high: float | None
    call_reason: str | None
    prophet: ProphetView
    quota: float | None
    gap: float | None
    why: str | None
    method: str
    caption: str | None = None  # how many won deals lack an amount, where only some do
    bookings_undefined: bool = False  # call_reason is then won_amounts' reason

    def rows(self, currency: str) -> list[tuple[str, str]]:
        """Returns (label, formatted value) pairs in panel order (the meeting pack's table)."""

        def money(value: float | None) -> str:
            return "—" if value is None else format_money(value, currency)

        call_range = f"{money(self.low)} – {money(self.high)}" if self.low is not None else "—"
        return [
            ("Won to date", money(self.won_to_date)),
            ("Commit (won + open commit)", money(self.commit)),
            ("Best case (commit + open best case)", money(self.best_case)),
            ("The call", money(self.call)),
            ("Call range (P10–P90)", call_range),
            ("Prophet run-rate view", money(self.prophet.value)),
            ("Quota", money(self.quota)),
            ("Gap to quota (call)", money(self.gap)),
        ]


def prophet_quarter(points: pd.DataFrame, quarter: Quarter) -> ProphetView:
    """Returns Prophet's quarter: actuals of past periods, yhat (and its band) for the rest.

    Requires columns ds, actual, yhat, yhat_lower, yhat_upper, is_future (ForecastResult
    points). Periods are counted in the quarter their start date is in; undefined when the
    forecast stops before the quarter's last period starts.
    """
    if points.empty:
        return ProphetView(None, None, None, "no bookings to forecast")
    days = pd.to_datetime(points["ds"])
    inside = points[(days >= pd.Timestamp(quarter.start)) & (days < pd.Timestamp(quarter.end))]
    if inside.empty or days.max() < pd.Timestamp(quarter.last_day) - pd.Timedelta(days=31):
        return ProphetView(None, None, None, "the forecast does not reach the quarter's end")
    future = inside["is_future"].astype(bool).to_numpy()
    actual = inside["actual"].fillna(0.0).to_numpy(dtype="float64")

    def total(column: str) -> float:
        values = inside[column].fillna(0.0).to_numpy(dtype="float64")
        return float(np.where(future, values, actual).sum())

    return ProphetView(total("yhat"), total("yhat_lower"), total("yhat_upper"))


def disagreement(
    call_low: float | None,
    call_high: float | None,
    prophet: ProphetView,
    currency: str,
) -> str | None:
    """Returns why the call and Prophet disagree by more than their ranges, or None."""
    if call_low is None or call_high is None or prophet.value is None:
        return None
    p_low = prophet.low if prophet.low is not None else prophet.value
    p_high = prophet.high if prophet.high is not None else prophet.value
    if p_low > call_high:
        return (
            f"Prophet's run-rate view ({format_money(prophet.value, currency)}) is above the "
            "call's whole range: the open pipeline is thinner than past bookings would need, "
            "so unless new deals come in fast, history's run rate will not be reached."
        )
    if p_high < call_low:
        return (
            f"Prophet's run-rate view ({format_money(prophet.value, currency)}) is below the "
            "call's whole range: the pipeline at this day is richer than history's run rate "
            "(a large deal or a strong quarter the trend has not seen yet)."
        )
    return None


def reconciled_panel(report: CallReport, prophet: ProphetView, currency: str) -> Panel:
    """Returns the panel of the report's scope (its company line) beside Prophet's view.

    Where bookings are undefined every figure made of them is None, said in `call_reason`.
    """
    if report.bookings_reason is not None:
        return _undefined_panel(report)
    unit = report.company
    call = unit.call
    return Panel(
        quarter=report.quarter.label,
        as_of=report.as_of.isoformat(),
        scope=report.scope_label,
        won_to_date=call.won_to_date,
        commit=call.commit,
        best_case=call.best_case,
        call=call.projection,
        low=unit.low,
        high=unit.high,
        call_reason=call.reason or unit.range_reason,
        prophet=prophet,
        quota=unit.quota,
        gap=unit.gap,
        why=disagreement(unit.low, unit.high, prophet, currency),
        method=report.method,
        caption=report.amounts.caption,
    )


def _undefined_panel(report: CallReport) -> Panel:
    """Returns the panel where bookings are undefined: only the quota stands."""
    return Panel(
        quarter=report.quarter.label,
        as_of=report.as_of.isoformat(),
        scope=report.scope_label,
        won_to_date=None,
        commit=None,
        best_case=None,
        call=None,
        low=None,
        high=None,
        call_reason=report.bookings_reason,
        prophet=ProphetView(None, None, None, SHORT_REASON),
        bookings_undefined=True,
        quota=report.company.quota,
        gap=None,
        why=None,
        method=report.method,
    )


def panel_html(panel: Panel, currency: str) -> str:
    """Returns the panel as an HTML section (the meeting pack's "The quarter call")."""
    esc = html.escape
    rows = "".join(
        f"<tr><th>{esc(label)}</th><td>{esc(value)}</td></tr>"
        for label, value in panel.rows(currency)
    )
    notes = "".join(
        f'<p class="note">{esc(text)}</p>' for text in (panel.call_reason, panel.why) if text
    )
    return (
        f"<h2>The quarter call — {esc(panel.quarter)} as of {esc(panel.as_of)} · "
        f"{esc(panel.scope)}</h2><table>{rows}</table>{notes}"
        f'<p class="note">{esc(panel.method)}</p>'
    )
