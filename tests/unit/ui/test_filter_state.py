"""The shared filter state read from a link: every tampered or contradictory case."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesops.calendar import Period
from salesops.config import Settings
from salesops.repository import Scope
from salesops.ui.filter_state import (
    FilterChoices,
    FilterState,
    read_state,
    resolve,
)
from salesops.ui.url_state import UrlReader

TERRITORIES = pd.DataFrame({"id": [1, 2], "name": ["East", "West"]})
REPS = pd.DataFrame(
    {
        "id": [10, 11, 20],
        "name": ["Ana", "Ben", "Cy"],
        "territory_id": [1, 1, 2],
        "manager": ["Kim", "Lee", "Lee"],
    }
)
CHOICES = FilterChoices.of(
    (date(2023, 1, 1), date(2026, 11, 20)), TERRITORIES, ["SMB", "Enterprise"], REPS, Settings()
)


class Params(dict):
    """A query-string stand-in: a list value is a repeated parameter."""

    def get(self, key, default=None):
        value = super().get(key, default)
        return value[-1] if isinstance(value, list) else value

    def get_all(self, key):
        value = super().get(key)
        return [] if value is None else value if isinstance(value, list) else [value]


def read(**params) -> tuple[FilterState, list[str]]:
    url = UrlReader(Params(params))
    return read_state(url, CHOICES), url.problems


def test_a_link_naming_nothing_gives_the_default_period_and_no_scope():
    state, problems = read()
    assert problems == []
    assert state == FilterState("trailing", compare="previous")
    filters = resolve(state, CHOICES)
    # the last 12 whole months before the data's incomplete last month
    assert filters.period == Period(date(2025, 11, 1), date(2026, 10, 31))
    assert filters.comparison == Period(date(2024, 11, 1), date(2025, 10, 31))
    assert filters.scope == Scope()
    assert filters.scope_label == "Whole company"


def test_the_default_period_reaches_into_the_unfinished_month_when_every_deal_closed_in_it():
    # a file without dates (IBM's): every deal closed on the import day, 20 Nov
    choices = FilterChoices.of(
        (date(2026, 6, 1), date(2026, 11, 20)),
        TERRITORIES,
        [],
        REPS,
        Settings(),
        first_closed=date(2026, 11, 20),
    )
    filters = resolve(read_state(UrlReader(Params()), choices), choices)
    assert filters.period == Period(date(2025, 12, 1), date(2026, 11, 20))


def test_a_valid_link_is_read_whole():
    state, problems = read(
        period="qtd", compare="year", territory=["1"], segment="SMB", team="Kim", rep="10"
    )
    assert problems == []
    assert state == FilterState("qtd", None, None, "year", (1,), ("SMB",), ("Kim",), (10,))
    filters = resolve(state, CHOICES)
    assert filters.period == Period(date(2026, 10, 1), date(2026, 11, 20))
    assert filters.comparison == Period(date(2025, 10, 1), date(2025, 11, 20))
    assert filters.scope == Scope((1,), ("SMB",), (10,))
    assert filters.period_label == "Quarter to date: 1 Oct – 20 Nov 2026"


def test_custom_dates_from_an_old_link_are_a_custom_period():
    state, problems = read(**{"from": "2025-01-01", "to": "2025-03-31"})
    assert problems == []
    assert (state.preset, state.start, state.end) == ("custom", date(2025, 1, 1), date(2025, 3, 31))
    assert resolve(state, CHOICES).period_label == "Q1 2025"


def test_a_preset_and_explicit_dates_keep_the_preset_with_a_warning():
    state, problems = read(period="last-quarter", **{"from": "2025-01-01", "to": "2025-03-31"})
    assert state.preset == "last-quarter" and state.start is None
    assert problems == [
        "the dates 2025-01-01 – 2025-03-31 (the link also names the period 'Last quarter', "
        "which is kept)"
    ]
    assert resolve(state, CHOICES).period == Period(date(2026, 7, 1), date(2026, 9, 30))


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"period": "fortnight"}, "period 'fortnight'"),
        ({"period": "custom"}, "a custom period without dates"),
        ({"from": "notadate", "to": "2025-03-31"}, "an invalid date range"),
        ({"from": "2025-03-31", "to": "2025-01-01"}, "an invalid date range"),  # reversed
        ({"from": "2025-01-01"}, "an invalid date range"),  # one end only
        ({"from": "1990-01-01", "to": "1990-12-31"}, "an invalid date range"),  # before the data
        ({"period": "custom", "from": "2031-01-01", "to": "2031-02-01"}, "an invalid date range"),
    ],
)
def test_unusable_periods_fall_back_to_the_default_with_a_warning(params, problem):
    state, problems = read(**params)
    assert problems == [problem]
    assert state.preset == "trailing" and state.start is None


def test_dates_reaching_beyond_the_data_are_narrowed_to_it():
    state, problems = read(**{"from": "2020-06-01", "to": "2030-01-01"})
    assert problems == []
    assert (state.start, state.end) == (date(2023, 1, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"compare": "decade"}, "comparison 'decade'"),
        ({"territory": "' OR 1=1--"}, 'unknown territory "\' OR 1=1--"'),
        ({"territory": "99999"}, "unknown territory '99999'"),
        ({"territory": "9" * 5000}, f"unknown territory '{'9' * 5000}'"),
        ({"segment": "Galactic"}, "unknown segment 'Galactic'"),
        ({"team": "Nobody"}, "unknown team 'Nobody'"),
        ({"rep": "-1"}, "unknown rep '-1'"),
    ],
)
def test_unknown_values_are_dropped_with_a_warning(params, problem):
    state, problems = read(**params)
    assert problems == [problem]
    assert state == FilterState("trailing")


def test_a_rep_outside_the_chosen_territory_is_dropped_with_a_warning():
    state, problems = read(territory="2", rep=["10", "20"])
    assert problems == ["rep 'Ana' (not in the chosen territory)"]
    assert state.territories == (2,) and state.reps == (20,)


def test_a_rep_outside_the_chosen_team_is_dropped_with_a_warning():
    state, problems = read(team="Kim", territory="1", rep=["11"])
    assert problems == ["rep 'Ben' (not in the chosen territory and team)"]
    assert state.reps == ()
    # a team alone scopes to every rep of the team
    assert resolve(state, CHOICES).scope == Scope((1,), (), (10,))


def test_repeated_values_count_once():
    state, problems = read(territory=["1", "1"], segment=["SMB", "SMB"])
    assert problems == []
    assert state.territories == (1,) and state.segments == ("SMB",)


def test_the_state_round_trips_through_its_query_parameters():
    state = FilterState(
        "custom", date(2025, 2, 1), date(2025, 4, 15), "year", (1, 2), ("SMB",), ("Lee",), (11,)
    )
    params = {k: v for k, v in state.to_params("previous").items() if v != []}
    again, problems = read(**params)
    assert problems == [] and again == state
    preset = FilterState("ytd")
    assert preset.to_params("previous") == {
        "period": "ytd", "from": [], "to": [], "compare": [],
        "territory": [], "segment": [], "team": [], "rep": [],
    }  # fmt: skip
