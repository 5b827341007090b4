"""Plan: quotas calibrated to attainment for next year, and the hires the target needs."""

from __future__ import annotations

import streamlit as st

from salesops.charts.plan import attainment_html
from salesops.definitions import define
from salesops.plan.backtest import backtest_inputs, score_backtest
from salesops.plan.report import build_plan, default_target, plan_inputs
from salesops.territory.quotas import QuotaPolicy
from salesops.ui import plan as ui
from salesops.ui.cache import cached_call, cached_from, settings
from salesops.ui.download import download_csv
from salesops.ui.filters import page_filters
from salesops.ui.lazy import lazy_tabs
from salesops.ui.nav import ensure_navigation
from salesops.ui.states import database_guard, empty_state
from salesops.ui.tables import show_summary_table, show_table

ensure_navigation()
st.title("Plan")
with database_guard():
    filters = page_filters(uses=("period", "territory", "segment"))
    sources = (plan_inputs, (filters.scope, filters.period.end))
    inputs = cached_call(plan_inputs, *sources[1])
if inputs.data.is_empty or inputs.reps.empty:
    empty_state("No territories, accounts or reps yet")
defaults = settings()
year = inputs.data.quota_year
st.caption(
    f"Quota year {year.start:%b %Y} – {year.end:%b %Y}, as of {inputs.data.as_of:%d %b %Y}. "
    f"{inputs.data.capacity.describe()}"
)
columns = ui.column_config()


@st.fragment
def plan_panel() -> None:
    """The what-if: target and policy in, quotas, expected attainment and hires out."""
    choices = ui.plan_controls(defaults, default_target(inputs))
    with database_guard():  # kept per choice across sessions: a new tab does not plan again
        report = cached_from(build_plan, (sources,), choices, defaults)
    ui.target_caption(report, inputs.booked_last_year, defaults.currency)
    ui.choices_caption(choices)
    ui.plan_tiles(report, defaults.currency)
    for note in report.notes:
        st.info(note, icon=":material/info:")
    st.subheader("Expected attainment")
    if report.quotas.distribution.empty:  # no measured spread: the note above says why
        st.caption("No attainment to chart without a track record of bookings against expectation.")
    else:
        st.html(attainment_html(report.quotas.distribution))  # no Vega at first paint
    policy = QuotaPolicy.from_settings(
        defaults, attainment_target=choices.attainment_target, change_cap=choices.change_cap
    )
    # Kept per policy (the attainment target and the cap: the other sliders leave it as it
    # is) across sessions: neither a slider nor a new tab re-runs twelve calibrations.
    with database_guard():
        record = cached_from(score_backtest, ((backtest_inputs, (year.start, filters.scope)),),
                             policy)  # fmt: skip
    st.caption(f"Track record: {record.sentence()}")

    def hires() -> None:
        st.subheader("Hires by territory")
        st.caption(define("utilisation", defaults))
        show_summary_table(report.hires, key="plan.hires_table", settings=defaults,
                           columns=columns, order=ui.HIRE_COLUMNS,
                           brief=ui.HIRE_BRIEF)  # fmt: skip
        download_csv(report.hires, "plan_hires.csv", key="plan.download_hires")

    def quotas() -> None:
        st.subheader("Quotas")
        show_table(report.quota_table, key="plan.quotas", currency=defaults.currency,
                   columns=columns, order=ui.QUOTA_COLUMNS)  # fmt: skip
        download_csv(report.quota_table, "plan_quotas.csv", key="plan.download_quotas")

    # One table at a time (a rep's quota each: hundreds of rows), only the open tab's drawn.
    lazy_tabs({"Hires by territory": hires, "Quotas": quotas}, key="plan.tabs")


plan_panel()
