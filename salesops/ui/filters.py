"""The shared filters (period, territory, segment, rep), kept in the URL (ui/url_state.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from salesops.calendar import Period
from salesops.db.engine import SchemaMissing, outdated_schema
from salesops.kpis.report import default_period
from salesops.repository import Repository, Scope
from salesops.ui.cache import cached_call, settings
from salesops.ui.states import empty_state
from salesops.ui.url_state import UrlReader, warn_ignored, write_params


@dataclass(frozen=True)
class Filters:
    """What the user chose: a period and a scope."""

    period: Period
    scope: Scope


def _initialise(
    default: Period,
    bounds: tuple[date, date],
    territories: pd.DataFrame,
    segments: list[str],
    reps: pd.DataFrame,
) -> None:
    url = UrlReader()
    start, end = url.date("from"), url.date("to")
    if (url.has("from") or url.has("to")) and (
        start is None or end is None or end < start or end < bounds[0] or start > bounds[1]
    ):
        url.note("an invalid date range")
        start, end = None, None
    if start is not None and end is not None:
        # A link reaching beyond the data is narrowed to it (the date widget refuses outside).
        start, end = max(start, bounds[0]), min(end, max(bounds[1], default.end))
    st.session_state["filters.period"] = (start or default.start, end or default.end)
    st.session_state["filters.territory"] = url.ints("territory", set(territories["id"].tolist()))
    st.session_state["filters.segment"] = url.choices("segment", segments)
    st.session_state["filters.rep"] = url.ints("rep", set(reps["id"].tolist()))
    st.session_state["filters.problems"] = url.problems
    st.session_state["filters.initialised"] = True


def sidebar_filters(
    default: Period,
    bounds: tuple[date, date],
    territories: pd.DataFrame,
    segments: list[str],
    reps: pd.DataFrame,
) -> Filters:
    """Draws the shared filters in the sidebar and returns what is selected.

    `default` is the period shown when the URL names none; `bounds` the data's first and
    last dates. The selection is written back to the URL.
    """
    if not st.session_state.get("filters.initialised"):
        _initialise(default, bounds, territories, segments, reps)
    problems = st.session_state.get("filters.problems") or []
    names = dict(zip(territories["id"].tolist(), territories["name"].tolist(), strict=True))
    rep_names = dict(zip(reps["id"].tolist(), reps["name"].tolist(), strict=True))
    with st.sidebar:
        st.header("Filters")
        warn_ignored(problems)
        chosen = st.date_input(
            "Period",
            min_value=bounds[0],
            max_value=max(bounds[1], default.end),
            key="filters.period",
            help="Both ends included. Whole months read pre-aggregated rollups (fastest).",
        )
        territory_ids = st.multiselect(
            "Territory",
            list(names),
            format_func=lambda t: str(names.get(t)),
            key="filters.territory",
        )
        chosen_segments = st.multiselect("Segment", segments, key="filters.segment")
        rep_choices = reps
        if territory_ids:
            rep_choices = reps[reps["territory_id"].isin(territory_ids)]
        st.session_state["filters.rep"] = [
            r for r in st.session_state.get("filters.rep", []) if r in set(rep_choices["id"])
        ]
        rep_ids = st.multiselect(
            "Rep",
            rep_choices["id"].tolist(),
            format_func=lambda r: str(rep_names.get(r)),
            key="filters.rep",
        )
    if isinstance(chosen, tuple | list) and len(chosen) == 2:
        period = Period(chosen[0], chosen[1])
    else:  # the user has picked only the first end of the range so far
        period = default
    write_params(
        {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "territory": [str(t) for t in territory_ids],
            "segment": list(chosen_segments),
            "rep": [str(r) for r in rep_ids],
        }
    )
    return Filters(period, Scope(tuple(territory_ids), tuple(chosen_segments), tuple(rep_ids)))


def page_filters() -> Filters:
    """Loads filter choices, stops with the empty state if there is no data, draws the filters.

    Returns the user's Filters; the default period is the last whole months of data
    (Settings.default_period_months).
    """
    months = settings().default_period_months
    require_current_schema()
    bounds = cached_call(Repository.data_bounds)
    if bounds["last"] is None:
        empty_state()
    default = default_period(pd.Timestamp(bounds["last"]), months) or Period(
        bounds["first"], bounds["last"]
    )
    # Data starting mid-month (imported datasets) still gets whole-month periods.
    first = bounds["first"].replace(day=1)
    if default.start < first:
        default = Period(first, default.end)
    return sidebar_filters(
        default,
        (first, bounds["last"]),
        cached_call(Repository.territories),
        cached_call(Repository.segments),
        cached_call(Repository.reps),
    )


def require_current_schema() -> None:
    """Raises SchemaMissing when the database's schema is older than this version of salesops."""
    problem = outdated_schema(cached_call(Repository.schema_state))
    if problem:
        raise SchemaMissing(problem)
