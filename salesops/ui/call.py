"""The quarter call UI: the one reconciled panel every page shows, its track record and roll-up.

`call_panel` is self-contained (reads its own cached data, handles its own empty state) so a
page or the Overview places it with one call. `call_details` adds the track record, the
week-by-week evolution and the method paragraph (Forecast page); `call_rollup` the calls
per team and territory.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from salesops.call.reconcile import Panel, ProphetView, prophet_quarter, reconciled_panel
from salesops.call.report import CallReport, call_evolution, call_report
from salesops.call.summary import table_frame, track_rows
from salesops.charts import call as call_charts
from salesops.formatting import format_money
from salesops.kpis.won_amounts import SAID_ABOVE
from salesops.repository import Scope
from salesops.ui.cache import cached_call, prefetch, settings
from salesops.ui.charts import draw_chart
from salesops.ui.figure_table import Tile, draw_figures
from salesops.ui.filters import Filters
from salesops.ui.forecast import monthly_forecast, prefetch_monthly_forecast
from salesops.ui.markdown import md
from salesops.ui.tables import show_table


def _call_scope(filters: Filters) -> Scope:
    """Returns the filters' scope without segments (the call groups people, not accounts)."""
    return Scope(territory_ids=filters.scope.territory_ids, rep_ids=filters.scope.rep_ids)


def load_call(scope: Scope, label: str, by: str | None = None) -> CallReport | None:
    """Returns the cached call of a scope, or None after saying why there is none."""
    try:
        return cached_call(call_report, None, None, by, scope, label)
    except ValueError as exc:
        st.info(str(exc))
        return None


def _prophet(scope: Scope, report: CallReport) -> ProphetView:
    """Returns Prophet's monthly run-rate view of the call's quarter (cached fit, no backtest)."""
    forecast = monthly_forecast(scope, settings().forecast_horizon)
    return prophet_quarter(forecast.main.points, report.quarter)


def panel_for(scope: Scope, label: str) -> Panel | None:
    """Returns the reconciled panel of a scope (None, said on the page, when nothing to call)."""
    report = load_call(scope, label)
    if report is None:
        return None
    return reconciled_panel(report, _prophet(scope, report), settings().currency)


def prefetch_panel(scope: Scope, label: str) -> None:
    """Starts reading panel_for's call and forecast inputs (salesops.ui.cache.prefetch)."""
    prefetch(call_report, None, None, None, scope, label)
    prefetch_monthly_forecast(scope)


def prefetch_call_panel(filters: Filters) -> None:
    """Starts reading call_panel's call and forecast inputs (salesops.ui.cache.prefetch)."""
    prefetch_panel(_call_scope(filters), filters.scope_label)


def call_panel(filters: Filters, bookings_said: bool = False) -> None:
    """Draws the reconciled panel of the page filters' scope (segments aside).

    `bookings_said`: the page has already said in full why bookings are undefined, so the
    panel refers to it instead of repeating it (the Overview).
    """
    draw_panel(panel_for(_call_scope(filters), filters.scope_label), bookings_said)


def draw_panel(panel: Panel | None, bookings_said: bool = False) -> None:
    """Draws the reconciled panel: won, commit, best case, the call and range, Prophet, quota.

    Its seven figures are two Markdown tables (salesops.ui.figure_table: the call's four,
    then Prophet's view, quota and gap), not seven st.metric tiles and a popover, and how
    the call is made is in the first table's definitions: issue 21, a cold new tab of the
    Overview, Forecast and Pipeline review draws them sooner.
    """
    if panel is None:
        return
    currency = settings().currency

    def money(value: float | None) -> str:
        return "—" if value is None else format_money(value, currency)

    st.caption(
        f"{panel.quarter} as of {panel.as_of} · {md(panel.scope)}. The call counts only what the "
        "database knew on that date."
    )
    span = f"range {money(panel.low)} – {money(panel.high)}" if panel.low is not None else None
    draw_figures(
        [
            Tile("Won to date", money(panel.won_to_date)),
            Tile("Commit", money(panel.commit), help="Won + open commit deals."),
            Tile("Best case", money(panel.best_case), help="Commit + best case."),
            Tile("The call", money(panel.call), note=span, tone="neutral", help=panel.method),
        ]
    )
    p = panel.prophet
    band = f"band {money(p.low)} – {money(p.high)}" if p.low is not None else p.reason
    gap_word, gap_tone = None, "none"
    if panel.gap is not None:
        short = panel.gap > 0
        gap_word, gap_tone = ("short of quota", "bad") if short else ("above quota", "good")
    draw_figures(
        [
            Tile("Prophet run-rate", money(p.value), note=band, tone="neutral"),
            Tile("Quota", money(panel.quota)),
            Tile(
                "Gap (quota − call)",
                money(None if panel.gap is None else abs(panel.gap)),
                note=gap_word,
                tone=gap_tone,
            ),
        ]
    )
    if panel.bookings_undefined and bookings_said:
        st.caption(SAID_ABOVE)
    elif panel.call_reason:
        st.info(panel.call_reason)
    if panel.caption:
        st.caption(panel.caption)
    if panel.why:
        st.warning(panel.why, icon="⚖️")


def call_details(filters: Filters) -> None:
    """Draws the track record at this day of past quarters, the verdict and the evolution."""
    report = load_call(_call_scope(filters), filters.scope_label)
    if report is None:
        return
    if report.bookings_reason is not None:
        st.info(report.bookings_reason)
        return
    currency = settings().currency
    unit = report.company
    errors = unit.mean_abs_errors()
    track = pd.DataFrame(track_rows(unit.track))
    st.markdown(f"**Track record at day {report.day} of the last {len(track)} quarters**")
    if track.empty:
        st.info("No past quarter to measure the call on yet.")
    else:
        draw_chart(call_charts.track_record_chart(track, currency))
        st.write(_verdict(errors))
    st.markdown("**The call week by week through the quarter**")
    evolution = cached_call(call_evolution, None, None, _call_scope(filters))
    if len(evolution):
        draw_chart(call_charts.evolution_chart(evolution, currency))
    st.caption(report.method)


def _verdict(errors: dict[str, float | None]) -> str:
    """Returns the sentence comparing the call's mean absolute error with the alternatives."""
    call, stage, commit = (errors[k] for k in ("call", "stage_probability", "won_plus_commit"))
    if call is None:
        return "The call has no track record yet (too few past quarters)."

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    text = (
        f"Mean absolute error: the call {pct(call)}, stage probabilities {pct(stage)}, "
        f"won + commit {pct(commit)}."
    )
    beaten = [v for v in (stage, commit) if v is not None and v <= call]
    if beaten:
        return text + " The call does **not** beat every alternative here: weigh it with them."
    return text + " The call beat both alternatives at this day of past quarters."


def call_rollup(filters: Filters, by: str) -> None:
    """Draws the call per team or territory (they add up to the scope's), each with its MAE."""
    report = load_call(_call_scope(filters), filters.scope_label, by)
    if report is None:
        return
    if report.bookings_reason is not None:
        st.info(report.bookings_reason)
        return
    show_table(table_frame(report), key=f"call.rollup_{by}", currency=settings().currency)
