"""Pipeline review controls: week and scope pickers kept in st.query_params, validated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st

from salesops import pipeline_review as pr
from salesops.calendar import parse_week, week_of
from salesops.pipeline_review import Week
from salesops.review_report import SCOPE_KINDS, ReviewScope, default_week, resolve_scope

KEY = "pipeline_review"
WEEKS_OFFERED = 104
SCOPE_LABELS = {"company": "Company", "team": "Team", "territory": "Territory", "rep": "Rep"}


@dataclass(frozen=True)
class ReviewChoice:
    """What the user picked on the Pipeline review page."""

    week: Week
    scope: ReviewScope
    stale_days: int
    big_change: float


def week_options(first: date, last: date, today: date | None = None) -> list[Week]:
    """Returns the weeks offered, newest first: from the default week back to the data's start."""
    newest = default_week(today or datetime.now(UTC).date(), last)
    oldest = week_of(first)
    weeks = []
    week = newest
    while week >= oldest and len(weeks) < WEEKS_OFFERED:
        weeks.append(week)
        week = week.previous()
    return weeks or [newest]


def _initialise(weeks: list[Week], reps: pd.DataFrame, territories: pd.DataFrame) -> None:
    params = st.query_params
    problems: list[str] = []
    week = weeks[0]
    if "week" in params:
        try:
            asked = parse_week(params["week"])
        except ValueError:
            asked = None
        if asked in weeks:
            week = asked
        else:
            problems.append(f"week {params['week']!r}")
    st.session_state[f"{KEY}.week"] = week
    kind = params.get("scope", "company")
    if kind not in SCOPE_KINDS:
        problems.append(f"scope {kind!r}")
        kind = "company"
    value = params.get(kind) if kind != "company" else None
    if kind != "company":
        try:
            resolve_scope(kind, value, reps, territories)
        except ValueError:
            problems.append(f"{kind} {value!r}")
            kind, value = "company", None
    st.session_state[f"{KEY}.scope"] = kind
    if kind == "team":
        st.session_state[f"{KEY}.team"] = value
    elif kind in ("territory", "rep"):
        st.session_state[f"{KEY}.{kind}"] = int(value)
    st.session_state[f"{KEY}.problems"] = problems
    st.session_state[f"{KEY}.initialised"] = True


def review_controls(
    bounds: dict[str, date | None],
    reps: pd.DataFrame,
    territories: pd.DataFrame,
    stale_days: int,
    today: date | None = None,
) -> ReviewChoice:
    """Draws the week, scope and threshold pickers and returns the user's ReviewChoice."""
    weeks = week_options(bounds["first"], bounds["last"], today)
    if not st.session_state.get(f"{KEY}.initialised"):
        _initialise(weeks, reps, territories)
    problems = st.session_state.get(f"{KEY}.problems") or []
    if problems:
        st.warning("Ignored an unknown " + ", ".join(problems) + " in the link; showing defaults.")
    left, middle, right = st.columns([2, 2, 3])
    with left:
        week = st.selectbox(
            "Week",
            weeks,
            format_func=lambda w: f"{w.label} ({w.start:%d %b} – {w.last_day:%d %b %Y})",
            key=f"{KEY}.week",
            help="ISO weeks, Monday to Sunday (UTC dates). Default: the last complete week.",
        )
    with middle:
        kind = st.segmented_control(
            "Scope",
            list(SCOPE_KINDS),
            format_func=SCOPE_LABELS.get,
            key=f"{KEY}.scope",
            required=True,
        )
    value: str | int | None = None
    with right:
        if kind == "team":
            teams = sorted(reps["manager"].dropna().unique().tolist())
            value = st.selectbox("Team (manager)", teams, key=f"{KEY}.team")
        elif kind == "territory":
            names = dict(zip(territories["id"].astype(int), territories["name"], strict=True))
            value = st.selectbox(
                "Territory", list(names), format_func=names.get, key=f"{KEY}.territory"
            )
        elif kind == "rep":
            names = dict(zip(reps["id"].astype(int), reps["name"], strict=True))
            value = st.selectbox("Rep", list(names), format_func=names.get, key=f"{KEY}.rep")
    with st.expander("Thresholds"):
        stale = st.number_input(
            "Stale after (days without change)", 1, 365, stale_days, key=f"{KEY}.stale_days"
        )
        big = st.number_input(
            "Big amount change (currency)",
            1.0,
            1e9,
            pr.BIG_CHANGE_DEFAULT,
            step=1000.0,
            key=f"{KEY}.big_change",
        )
    if value is None:  # no teams/territories/reps to pick from
        kind = "company"
    scope = resolve_scope(kind, value, reps, territories)
    params = {"week": week.start.isoformat(), "scope": scope.kind}
    if scope.kind != "company":
        params[scope.kind] = str(scope.value)
    st.query_params.from_dict(params)
    return ReviewChoice(week, scope, int(stale), float(big))
