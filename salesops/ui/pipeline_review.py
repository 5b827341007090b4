"""Pipeline review UI: week and scope pickers kept in the URL, and the Overview headline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from salesops.calendar import Week, parse_week, quarter_words, week_of
from salesops.config import Settings
from salesops.definitions import define
from salesops.formatting import EM_DASH, format_change
from salesops.pipeline_review.deal_lists import LIST_NAMES, LIST_TITLES
from salesops.pipeline_review.meeting_pack import start_chart_renderer
from salesops.pipeline_review.report import (
    DealList,
    ReviewSummary,
    current_week,
    default_week,
    export_frame,
    review_list,
    review_report,
    review_stale,
    review_summary,
    review_waterfall,
    stale_figures,
)
from salesops.pipeline_review.scope import ReviewScope, selection_scope
from salesops.pipeline_review.waterfall import week_words
from salesops.repository import Repository
from salesops.ui.cache import (
    cached_call,
    cached_from,
    prefetch,
    settings,
    start_after_paint,
    stored_from,
)
from salesops.ui.download import download_csv_later
from salesops.ui.figure_table import Tile, draw_figures, toned
from salesops.ui.filters import Filters
from salesops.ui.lazy import kept_choices, lazy_expander, lazy_tabs
from salesops.ui.nav import page_link
from salesops.ui.tables import show_summary_table, show_table
from salesops.ui.url_state import UrlReader, warn_ignored, write_params

KEY = "pipeline_review"
WEEK = f"{KEY}.week"  # the week shown (not a widget's key: kept while its picker is not drawn)
WEEK_OPEN = f"{KEY}.week_open"  # the lazy expander holding the week picker
SUMMARY_TAB = "Summary"
_RENDERER_STARTED = False  # start_chart_renderer runs once per process
# Short tab titles (the full title is the tab's caption): the row fits at 1280 px.
TAB_TITLES = {
    "new": "New",
    "advanced": "Advanced",
    "regressed": "Regressed",
    "pushed": "Pushed",
    "slipped": "Slipped",
    "overdue": "Overdue",
    "stale": "Stale",
    "big_changes": "Big changes",
}


@dataclass(frozen=True)
class ReviewChoice:
    """What the user picked on the Pipeline review page."""

    week: Week
    scope: ReviewScope
    stale_days: int
    big_change: float


def week_options(
    first: date | None, last: date | None, weeks_offered: int, today: date | None = None
) -> list[Week]:
    """Returns the weeks offered, newest first: from the default week back to the data's start.

    At most `weeks_offered` weeks (Settings.review_weeks_offered).
    """
    newest = default_week(today or datetime.now(UTC).date(), last)
    oldest = week_of(first) if first is not None else newest
    weeks: list[Week] = []
    week = newest
    while week >= oldest and len(weeks) < weeks_offered:
        weeks.append(week)
        week = week.previous()
    return weeks or [newest]


def _week_from(url: UrlReader, weeks: list[Week]) -> Week:
    """Returns the week the link names if it is offered, else the newest (noting the problem)."""
    text = url.text("week")
    if text is None:
        return weeks[0]
    try:
        asked: Week | None = parse_week(text)
    except ValueError:
        asked = None
    if asked in weeks:
        return asked
    url.note(f"unknown week {text!r}")
    return weeks[0]


def _initialise(weeks: list[Week]) -> None:
    """Seeds the week picker from the URL once; what it cannot use is kept to warn about."""
    url = UrlReader()
    st.session_state[WEEK] = _week_from(url, weeks)
    st.session_state[f"{KEY}.problems"] = url.problems
    st.session_state[f"{KEY}.initialised"] = True


THRESHOLDS_OPEN = f"{KEY}.thresholds_open"  # the lazy expander holding the two inputs
THRESHOLDS = f"{KEY}.thresholds"  # what the inputs last said, kept while they are not drawn


def _thresholds(config: Settings) -> tuple[int, float]:
    """Draws the stale-days and big-change inputs (defaults from Settings); returns them.

    The inputs are drawn once "Thresholds" is opened (issue 21: closed, they still cost a
    cold new tab their scripts and drawing); what they last said is kept in the session
    (not under the widgets' keys, which Streamlit forgets in a run that does not draw them).
    """

    def inputs(chosen: tuple[int, float]) -> tuple[int, float]:
        stale = st.number_input(
            "Stale after (days in stage), for stages with too few measured stays",
            1,
            365,
            int(chosen[0]),
            key=f"{KEY}.stale_days",
            help=define("stale", config),
        )
        big = st.number_input(
            f"Big amount change ({config.currency})",
            1.0,
            1e9,
            float(chosen[1]),
            step=1000.0,
            key=f"{KEY}.big_change",
        )
        return int(stale), float(big)

    defaults = (int(config.stale_days), float(config.big_change))
    stale, big = kept_choices("Thresholds", THRESHOLDS_OPEN, THRESHOLDS, defaults, inputs)
    return int(stale), float(big)


def _week_picker(weeks: list[Week]) -> Week:
    """Returns the week to review; its picker is drawn once "Review another week" is opened.

    Closed, the week is the one kept in the session under WEEK (from the URL, the last pick,
    or the newest): issue 21, a selectbox loads its own scripts and its options (every week
    offered) and costs a new tab their drawing; the page's caption says the week shown. The
    picker has a key of its own, which Streamlit forgets in a run that does not draw it.
    """
    week: Week = st.session_state[WEEK]
    with lazy_expander("Review another week", WEEK_OPEN) as opened:
        if opened:
            picked = st.selectbox(
                "Week",
                weeks,
                index=weeks.index(week),
                format_func=lambda w: f"Week of {w.start.day} {w.start:%b %Y} ({w.label})",
                key=f"{KEY}.week_picker",
                help="ISO weeks, Monday to Sunday (UTC dates). Default: the last complete week.",
            )
            week = st.session_state[WEEK] = picked or week
    return week


def review_controls(
    bounds: dict[str, date | None],
    filters: Filters,
    reps: pd.DataFrame,
    territories: pd.DataFrame,
    config: Settings,
    today: date | None = None,
) -> ReviewChoice:
    """Draws the week and threshold pickers and returns the user's ReviewChoice.

    The scope is the shared filters' territories, teams and reps. The week is read from the
    URL once and written back on every run; both pickers are drawn when their expanders
    are opened.
    """
    weeks = week_options(bounds["first"], bounds["last"], config.review_weeks_offered, today)
    if not st.session_state.get(f"{KEY}.initialised"):
        _initialise(weeks)
    if st.session_state.get(WEEK) not in weeks:  # kept from an older list of weeks
        st.session_state[WEEK] = weeks[0]
    warn_ignored(st.session_state.get(f"{KEY}.problems") or [])
    left, right = st.columns(2)
    with left:
        week = _week_picker(weeks)
    with right:
        stale_days, big_change = _thresholds(config)
    scope = selection_scope(
        filters.scope.territory_ids, filters.teams, filters.scope.rep_ids, reps, territories
    )
    write_params({"week": week.start.isoformat()})
    return ReviewChoice(week, scope, stale_days, big_change)


def prefetch_review_headline(filters: Filters) -> None:
    """Starts reading the Overview's week waterfall (salesops.ui.cache.prefetch)."""
    del filters  # company-wide, as the headline
    last = cached_call(Repository.history_bounds)["last"]
    if last is not None:
        prefetch(review_waterfall, current_week(datetime.now(UTC).date(), last)[0])


def pipeline_review_headline(filters: Filters) -> None:
    """Draws this week's net pipeline change and slipped value, in a sentence and two tiles.

    Company-wide: the Overview's territory/segment filters do not apply (the review scopes
    by people).
    """
    bounds = cached_call(Repository.history_bounds)
    if bounds["last"] is None:
        st.caption("No opportunity history yet.")
        return
    week, last = current_week(datetime.now(UTC).date(), bounds["last"])
    waterfall = cached_call(review_waterfall, week)
    config = settings()
    sentence, tone = week_words(waterfall, last, config.currency, config.change_noise_share)
    net, slipped = float(waterfall.net_change), float(waterfall.slipped)
    tiles = [
        Tile(
            "Net pipeline change this week",
            format_change(net, "money", config.currency) or EM_DASH,
            help=f"Closing minus opening {quarter_words(waterfall.quarter)} pipeline for the week.",
        ),
        Tile(
            "Slipped out of the quarter",
            format_change(slipped, "money", config.currency) or EM_DASH,
            help=f"{waterfall.deals.get('slipped', 0)} deal(s) moved their close out of "
            f"{quarter_words(waterfall.quarter)}.",
        ),
    ]
    draw_figures(tiles, toned(sentence, tone))
    page_link(
        "pages/pipeline_review.py",
        "Pipeline review: the waterfall and the deals",
        ":material/event_note:",
    )


def _words(config: Settings, week: Week) -> dict[str, str]:
    """Returns the shared words each list's caption adds (salesops.definitions)."""
    return {"overdue": f"{define('overdue', config)} As of {week.end:%d %b %Y}."}


def review_args(week: Week, scope: ReviewScope, thresholds: Settings) -> tuple:
    """Returns review_report's arguments as the page reads it: the week without its stale list.

    The same cache entry (and the same stored result, salesops.overview_store.review_calls)
    for the page's summary, a list's tab and the meeting pack.
    """
    return (week, scope, thresholds, False)


def page_summary(week: Week, scope: ReviewScope, thresholds: Settings) -> ReviewSummary:
    """Returns the week's ReviewSummary: what the page draws before a tab or download.

    Derived from the cached review (ui.cache.cached_from); for the default week, scope and
    thresholds it was stored on load, so a cold page reads a few kB, not the whole review.
    The stale list is counted only when its figures were stored (the default view): it is
    not read for them (review_stale reads every open deal's stage history).
    """
    summary = cached_from(review_summary, ((review_report, review_args(week, scope, thresholds)),))
    stale = stored_from(stale_figures, ((review_stale, (week, scope, thresholds)),))
    return summary if stale is None else summary.with_list("stale", stale)


STALE_READ = f"{KEY}.stale_read"  # the (week, scope, thresholds) whose stale tab was opened


def with_stale_counted(summary: ReviewSummary, thresholds: Settings) -> ReviewSummary:
    """Returns the summary with the stale list counted once this session opened its tab.

    Its list is cached then, so counting it is a small read. For the Summary tab only: the
    tab titles keep what page_summary gave, since a title that changed would move the
    open tab back to the first on the next rerun.
    """
    view = (summary.week, summary.scope, thresholds)
    if "stale" in summary.list_counts or view not in st.session_state.get(STALE_READ, set()):
        return summary
    return summary.with_list("stale", cached_from(stale_figures, ((review_stale, view),)))


def review_part(
    fn: Callable, week: Week, scope: ReviewScope, thresholds: Settings, *args: Any
) -> Any:
    """Returns fn(the week's ReviewReport, *args): a part of the review (a list, the pack's).

    Derived from the cached review (ui.cache.cached_from): for the default view each part
    was stored on load, so a list's tab reads its list alone, not the whole review.
    """
    return cached_from(fn, ((review_report, review_args(week, scope, thresholds)),), *args)


def start_renderer_after_paint() -> None:
    """Starts the pack's chart renderer in a background thread, once per process.

    Under serve.py it was started before the server answered (`start_renderer`). The
    stale list and the pack's cash section are not read ahead: a view other than the
    default (stored on load) would read them for 2 s of CPU at 1M deals, in the server
    process, while the next page the user opens is being drawn. Its tab or the download
    reads them when asked.
    """
    global _RENDERER_STARTED
    if _RENDERER_STARTED:
        return
    _RENDERER_STARTED = True
    start_after_paint(start_chart_renderer, "start chart renderer")


def start_renderer() -> None:
    """Starts the pack's chart renderer now, once per process (salesops.ui.preload).

    Then no page's background starts it while the next page a user opens is being drawn.
    """
    global _RENDERER_STARTED
    if not _RENDERER_STARTED:
        _RENDERER_STARTED = True
        start_chart_renderer()


def deal_list_tabs(summary: ReviewSummary, thresholds: Settings) -> None:
    """Draws a summary tab, then one tab per deal list, the table of the open tab only.

    The summary opens first: a grid costs a new tab ~0.5 s to draw (issue 21), so the page
    shows one only when a list is asked for.

    A tab switch reruns the tabs' fragment alone (lazy_tabs). A list's tab reads its list
    (`review_part`); the stale list is read only when its tab is opened: it needs
    every open deal's stage history (review_stale), so its tab has no count until then.
    """
    counts = summary.list_counts
    names = list(LIST_NAMES)
    titles = [
        f"{TAB_TITLES.get(n, LIST_TITLES[n])} ({counts[n]})"
        if n in counts
        else TAB_TITLES.get(n, LIST_TITLES[n])
        for n in names
    ]
    sections = {SUMMARY_TAB: partial(_list_summary, summary, thresholds)}
    sections |= {
        title: partial(_deal_list, summary, name, thresholds)
        for title, name in zip(titles, names, strict=True)
    }
    lazy_tabs(sections, key=f"{KEY}.tabs")


def _list_summary(summary: ReviewSummary, thresholds: Settings) -> None:
    """Draws the first tab: every list's deals and amount, as text (no grid before a click)."""
    st.caption("Each list's deals and their amount; open a list's tab to walk through it.")
    show_summary_table(
        with_stale_counted(summary, thresholds).list_summary,  # counted once its tab was read
        key=f"{KEY}.list_summary",
        settings=thresholds,
    )


def _deal_list(summary: ReviewSummary, name: str, thresholds: Settings) -> None:
    """Draws one deal list with its caption, table and download."""
    week = summary.week
    rule = None
    if name != "stale":
        shown: DealList = review_part(review_list, week, summary.scope, thresholds, name)
    else:  # the review is read without it (review_args): read now
        stale, rule = cached_call(review_stale, week, summary.scope, thresholds)
        st.session_state.setdefault(STALE_READ, set()).add((week, summary.scope, thresholds))
        shown = DealList(export_frame(stale))
    frame = shown.deals
    definition = _words(thresholds, week).get(name, "")
    st.caption(f"{LIST_TITLES[name]}. {definition}")
    if shown.note is not None:
        st.caption(shown.note)
    if name == "stale":
        st.caption(f"{len(frame)} deal(s).")
        if rule is not None:
            st.caption(f"{define('stale', thresholds)} Stale after: {rule.describe()}.")
    if frame.empty:
        st.info("None this week.")
        return
    show_table(frame, key=f"{KEY}.list_{name}", currency=thresholds.currency)
    download_csv_later(lambda: frame, f"{name}_{week.label}.csv", key=f"{KEY}.download_{name}")
