"""The shared filter state: what a link says, validated, and what it resolves to.

One state per session, shared by every page: a period preset (or custom dates), the
comparison, territories, segments, teams (managers) and reps. `read_state` turns a link's
query parameters into a FilterState, noting what it had to ignore (unknown values,
contradictions such as a rep outside the chosen territory, or a preset next to explicit
dates); `resolve` turns a state into the Filters pages use. Drawing is in ui/filters.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from salesops.calendar import (
    COMPARISONS,
    PERIOD_PRESETS,
    Period,
    comparison_period,
    describe_period,
    preset_period,
    quarter_of,
)
from salesops.config import Settings
from salesops.repository import Scope
from salesops.ui.url_state import UrlReader

CUSTOM = "custom"
WHOLE_COMPANY = "Whole company"
# The query parameters the shared filters own; every page writes them (ui/url_state.py).
FILTER_PARAMS = ("period", "from", "to", "compare", "territory", "segment", "team", "rep")


@dataclass(frozen=True)
class FilterChoices:
    """What the filters can offer: the data's dates, territories, segments, reps and defaults."""

    first: date
    last: date
    territories: pd.DataFrame = field(repr=False)  # id, name
    segments: tuple[str, ...]
    reps: pd.DataFrame = field(repr=False)  # id, name, territory_id, manager
    months: int  # Settings.default_period_months
    preset: str  # Settings.default_period_preset
    compare: str  # Settings.default_comparison
    first_closed: date | None = None  # the earliest close date (calendar.preset_period)

    @classmethod
    def of(
        cls,
        bounds: tuple[date, date],
        territories: pd.DataFrame,
        segments: list[str],
        reps: pd.DataFrame,
        settings: Settings,
        first_closed: date | None = None,
    ) -> FilterChoices:
        """Returns the choices for data spanning `bounds`, defaults from `settings`."""
        preset = settings.default_period_preset
        compare = settings.default_comparison
        return cls(
            first=bounds[0],
            last=bounds[1],
            territories=territories,
            segments=tuple(segments),
            reps=reps,
            months=settings.default_period_months,
            preset=preset if preset in PERIOD_PRESETS and preset != CUSTOM else "trailing",
            compare=compare if compare in COMPARISONS else "previous",
            first_closed=first_closed,
        )

    @property
    def latest_end(self) -> date:
        """Returns the last date a period may reach: the end of the data's latest quarter."""
        return max(self.last, quarter_of(self.last).last_day)

    @property
    def teams(self) -> list[str]:
        """Returns the teams (managers), sorted."""
        return sorted(self.reps["manager"].dropna().unique().tolist())

    def preset_label(self, preset: str) -> str:
        """Returns a preset's menu label ("Last 12 months", "Quarter to date", ...)."""
        return PERIOD_PRESETS[preset].format(months=self.months)

    def rep_options(self, territories: tuple[int, ...], teams: tuple[str, ...]) -> list[int]:
        """Returns the ids of the reps in the chosen territories and teams (all when none)."""
        reps = self.reps
        if territories:
            reps = reps[reps["territory_id"].isin(territories)]
        if teams:
            reps = reps[reps["manager"].isin(teams)]
        return [int(i) for i in reps["id"]]


@dataclass(frozen=True)
class FilterState:
    """The user's choice as kept in the session and the URL (dates only for custom periods)."""

    preset: str
    start: date | None = None
    end: date | None = None
    compare: str = "previous"
    territories: tuple[int, ...] = ()
    segments: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    reps: tuple[int, ...] = ()

    def to_params(self, default_compare: str) -> dict[str, str | list[str]]:
        """Returns the query parameters of this state (an empty list removes a parameter)."""
        custom = self.preset == CUSTOM and self.start is not None and self.end is not None
        return {
            "period": self.preset,
            "from": self.start.isoformat() if custom and self.start else [],
            "to": self.end.isoformat() if custom and self.end else [],
            "compare": [] if self.compare == default_compare else self.compare,
            "territory": [str(t) for t in self.territories],
            "segment": list(self.segments),
            "team": list(self.teams),
            "rep": [str(r) for r in self.reps],
        }


@dataclass(frozen=True)
class Filters:
    """What the user chose, resolved: the period, its comparison, the scope and how to say it."""

    period: Period
    scope: Scope
    previous: Period | None = None
    preset: str = CUSTOM
    compare: str = "previous"
    teams: tuple[str, ...] = ()
    period_label: str = ""
    scope_label: str = WHOLE_COMPANY

    @property
    def comparison(self) -> Period:
        """Returns the comparison period (the period before when none was resolved)."""
        return self.previous or self.period.previous()

    @property
    def comparison_label(self) -> str:
        """Returns the comparison in words: "vs Jul – Sep 2026 (previous period)"."""
        how = "same period last year" if self.compare == "year" else "previous period"
        return f"vs {describe_period(self.comparison)} ({how})"


def read_state(url: UrlReader, choices: FilterChoices) -> FilterState:
    """Returns the filter state a link names; what it cannot use is noted on `url`.

    Unknown values are dropped; a preset beside explicit dates keeps the preset; a custom
    period without valid dates, reversed dates or dates outside the data give the default
    period; a rep outside the chosen territories or teams is dropped.
    """
    preset, start, end = _period(url, choices)
    compare = url.choice("compare", list(COMPARISONS), choices.compare, what="comparison")
    territories = _unique(url.ints("territory", set(choices.territories["id"].tolist())))
    segments = _unique(url.choices("segment", choices.segments))
    teams = _unique(url.choices("team", choices.teams, what="team"))
    reps = _unique(url.ints("rep", set(choices.reps["id"].tolist())))
    return FilterState(
        preset, start, end, compare, territories, segments, teams,
        _consistent_reps(url, reps, territories, teams, choices),
    )  # fmt: skip


def _unique(values: list) -> tuple:
    """Returns the values without repeats, first occurrence first."""
    return tuple(dict.fromkeys(values))


def _period(url: UrlReader, choices: FilterChoices) -> tuple[str, date | None, date | None]:
    """Returns (preset, start, end) from the link's period, from and to."""
    named = url.text("period") in PERIOD_PRESETS
    preset = url.choice("period", list(PERIOD_PRESETS), choices.preset, what="period")
    has_dates = url.has("from") or url.has("to")
    if named and preset != CUSTOM and has_dates:
        url.note(
            f"the dates {url.text('from') or '?'} – {url.text('to') or '?'} (the link also "
            f"names the period {choices.preset_label(preset)!r}, which is kept)"
        )
        return preset, None, None
    if not has_dates:
        if preset == CUSTOM:
            url.note("a custom period without dates")
            return choices.preset, None, None
        return preset, None, None
    start, end = url.date("from"), url.date("to")
    if start is None or end is None or end < start or end < choices.first or start > choices.last:
        url.note("an invalid date range")
        return (choices.preset if preset == CUSTOM else preset), None, None
    # A link reaching beyond the data is narrowed to it (the date widget refuses outside).
    return CUSTOM, max(start, choices.first), min(end, choices.latest_end)


def _consistent_reps(
    url: UrlReader,
    reps: tuple[int, ...],
    territories: tuple[int, ...],
    teams: tuple[str, ...],
    choices: FilterChoices,
) -> tuple[int, ...]:
    """Returns the reps that belong to the chosen territories and teams; notes the others."""
    allowed = set(choices.rep_options(territories, teams))
    names = dict(zip(choices.reps["id"].tolist(), choices.reps["name"].tolist(), strict=True))
    where = " and ".join(
        part for part, chosen in (("territory", territories), ("team", teams)) if chosen
    )
    for rep in reps:
        if rep not in allowed:
            url.note(f"rep {names.get(rep, rep)!r} (not in the chosen {where})")
    return tuple(r for r in reps if r in allowed)


def state_period(state: FilterState, choices: FilterChoices) -> Period:
    """Returns the dates a state stands for (its preset counted from the data's latest day)."""
    if state.preset == CUSTOM and state.start is not None and state.end is not None:
        return Period(state.start, state.end)
    preset = choices.preset if state.preset == CUSTOM else state.preset
    return preset_period(preset, choices.last, choices.months, choices.first_closed)


def resolve(state: FilterState, choices: FilterChoices) -> Filters:
    """Returns the Filters a state stands for: period, comparison, scope and their words.

    Choosing teams without reps scopes to every rep of those teams.
    """
    period = state_period(state, choices)
    preset = state.preset if state.preset in PERIOD_PRESETS else CUSTOM
    previous = comparison_period(period, preset, state.compare)
    reps = state.reps or (tuple(choices.rep_options((), state.teams)) if state.teams else ())
    scope = Scope(state.territories, state.segments, reps)
    label = describe_period(period)
    if preset != CUSTOM:
        label = f"{choices.preset_label(preset)}: {label}"
    return Filters(
        period=period,
        scope=scope,
        previous=previous,
        preset=preset,
        compare=state.compare,
        teams=state.teams,
        period_label=label,
        scope_label=scope_words(state, choices),
    )


def scope_words(state: FilterState, choices: FilterChoices) -> str:
    """Returns the scope in words: "Whole company", or its territories, segments, teams, reps."""
    territory_names = dict(
        zip(choices.territories["id"].tolist(), choices.territories["name"].tolist(), strict=True)
    )
    rep_names = dict(zip(choices.reps["id"].tolist(), choices.reps["name"].tolist(), strict=True))
    parts = [str(territory_names.get(t, t)) for t in state.territories]
    parts += list(state.segments)
    parts += [f"team {team}" for team in state.teams]
    if len(state.reps) <= 2:
        parts += [str(rep_names.get(r, r)) for r in state.reps]
    else:
        parts.append(f"{len(state.reps)} reps")
    return " · ".join(parts) if parts else WHOLE_COMPANY


def default_state(choices: FilterChoices) -> FilterState:
    """Returns the state of a link that names nothing."""
    return FilterState(choices.preset, compare=choices.compare)
