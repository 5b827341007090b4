"""Pipeline review: the week's pipeline waterfall, the deals to walk through, the meeting pack."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from salesops.calendar import quarter_words
from salesops.cash.pack import pack_cash_report
from salesops.charts import pipeline_review as charts
from salesops.definitions import define
from salesops.formatting import EM_DASH, format_change, format_value
from salesops.pipeline_review.meeting_pack import (
    meeting_pack_html,
    meeting_pack_pdf,
    meeting_pack_zip,
)
from salesops.pipeline_review.report import (
    ReviewReport,
    pack_review,
    review_report,
    review_stale,
    with_stale_list,
)
from salesops.pipeline_review.waterfall import DEFINITIONS, empty_waterfall_sentence
from salesops.print_pdf import find_browser
from salesops.repository import Repository
from salesops.ui.cache import cached_call, cached_from_later, cached_later, settings
from salesops.ui.call import draw_panel, panel_for, prefetch_panel
from salesops.ui.download import download_csv
from salesops.ui.figure_table import Tile, draw_figures
from salesops.ui.filters import page_filters
from salesops.ui.lazy import lazy_expander, lazy_toggle
from salesops.ui.markdown import md
from salesops.ui.nav import ensure_navigation
from salesops.ui.pipeline_review import (
    deal_list_tabs,
    page_summary,
    review_args,
    review_controls,
    start_renderer_after_paint,
)
from salesops.ui.states import database_guard, empty_state
from salesops.ui.tables import show_summary_table

ensure_navigation()
st.title("Pipeline review")
config = settings()
with database_guard():
    filters = page_filters(uses=("territory", "team", "rep"))
    bounds = cached_call(Repository.history_bounds)
    if bounds["last"] is None:
        empty_state("No opportunity history yet")
    reps = cached_call(Repository.reps)
    territories = cached_call(Repository.territories)
choice = review_controls(bounds, filters, reps, territories, config)
thresholds = replace(config, stale_days=choice.stale_days, big_change=choice.big_change)
with database_guard():
    # The call panel further down reads side by side with the review (ui.cache.prefetch).
    prefetch_panel(choice.scope.repository_scope, choice.scope.label)
    # The deals themselves are read when a tab or a download asks (deal_list_tabs).
    summary = page_summary(choice.week, choice.scope, thresholds)
week, quarter = summary.week, summary.quarter
waterfall = summary.waterfall
st.caption(
    f"Week of {week.start:%a %d %b} – {week.last_day:%a %d %b %Y} · {md(summary.scope.label)} · "
    f"pipeline = open deals expected to close in {quarter_words(quarter)}, "
    "reconstructed from opportunity history as of Monday 00:00 before and after the week."
)

st.subheader("Waterfall")
# One figure table, not four st.metric tiles (issue 21: a cold new tab draws it sooner).
draw_figures(
    [
        Tile("Opening pipeline", format_value(float(waterfall.opening), "money", config.currency)),
        Tile(
            "Net change",
            format_change(float(waterfall.net_change), "money", config.currency) or EM_DASH,
        ),
        Tile(
            "Slipped", format_change(float(waterfall.slipped), "money", config.currency) or EM_DASH
        ),
        Tile("Closing pipeline", format_value(float(waterfall.closing), "money", config.currency)),
    ]
)
if waterfall.is_empty:
    with database_guard():
        pipeline = cached_call(Repository.open_pipeline, summary.scope.repository_scope)
    undated = pipeline[pipeline["expected_close"].isna()]
    st.info(
        empty_waterfall_sentence(
            waterfall,
            int(undated["deals"].sum()),
            float(undated["open_amount"].sum()),
            config.currency,
        )
    )
else:
    # HTML bars, not Vega: the page's first chart cost a cold tab Vega's scripts (issue 21)
    st.html(charts.waterfall_html(waterfall.to_frame(), config.currency))
# Drawn when opened (issue 21): the definitions, and the waterfall's CSV. A download button's
# script is loaded on its first use, and React shows a lazily loaded element ~0.3 s after its
# placeholder: a download button at first paint held a warm new tab's drawing back (the
# pack's buttons below too). The two are not read in the meeting; one click opens them.
with lazy_expander(
    "How each deal's change is attributed, and the waterfall as CSV",
    "pipeline_review.attribution",
) as shown:
    if shown:
        st.markdown(DEFINITIONS)
        download_csv(
            summary.waterfall_table(),
            f"waterfall_{week.label}.csv",
            key="pipeline_review.download_waterfall",
        )

st.subheader("Deals to walk through")
st.caption("Each list is grouped by rep, largest amount first; click a column header to sort.")
deal_list_tabs(summary, thresholds)

st.subheader(f"The quarter call ({md(summary.scope.label)})")
with database_guard():
    panel = panel_for(summary.scope.repository_scope, summary.scope.label)
draw_panel(panel)

st.subheader(f"Coverage and forecast categories ({quarter_words(quarter)})")
coverage = summary.total_coverage
covered = "—" if coverage.value is None else f"{coverage.value:.2f}×"
draw_figures([Tile("Pipeline coverage", covered, help=define("pipeline_coverage", config))])
if coverage.value is None:
    st.caption(f"Coverage undefined: {coverage.reason}.")
st.caption(f"Pipeline coverage: {define('pipeline_coverage', config)} Period: the quarter.")
# Two tables a row per rep (200 at the large demo's whole company): drawn when opened.
with lazy_expander("Coverage and forecast categories by rep", "pipeline_review.by_rep") as shown:
    if shown:
        tables = (
            (summary.coverage, "coverage", "coverage.csv"),
            (summary.forecast, "forecast", "forecast_categories.csv"),
        )
        for column, (frame, name, filename) in zip(st.columns(2), tables, strict=True):
            with column:
                show_summary_table(
                    frame,
                    key=f"pipeline_review.{name}",
                    settings=config,
                    all_columns=lazy_toggle,  # in an expander: no expander in it
                )
                download_csv(frame, filename, key=f"pipeline_review.download_{name}")

st.subheader("Meeting pack")
st.caption(
    "A one-page summary (the quarter, the waterfall, the largest slips, pushes and new deals), "
    "then appendices with every table and order to cash for the quarter to date; printable "
    "HTML (works offline), PDF, or HTML + CSVs."
)
stem = f"pipeline_review_{week.label}"
with database_guard():
    # Read when a pack is downloaded; for the default view stored on load (without the
    # closing pipeline's deals), else derived from the review the tabs read (read once).
    whole_review = cached_from_later(
        pack_review, ((review_report, review_args(week, summary.scope, thresholds)),)
    )
    stale_list = cached_later(review_stale, week, summary.scope, thresholds)
    cash_section = cached_later(pack_cash_report, week, summary.scope.repository_scope, config)


def full_report() -> ReviewReport:
    """Returns the whole review with its stale list (read when a pack is downloaded)."""
    return with_stale_list(whole_review(), *stale_list())


def pack_button(
    column: DeltaGenerator, label: str, build: Callable[..., bytes], suffix: str, mime: str
) -> None:
    """Draws one download of the meeting pack in `column`, built by `build` on click."""
    column.download_button(
        label,
        lambda: build(full_report(), config, panel, cash_section()),
        f"{stem}.{suffix}",
        mime=mime,
        key=f"pipeline_review.download_{suffix}",
        on_click="ignore",
    )


# The pack's buttons are drawn when opened (issue 21: no download button at first paint, as
# the waterfall's CSV above); the heading and caption above say what the pack holds.
with lazy_expander(
    "Download the meeting pack", "pipeline_review.pack", icon=":material/download:"
) as shown:
    if shown:
        html_col, pdf_col, zip_col = st.columns(3)
        pack_button(
            html_col,
            "Download HTML",
            lambda *pack: meeting_pack_html(*pack).encode("utf-8"),
            "html",
            "text/html",
        )
        if find_browser(config.pdf_browser):
            pack_button(pdf_col, "Download PDF", meeting_pack_pdf, "pdf", "application/pdf")
        else:
            pdf_col.caption(
                f"No PDF here: {config.pdf_browser!r} is not installed; print the HTML."
            )
        pack_button(
            zip_col, "Download HTML + CSVs (zip)", meeting_pack_zip, "zip", "application/zip"
        )

start_renderer_after_paint()  # the pack's charts; nothing else is read ahead
