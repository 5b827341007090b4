"""The shared filters in the sidebar: one state for every page, kept in the session and the URL.

The state (ui/filter_state.py) is read from the link on a session's first page, then kept
in st.session_state, so moving between pages keeps the period, comparison, territory,
segment, team and rep; every page writes it back into its URL so a copied link reproduces
the view. A page says which filters it uses; the others are drawn greyed out with a note.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date

import streamlit as st

from salesops.calendar import COMPARISONS, PERIOD_PRESETS, describe_period
from salesops.db.engine import SchemaMissing, outdated_schema
from salesops.repository import Repository
from salesops.ui.auth import current_viewer
from salesops.ui.cache import cached_call, settings
from salesops.ui.filter_state import (
    CUSTOM,
    WHOLE_COMPANY,
    FilterChoices,
    Filters,
    FilterState,
    default_state,
    read_state,
    resolve,
    state_period,
)
from salesops.ui.lazy import lazy_expander
from salesops.ui.markdown import md
from salesops.ui.states import empty_state
from salesops.ui.url_state import UrlReader, warn_ignored, write_params

__all__ = ["Filters", "carry_filters", "page_filters", "require_current_schema"]

STATE = "filters.state"
PROBLEMS = "filters.problems"
RESET = "reset"
OPEN = "filters.open"  # the expander holding the filter widgets
KEEP = "filters.kept_open"  # whether it was open, for the next page (widgets are per page)
ALL = ("period", "compare", "territory", "segment", "team", "rep")
NAMES = {
    "period": "period",
    "compare": "comparison",
    "territory": "territory",
    "segment": "segment",
    "team": "team",
    "rep": "rep",
}


def _state(choices: FilterChoices) -> FilterState:
    """Returns the session's filter state, read from the link on the session's first page."""
    state = st.session_state.get(STATE)
    if state == RESET:
        state = default_state(choices)
        st.session_state[STATE] = state
    elif state is None:
        url = UrlReader()
        state = read_state(url, choices)
        st.session_state[STATE] = state
        st.session_state[PROBLEMS] = url.problems
    return state


def _seed(state: FilterState, choices: FilterChoices) -> None:
    """Gives each filter widget its current value, or the session state's when it has none."""
    period = state_period(state, choices)
    values = {
        "filters.preset": state.preset,
        "filters.compare": state.compare,
        "filters.territory": list(state.territories),
        "filters.segment": list(state.segments),
        "filters.team": list(state.teams),
        "filters.rep": list(state.reps),
    }
    if state.preset == CUSTOM:
        values["filters.dates"] = (period.start, period.end)
    for key, value in values.items():
        # Re-assigning a kept value hands it to the widget drawn on this page (Streamlit ties
        # a widget's value to the page that drew it); a forgotten one comes from the state.
        st.session_state[key] = st.session_state.get(key, value)


def _reset() -> None:
    """Puts every filter back to its default (a button callback, before the widgets are drawn)."""
    kept = (OPEN, KEEP)  # the filters stay open if they were
    for key in [k for k in st.session_state if str(k).startswith("filters.") and k not in kept]:
        del st.session_state[key]
    st.session_state[STATE] = RESET
    st.session_state[PROBLEMS] = []


def _period_widgets(state: FilterState, choices: FilterChoices, off: set[str]) -> FilterState:
    """Draws the period preset, the custom dates and the comparison; returns the new state."""
    preset = st.selectbox(
        "Period",
        list(PERIOD_PRESETS),
        format_func=choices.preset_label,
        key="filters.preset",
        disabled="period" in off,
        help=f"Presets count from the data's latest day ({choices.last:%d %b %Y}).",
    )
    start, end = None, None
    if preset == CUSTOM:
        if "filters.dates" not in st.session_state:  # just switched to custom dates
            shown = state_period(state, choices)
            st.session_state["filters.dates"] = (shown.start, shown.end)
        picked = st.date_input(
            "Dates",
            min_value=choices.first,
            max_value=choices.latest_end,
            key="filters.dates",
            disabled="period" in off,
            help="Both ends included. Whole months read pre-aggregated rollups (fastest).",
        )
        if isinstance(picked, tuple | list) and len(picked) == 2:
            start, end = picked[0], picked[1]
        else:  # the user has picked only the first end of the range so far
            shown = state_period(state, choices)
            start, end = shown.start, shown.end
    else:
        st.session_state.pop("filters.dates", None)
        st.caption(describe_period(state_period(FilterState(preset), choices)))
    compare = st.selectbox(
        "Compare with",
        list(COMPARISONS),
        format_func=lambda c: COMPARISONS[c],
        key="filters.compare",
        disabled="compare" in off,
    )
    return FilterState(preset, start, end, compare or choices.compare)


def _scope_widgets(choices: FilterChoices, off: set[str]) -> dict[str, tuple]:
    """Draws territory, segment, team and rep; returns what is chosen."""
    names: dict[int, str] = dict(
        zip(choices.territories["id"].tolist(), choices.territories["name"].tolist(), strict=True)
    )
    rep_names: dict[int, str] = dict(
        zip(choices.reps["id"].tolist(), choices.reps["name"].tolist(), strict=True)
    )
    territories = st.multiselect(
        "Territory",
        list(names),
        format_func=lambda t: str(names.get(t)),
        key="filters.territory",
        disabled="territory" in off,
        placeholder="All territories",
    )
    segments = st.multiselect(
        "Segment",
        list(choices.segments),
        key="filters.segment",
        disabled="segment" in off,
        placeholder="All segments",
    )
    teams = st.multiselect(
        "Team (manager)",
        choices.teams,
        key="filters.team",
        disabled="team" in off,
        placeholder="All teams",
    )
    options = choices.rep_options(tuple(territories), tuple(teams))
    # A rep outside the territories or teams just chosen leaves the selection.
    st.session_state["filters.rep"] = [
        r for r in st.session_state.get("filters.rep", []) if r in set(options)
    ]
    reps = st.multiselect(
        "Rep",
        options,
        format_func=lambda r: str(rep_names.get(r)),
        key="filters.rep",
        disabled="rep" in off,
        placeholder="All reps",
    )
    return {
        "territories": tuple(territories),
        "segments": tuple(segments),
        "teams": tuple(teams),
        "reps": tuple(reps),
    }


def sidebar_filters(choices: FilterChoices, uses: Collection[str] = ALL) -> Filters:
    """Draws the shared filters in the sidebar and returns what they select.

    `uses` names the filters this page applies (period, compare, territory, segment, team,
    rep); the others are greyed out with a note. The state is kept in the session and
    written into the URL. The sidebar says in words what is chosen; the widgets are drawn
    only once the reader opens "Change filters" (issue 21: the two selectboxes and four
    multiselects cost a warm new tab ~0.2-0.4 s of drawing), and stay open from page to
    page for the session once opened.
    """
    state = _state(choices)
    _seed(state, choices)
    off = set(ALL) - set(uses)
    new = state
    with st.sidebar:
        st.header("Filters")
        warning = st.empty()  # filled once it is known whether the user changed anything
        summary = st.empty()  # the chosen filters in words, once the widgets have been read
        if off:
            unused = ", ".join(NAMES[name] for name in ALL if name in off)
            st.caption(f"Not used on this page: {unused}.")
        # An expander's state belongs to the page that drew it: KEEP carries it to the next.
        with lazy_expander("Change filters", OPEN, bool(st.session_state.get(KEEP))) as opened:
            st.session_state[KEEP] = opened
            if opened:
                period = _period_widgets(state, choices, off)
                scope = _scope_widgets(choices, off)
                new = FilterState(period.preset, period.start, period.end, period.compare, **scope)
        st.button("Reset filters", key="filters.reset", on_click=_reset, type="tertiary")
    if new != state:
        st.session_state[STATE] = new
        st.session_state[PROBLEMS] = []  # the user has moved on from the link
    with warning.container():
        warn_ignored(st.session_state.get(PROBLEMS) or [])
    write_params(new.to_params(choices.compare))
    filters = _viewer_scope(resolve(new, choices))
    summary.caption(
        f"{filters.period_label} · {md(filters.scope_label)} · {filters.comparison_label}."
    )
    return filters


def _viewer_scope(filters: Filters) -> Filters:
    """Returns `filters`, its "Whole company" scope named as the viewer's own when limited."""
    viewer = current_viewer()
    if filters.scope_label == WHOLE_COMPANY and not viewer.scope.is_everything:
        # "Whole company" would overstate it: the repository limits every read to the viewer.
        mine = "Your deals" if viewer.role == "rep" else "Your team"
        count = len([r for r in viewer.scope.rep_ids if r > 0])
        return replace(filters, scope_label=f"{mine} ({count} rep{'s' if count != 1 else ''})")
    return filters


# What every page's filters read first (filter_choices), after the schema's state.
CHOICE_READS = (
    Repository.data_bounds,
    Repository.territories,
    Repository.segments,
    Repository.reps,
)


def filter_choices() -> FilterChoices:
    """Returns what the filters offer for this database; stops with the empty state if no data.

    Data starting mid-month (imported datasets) still gets whole-month periods.
    """
    require_current_schema()
    bounds = cached_call(Repository.data_bounds)
    if bounds["last"] is None:
        empty_state()
    first: date = bounds["first"].replace(day=1)
    territories, segments, reps = (cached_call(read) for read in CHOICE_READS[1:])
    return FilterChoices.of(
        (first, bounds["last"]), territories, segments, reps, settings(), bounds["first_closed"]
    )


def page_filters(uses: Collection[str] = ALL) -> Filters:
    """Draws the shared filters (stopping with the empty state when there is no data).

    Returns the user's Filters; `uses` names the filters the page applies.
    """
    return sidebar_filters(filter_choices(), uses)


def carry_filters() -> None:
    """Keeps the shared filters in the URL of a page that does not use them (e.g. Data)."""
    state = st.session_state.get(STATE)
    if isinstance(state, FilterState):
        write_params(state.to_params(settings().default_comparison))


def require_current_schema() -> None:
    """Raises SchemaMissing when the database's schema is older than this version of salesops."""
    problem = outdated_schema(cached_call(Repository.schema_state))
    if problem:
        raise SchemaMissing(problem)
