"""Bookings undefined where won deals carry no amount: the rule, and what it blanks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from salesops.calendar import Period
from salesops.forecast.report import ForecastInputs, build_forecast_report
from salesops.kpis.attainment import attainment_from, pace_words
from salesops.kpis.won_amounts import ALL_PRICED, WonAmounts, won_amounts
from salesops.repository import EVERYTHING, Scope


@pytest.mark.parametrize(
    ("won", "without", "undefined"),
    [
        (841, 841, True),  # Olist: won deals, none with an amount
        (1, 1, True),
        (10, 3, False),  # some lack one: bookings stand, with a caption
        (10, 0, False),  # the demo: every won deal has an amount
        (0, 0, False),  # no won deal: bookings are a true 0
    ],
)
def test_bookings_are_undefined_only_when_no_won_deal_has_an_amount(won, without, undefined):
    amounts = WonAmounts(won, without)
    assert amounts.undefined is undefined
    assert (amounts.reason is not None) is undefined
    assert (amounts.short_reason is not None) is undefined
    assert amounts.to_json()["defined"] is not undefined


def test_the_reason_counts_the_won_deals_and_says_what_to_import():
    assert WonAmounts(841, 841).reason == (
        "Bookings undefined: none of the 841 won deals has an amount — import amounts "
        "(Amount / close_value) to see bookings, forecasts and the call."
    )
    assert WonAmounts(1, 1).reason == (
        "Bookings undefined: the one won deal has no amount — import amounts "
        "(Amount / close_value) to see bookings, forecasts and the call."
    )


def test_partly_missing_amounts_are_a_caption_beside_the_figure():
    amounts = WonAmounts(1_200, 35)
    assert amounts.caption == (
        "35 of 1,200 won deals have no amount: bookings count only the 1,165 that do."
    )
    assert WonAmounts(841, 841).caption is None  # undefined says so in `reason` instead
    assert ALL_PRICED.caption is None and WonAmounts(0, 0).caption is None


class _Repo:
    def __init__(self, won: int, without: int):
        self.counts = {"won": won, "without_amount": without}
        self.scopes: list[Scope] = []

    def won_amount_counts(self, scope: Scope = EVERYTHING, until=None) -> dict[str, int]:
        self.scopes.append(scope)
        self.until = until
        return self.counts


def test_won_amounts_reads_the_one_query_for_the_scope():
    repo = _Repo(5, 5)
    scope = Scope(territory_ids=(2,))
    assert won_amounts(repo, scope) == WonAmounts(5, 5)  # type: ignore[arg-type]
    assert repo.scopes == [scope] and repo.until is None
    won_amounts(repo, scope, date(2018, 11, 15))  # type: ignore[arg-type]
    assert repo.until == date(2018, 11, 15)


Q4 = Period(date(2018, 10, 1), date(2018, 12, 31))
NO_AMOUNT_BOOKINGS = pd.DataFrame({"ds": pd.to_datetime(["2018-10-01"]), "y": [0.0]})
QUOTA = pd.DataFrame({"period_start": pd.to_datetime(["2018-10-01"]), "amount": [900.0]})


def test_undefined_bookings_are_no_figure_and_no_zero_against_quota():
    a = attainment_from(NO_AMOUNT_BOOKINGS, QUOTA, "Q4 2018 to date", Q4, Q4)
    defined_before = (a.booked.value, a.attainment.value)
    undefined = replace(a, amounts=WonAmounts(841, 841))
    assert defined_before == (0.0, 0.0)  # what the tile used to say: $0, 0% of quota
    assert undefined.booked.value is None and undefined.attainment.value is None
    assert undefined.attainment.reason == WonAmounts(841, 841).reason
    assert undefined.to_dict()["bookings"] is None
    sentence, tone = pace_words(undefined, "USD", 2.0)
    assert sentence.startswith("Bookings undefined") and "$0" not in sentence
    assert tone == "none"


def _olist_like_inputs(amounts: WonAmounts) -> ForecastInputs:
    months = pd.date_range("2017-12-01", "2018-10-01", freq="MS").astype("datetime64[ns]")
    bookings = pd.DataFrame(
        {"ds": months, "territory_id": np.nan, "segment": None, "y": 0.0, "deals": 70}
    )
    return ForecastInputs(
        freq="M",
        scope=EVERYTHING,
        as_of=date(2018, 11, 14),
        names={},
        bookings=bookings,
        monthly_bookings=bookings[["ds", "y"]],
        probabilities=pd.DataFrame({"stage": [], "probability": []}),
        open_pipeline=pd.DataFrame(
            {
                "expected_close": pd.Series([], dtype="datetime64[ns]"),
                "stage": [],
                "open_amount": [],
            }
        ),
        quotas=pd.DataFrame({"period_start": pd.to_datetime(["2018-10-01"]), "amount": [500.0]}),
        base_reps=3,
        amounts=amounts,
    )


def test_forecast_of_undefined_bookings_fits_nothing_and_reports_null_with_the_reason():
    amounts = WonAmounts(841, 841)
    report = build_forecast_report(_olist_like_inputs(amounts), 6, cache=None, max_workers=1)
    assert report.bookings_reason == amounts.reason
    assert report.main.method == "none" and report.main.reason == amounts.reason
    assert report.main.points.empty
    assert report.main.backtest is not None and report.main.backtest.winner is None
    data = report.to_dict()
    assert data["bookings"]["defined"] is False
    assert data["series"][0]["points"] == []
    for row in data["pipeline_weighted"]:
        assert row["won_to_date"] is None and row["pipeline_forecast"] is None
        assert row["prophet_forecast"] is None and row["gap"] is None
        assert row["reason"] == amounts.short_reason
    assert data["pipeline_weighted"][0]["quota"] == 500.0  # the quota stands


def test_forecast_of_all_priced_zero_bookings_is_unchanged():
    # without the rule's say-so the same zeros are still a "zero" forecast, as before
    report = build_forecast_report(_olist_like_inputs(ALL_PRICED), 6, cache=None, max_workers=1)
    assert report.bookings_reason is None
    assert report.main.method == "zero"
    assert report.to_dict()["bookings"]["defined"] is True
