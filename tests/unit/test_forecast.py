from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from salesops import forecast as fc

DATASETS = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
if not DATASETS.exists():  # a worktree sits one level deeper than the main checkout
    DATASETS = Path("/work/shared/datasets")


def monthly(values, start="2022-01-01") -> pd.DataFrame:
    ds = pd.date_range(start, periods=len(values), freq="MS").astype("datetime64[ns]")
    return pd.DataFrame({"ds": ds, "y": np.asarray(values, dtype="float64")})


def weekly(values, start="2022-01-03") -> pd.DataFrame:
    ds = pd.date_range(start, periods=len(values), freq="W-MON").astype("datetime64[ns]")
    return pd.DataFrame({"ds": ds, "y": np.asarray(values, dtype="float64")})


# ---------------------------------------------------------------- frequency and series


def test_frequency_aliases_and_unknown():
    assert fc.frequency("w") is fc.WEEK
    assert fc.frequency("MS") is fc.MONTH
    with pytest.raises(ValueError, match="Unknown frequency 'D'"):
        fc.frequency("D")


def test_period_start_week_is_iso_monday_across_year_end():
    dates = pd.Series(pd.to_datetime(["2026-01-01", "2025-12-28", "2025-12-29", "2021-01-03"]))
    starts = fc.period_start(dates, "W")
    # Thu 2026-01-01 -> Mon 2025-12-29; Sun 2025-12-28 -> Mon 2025-12-22;
    # Sun 2021-01-03 (ISO week 53 of 2020) -> Mon 2020-12-28.
    assert list(starts.dt.strftime("%Y-%m-%d")) == [
        "2025-12-29",
        "2025-12-22",
        "2025-12-29",
        "2020-12-28",
    ]
    assert str(starts.dtype) == "datetime64[ns]"


def test_regular_series_sums_fills_gaps_and_drops_running_period():
    bookings = pd.DataFrame(
        {
            "ds": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-03-02", "2026-04-10"]),
            "y": [100.0, 50.0, 30.0, 999.0],
        }
    )
    series = fc.regular_series(bookings, "M", as_of="2026-04-15")
    # Jan = 100 + 50; Feb had no won deal -> 0; Mar 30; April is still running -> dropped.
    assert list(series["ds"].dt.strftime("%Y-%m")) == ["2026-01", "2026-02", "2026-03"]
    assert list(series["y"]) == [150.0, 0.0, 30.0]


def test_regular_series_explicit_range_and_empty_input():
    bookings = pd.DataFrame({"ds": pd.to_datetime(["2026-02-11"]), "y": [10.0]})
    series = fc.regular_series(bookings, "W", start="2026-02-02", end="2026-02-23")
    assert list(series["y"]) == [0.0, 10.0, 0.0, 0.0]  # weeks of Feb 2, 9, 16, 23
    empty = fc.regular_series(bookings.iloc[:0], "M")
    assert empty.empty and list(empty.columns) == ["ds", "y"]


def test_series_by_scope_puts_every_scope_on_one_grid_by_hand():
    bookings = pd.DataFrame(
        {
            "ds": pd.to_datetime(
                ["2026-01-01", "2026-01-01", "2026-02-01", "2026-03-01", "2026-03-01", None]
            ),
            "territory_id": pd.array([1, 2, 1, None, 2, 1], dtype="Int64"),
            "y": [100.0, 7.0, 50.0, 3.0, 20.0, 999.0],
        }
    )
    by_territory = fc.series_by_scope(
        bookings, "M", "territory", {1: "North", 2: "South"}, as_of="2026-05-02"
    )
    # Jan..Mar, the first to the last booking; the undated row is ignored; no territory kept
    assert list(by_territory) == ["(no territory)", "North", "South"]
    assert list(by_territory["North"]["y"]) == [100.0, 50.0, 0.0]
    assert list(by_territory["South"]["y"]) == [7.0, 0.0, 20.0]
    assert list(by_territory["(no territory)"]["y"]) == [0.0, 0.0, 3.0]
    for series in by_territory.values():
        assert list(series["ds"].dt.strftime("%m")) == ["01", "02", "03"]
    # as_of inside March: March is still running, so every series stops at February
    total = fc.series_by_scope(bookings, "M", None, as_of="2026-03-09", total_label="All")
    pd.testing.assert_frame_equal(
        total["All"], fc.regular_series(bookings, "M", as_of="2026-03-09")
    )
    assert list(total["All"]["y"]) == [107.0, 50.0]
    assert list(fc.series_by_scope(bookings.iloc[:0], "W", "segment")["All"].columns) == [
        "ds",
        "y",
    ]


def test_longest_zero_run_and_trim_leading_zeros():
    assert fc.longest_zero_run([0, 1, 0, 0, 0, 2, 0]) == 3
    trimmed = fc.trim_leading_zeros(monthly([0, 0, 5, 0, 7]))
    assert list(trimmed["y"]) == [5.0, 0.0, 7.0]
    assert trimmed["ds"].iloc[0] == pd.Timestamp("2022-03-01")
    assert str(trimmed["ds"].dtype) == "datetime64[ns]" and str(trimmed["y"].dtype) == "float64"
    assert list(fc.trim_leading_zeros(monthly([0, 0, 0]))["y"]) == [0.0, 0.0, 0.0]


# ---------------------------------------------------------------- history sufficiency


@pytest.mark.parametrize(
    ("values", "method", "reason_part"),
    [
        ([], "none", "no bookings history"),
        ([0.0] * 30, "zero", "no won bookings in the 30 months"),
        ([5.0], "naive", "1 point; need ≥ 24"),
        ([5.0] * 11, "naive", "11 months; need ≥ 24"),
        ([5.0] * 23, "seasonal_naive", "23 months; need ≥ 24"),
        ([5.0] * 24, "prophet", None),
    ],
)
def test_check_history_monthly(values, method, reason_part):
    check = fc.check_history(monthly(values), "M")
    assert check.method == method
    if reason_part is None:
        assert check.reason is None and check.prophet_ok
    else:
        assert reason_part in check.reason


def test_check_history_weekly_needs_two_years_of_weeks():
    assert fc.check_history(weekly([1.0] * 103), "W").method == "seasonal_naive"
    assert fc.check_history(weekly([1.0] * 104), "W").method == "prophet"


def test_check_history_long_zero_gap_falls_back_with_reason():
    values = [10.0] * 15 + [0.0] * 4 + [10.0] * 17  # 36 months, 4 empty in a row > a quarter
    check = fc.check_history(monthly(values), "M")
    assert check.method == "seasonal_naive"
    assert "4 months in a row with no bookings" in check.reason
    values_ok = [10.0] * 15 + [0.0] * 3 + [10.0] * 18  # 3 empty months is tolerated
    assert fc.check_history(monthly(values_ok), "M").method == "prophet"


# ---------------------------------------------------------------- baselines


def test_seasonal_naive_repeats_last_season_exactly():
    pattern = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0]
    series = monthly(pattern * 3)
    out = fc.seasonal_naive_forecast(series, "M", 14)
    assert list(out["yhat"]) == pattern + pattern[:2]
    # A purely periodic series has zero seasonal differences, so a zero-width band.
    assert np.array_equal(out["yhat_lower"], out["yhat"])
    assert out["ds"].iloc[0] == pd.Timestamp("2025-01-01")


def test_seasonal_naive_band_widens_each_season():
    # Seasonal differences are all +12 (year 2 = year 1 + 12): sigma = 12.
    series = monthly(list(range(12)) + list(range(12, 24)))
    out = fc.seasonal_naive_forecast(series, "M", 13, interval_width=0.8)
    z = 1.2815515655446004
    assert out["yhat_upper"].iloc[0] - out["yhat"].iloc[0] == pytest.approx(z * 12)
    # step 13 is one whole season ahead: sqrt(1 + 1)
    assert out["yhat_upper"].iloc[12] - out["yhat"].iloc[12] == pytest.approx(z * 12 * math.sqrt(2))


def test_seasonal_naive_needs_one_season():
    with pytest.raises(ValueError, match="needs ≥ 12 points"):
        fc.seasonal_naive_forecast(monthly([1.0] * 5), "M", 3)


def test_naive_forecast_repeats_last_value():
    out = fc.naive_forecast(monthly([4.0, 6.0, 10.0]), "M", 2)
    assert list(out["yhat"]) == [10.0, 10.0]
    # one-step diffs 2 and 4: sigma = sqrt((4 + 16) / 2) = sqrt(10); h = 2 -> * sqrt(2)
    half = 1.2815515655446004 * math.sqrt(10) * math.sqrt(2)
    assert out["yhat_upper"].iloc[1] - 10.0 == pytest.approx(half)


# ---------------------------------------------------------------- accuracy


def test_mape_skips_zero_actuals_and_says_so():
    actual = [100.0, 0.0, 50.0, 200.0]
    predicted = [110.0, 10.0, 40.0, 150.0]
    result = fc.mape(actual, predicted)
    # |10|/100 = 0.10, |10|/50 = 0.20, |50|/200 = 0.25 -> mean 0.55 / 3 = 0.18333
    assert result.value == pytest.approx(0.55 / 3)
    assert result.n == 3 and result.skipped_zero_actuals == 1
    assert "1 period(s) with actual 0 left out" in result.reason


def test_wape_by_hand():
    result = fc.wape([100.0, 0.0, 50.0, 200.0], [110.0, 10.0, 40.0, 150.0])
    # (10 + 10 + 10 + 50) / (100 + 0 + 50 + 200) = 80 / 350
    assert result.value == pytest.approx(80 / 350)
    assert result.reason is None


def test_metrics_undefined_when_actuals_all_zero():
    assert fc.mape([0.0, 0.0], [1.0, 2.0]).value is None
    w = fc.wape([0.0, 0.0], [1.0, 2.0])
    assert w.value is None and "sum to 0" in w.reason


def test_backtest_cutoffs_span_the_last_year():
    # 36 months, horizon 3: last cutoff index 36 - 1 - 3 = 32, step 12 // 4 = 3
    assert fc.backtest_cutoffs(36, "M", 3, 4) == [23, 26, 29, 32]
    # weekly: step 52 // 4 = 13
    assert fc.backtest_cutoffs(200, "W", 4, 4) == [156, 169, 182, 195]
    assert fc.backtest_cutoffs(3, "M", 6, 4) == []


def test_backtest_too_short_says_why():
    result = fc.run_backtest(monthly([5.0] * 26), "M", 6)
    assert result.winner is None and result.cutoffs == []
    assert "need ≥ 30" in result.reason  # 24 training months + 6 scored
    assert "No backtest verdict" in result.verdict()


@pytest.mark.slow
def test_backtest_on_periodic_series_naive_is_exact():
    pattern = [10.0, 12.0, 15.0, 20.0, 18.0, 16.0, 14.0, 13.0, 17.0, 25.0, 30.0, 40.0]
    series = monthly(pattern * 4)
    result = fc.run_backtest(series, "M", 3, n_cutoffs=4)
    assert len(result.cutoffs) == 4
    assert len(result.details) == 4 * 3
    assert result.naive_wape.value == 0.0 and result.naive_mape.value == 0.0
    assert result.prophet_wape.value > 0.0
    # a tie is impossible here; the exact baseline must win
    assert result.winner == "seasonal_naive"
    assert "Prophet did worse than simply repeating last year" in result.verdict()


# ---------------------------------------------------------------- Prophet


def synthetic_monthly(n=48, seed=3):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    truth = 1000.0 + 10.0 * t + 200.0 * np.sin(2 * np.pi * t / 12)
    return monthly(truth + rng.normal(0, 10, n)), truth


def test_prophet_recovers_trend_and_yearly_seasonality():
    series, _ = synthetic_monthly(48)
    points, components = fc.fit_predict_prophet(series, "M", 12, fc.ProphetParams(quarterly=False))
    t_future = np.arange(48, 60)
    truth_future = 1000.0 + 10.0 * t_future + 200.0 * np.sin(2 * np.pi * t_future / 12)
    yhat = points["yhat"].to_numpy()[48:]
    assert np.max(np.abs(yhat - truth_future) / truth_future) < 0.05
    # trend slope per month ~ 10 (trend is daily-linear; months differ by 28-31 days)
    trend = components["trend"].to_numpy()
    slope = (trend[47] - trend[0]) / 47
    assert slope == pytest.approx(10.0, rel=0.15)
    yearly = components["yearly"].to_numpy()[:48]
    expected = 200.0 * np.sin(2 * np.pi * np.arange(48) / 12)
    assert np.corrcoef(yearly, expected)[0, 1] > 0.98
    assert np.max(yearly) == pytest.approx(200.0, rel=0.15)
    assert (points["yhat_lower"] <= points["yhat"]).all()
    assert (points["yhat_upper"] >= points["yhat"]).all()


@pytest.mark.slow
def test_forecast_series_prophet_with_quarterly_component_and_backtest():
    series, _ = synthetic_monthly(48)
    result = fc.forecast_series(series, "M", 6, backtest=True, scope="all")
    assert result.method == "prophet" and result.reason is None
    assert list(result.components.columns) == ["ds", "trend", "yearly", "quarterly", "holidays"]
    assert result.components["quarterly"].abs().sum() > 0
    assert len(result.future) == 6 and result.future["actual"].isna().all()
    b = result.backtest
    assert len(b.cutoffs) == 4
    for acc in (b.prophet_mape, b.prophet_wape, b.naive_mape, b.naive_wape):
        assert acc.value is not None and math.isfinite(acc.value)
    # the trend makes last-year's value 120 too low, so Prophet must beat seasonal naive
    assert b.winner == "prophet"


def test_prophet_needs_two_points():
    with pytest.raises(ValueError, match="at least two points"):
        fc.fit_predict_prophet(monthly([1.0]), "M", 3)


def test_single_point_never_imports_prophet():
    code = (
        "import sys, pandas as pd\n"
        "from salesops import forecast as fc\n"
        "s = pd.DataFrame({'ds': pd.to_datetime(['2026-01-01']), 'y': [5.0]})\n"
        "r = fc.forecast_series(s, 'M', 3, backtest=True)\n"
        "assert r.method == 'naive', r.method\n"
        "assert list(r.future['yhat']) == [5.0, 5.0, 5.0]\n"
        "print('prophet' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_short_history_uses_seasonal_naive_with_banner_reason():
    series = monthly([float(i % 12) + 1 for i in range(18)])
    result = fc.forecast_series(series, "M", 3, backtest=True)
    assert result.method == "seasonal_naive"
    assert "not enough history for Prophet (18 months; need ≥ 24" in result.reason
    # months 19-21 repeat months 7-9 of the pattern: values 7, 8, 9
    assert list(result.future["yhat"]) == [7.0, 8.0, 9.0]
    assert result.backtest.winner is None and "no backtest" in result.backtest.reason
    assert result.components.empty


def test_all_lost_history_forecasts_zero_with_warning():
    result = fc.forecast_series(monthly([0.0] * 30), "M", 3)
    assert result.method == "zero"
    assert list(result.future["yhat"]) == [0.0, 0.0, 0.0]
    assert "no won bookings" in result.reason


def test_empty_history_gives_no_points():
    result = fc.forecast_series(monthly([]), "M", 3)
    assert result.method == "none" and result.points.empty


def test_horizon_longer_than_history_is_allowed_with_a_note():
    result = fc.forecast_series(monthly([3.0] * 13), "M", 20)
    assert result.method == "seasonal_naive"
    assert len(result.future) == 20
    assert any("longer than the history" in note for note in result.notes)


def test_nonnegative_floor_on_band():
    # big seasonal differences make the band reach below 0; bookings cannot be negative
    series = monthly([0.0, 100.0] * 6 + [100.0, 0.0] * 6)
    result = fc.forecast_series(series, "M", 3)
    assert (result.future["yhat_lower"] >= 0).all()


def test_invalid_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="Unknown holiday country 'XX'"):
        fc.ProphetParams(country_holidays="XX").validate()
    with pytest.raises(ValueError, match="horizon must be at least 1"):
        fc.forecast_series(monthly([1.0] * 30), "M", 0)


@pytest.mark.slow
def test_country_holidays_give_a_holiday_component_on_weekly_data():
    # US Memorial Day is a Monday, so it lands on a weekly ds; bookings jump that week.
    series = weekly([100.0] * 156, start="2022-01-03")
    memorial = pd.to_datetime(["2022-05-30", "2023-05-29", "2024-05-27"])
    series.loc[series["ds"].isin(memorial), "y"] += 400.0
    points, components = fc.fit_predict_prophet(
        series, "W", 4, fc.ProphetParams(country_holidays="US", quarterly=False)
    )
    on_holiday = components.loc[components["ds"].isin(memorial), "holidays"]
    assert (on_holiday > 200).all()
    assert components["holidays"].abs().max() > 200


# ---------------------------------------------------------------- cache and many scopes


def test_cache_hit_returns_same_result_and_key_covers_params(tmp_path):
    cache = fc.ForecastCache(maxsize=4)
    series = monthly([float(i % 12) for i in range(20)])
    first = fc.forecast_series(series, "M", 3, cache=cache, scope="A")
    second = fc.forecast_series(series, "M", 3, cache=cache, scope="B")
    assert cache.hits == 1 and cache.misses == 1
    assert second.scope == "B" and second.points is first.points
    other = fc.forecast_series(series, "M", 4, cache=cache)
    assert cache.misses == 2 and len(other.future) == 4
    key_a = fc.cache_key(series, "M", 3, fc.ProphetParams(), False, 4)
    key_b = fc.cache_key(series, "M", 3, fc.ProphetParams(quarterly=False), False, 4)
    changed = series.assign(y=series["y"] + 1)
    key_c = fc.cache_key(changed, "M", 3, fc.ProphetParams(), False, 4)
    assert len({key_a, key_b, key_c}) == 3


def test_cache_lru_evicts_and_disk_survives_a_new_cache(tmp_path):
    cache = fc.ForecastCache(maxsize=1, directory=tmp_path)
    series_a = monthly([1.0] * 13)
    series_b = monthly([2.0] * 13)
    fc.forecast_series(series_a, "M", 2, cache=cache)
    fc.forecast_series(series_b, "M", 2, cache=cache)
    assert len(cache) == 1
    fresh = fc.ForecastCache(directory=tmp_path)
    again = fc.forecast_series(series_a, "M", 2, cache=fresh)
    assert fresh.hits == 1 and list(again.future["yhat"]) == [1.0, 1.0]


def test_cache_ignores_corrupt_file(tmp_path):
    cache = fc.ForecastCache(directory=tmp_path)
    series = monthly([1.0] * 13)
    key = fc.cache_key(series, "M", 2, fc.ProphetParams(), False, 4)
    (tmp_path / f"forecast-{key}.pkl").write_bytes(b"not a pickle")
    result = fc.forecast_series(series, "M", 2, cache=cache)
    assert result.method == "seasonal_naive" and cache.misses == 1


@pytest.mark.slow
def test_forecast_many_on_workers_equals_each_forecast_series():
    base, _ = synthetic_monthly(36)
    scopes = {
        "North": base,
        "South": base.assign(y=base["y"] * 0.5),
        "Tiny": monthly([5.0] * 8),
    }
    cache = fc.ForecastCache()
    parallel = fc.forecast_many(scopes, "M", 3, backtest=True, cache=cache, max_workers=2)
    assert list(parallel) == ["North", "South", "Tiny"]
    assert parallel["Tiny"].method == "naive"
    assert len(cache) == 3 and cache.misses == 3
    for name, series in scopes.items():
        alone = fc.forecast_series(series, "M", 3, backtest=True, scope=name)
        assert parallel[name].scope == name and parallel[name].method == alone.method
        pd.testing.assert_frame_equal(parallel[name].points, alone.points)
        pd.testing.assert_frame_equal(parallel[name].components, alone.components)
        if alone.backtest is not None:
            pd.testing.assert_frame_equal(parallel[name].backtest.details, alone.backtest.details)
    again = fc.forecast_many(scopes, "M", 3, backtest=True, cache=cache, max_workers=2)
    assert cache.hits == 3 and cache.misses == 3  # every scope answered from the cache
    pd.testing.assert_frame_equal(again["South"].points, parallel["South"].points)


# ---------------------------------------------------------------- pipeline and quota


STAGES = pd.DataFrame(
    {
        "name": ["Prospect", "Qualify", "Proposal", "Negotiate", "Won", "Lost"],
        "sort_order": [1, 2, 3, 4, 5, 6],
        "probability": [0.1, 0.2, 0.5, 0.8, 1.0, 0.0],
        "is_closed": [False, False, False, False, True, True],
    }
)


def probabilities():
    outcomes = pd.DataFrame(
        {
            "stage": ["Prospect", "Qualify", "Proposal", "Won", "Lost"],
            "reached": [40, 30, 5, 50, 60],
            "won": [8, 9, 4, 50, 0],
        }
    )
    return fc.stage_win_probabilities(outcomes, STAGES, min_observations=20)


def test_stage_win_probabilities_measured_with_fallback():
    probs = probabilities().set_index("stage")
    assert list(probs.index) == ["Prospect", "Qualify", "Proposal", "Negotiate"]
    # Prospect 8 / 40 = 0.20 and Qualify 9 / 30 = 0.30 from history (>= 20 deals each)
    assert probs.loc["Prospect", "probability"] == pytest.approx(0.2)
    assert probs.loc["Qualify", "probability"] == pytest.approx(0.3)
    assert probs.loc["Prospect", "source"] == "history"
    # Proposal: 4 / 5 = 0.8 measured but only 5 deals -> the table's 0.5
    assert probs.loc["Proposal", "historical_rate"] == pytest.approx(0.8)
    assert probs.loc["Proposal", "probability"] == 0.5
    assert probs.loc["Proposal", "source"] == "stage table"
    # Negotiate never observed -> no rate, table's 0.8
    assert math.isnan(probs.loc["Negotiate", "historical_rate"])
    assert probs.loc["Negotiate", "probability"] == 0.8


def test_stage_probabilities_with_no_closed_history_use_the_table():
    empty = pd.DataFrame({"stage": [], "reached": [], "won": []})
    probs = fc.stage_win_probabilities(empty, STAGES)
    assert list(probs["probability"]) == [0.1, 0.2, 0.5, 0.8]
    assert set(probs["source"]) == {"stage table"}


def test_pipeline_weighted_forecast_by_hand():
    pipeline = pd.DataFrame(
        {
            "expected_close": pd.to_datetime(
                ["2026-03-20", "2026-05-30", "2026-06-10", "2026-08-01", "2026-09-30", "2026-11-01"]
            ),
            "stage": ["Prospect", "Qualify", "Proposal", "Negotiate", "Prospect", "Proposal"],
            "open_amount": [1000.0, 2000.0, 4000.0, 5000.0, 500.0, 9999.0],
        }
    )
    won = pd.DataFrame(
        {
            "ds": pd.to_datetime(["2026-04-10", "2026-05-02", "2026-03-30"]),
            "y": [3000.0, 1500.0, 999.0],
        }
    )
    out = fc.pipeline_weighted_forecast(pipeline, probabilities(), "2026-05-15", won_to_date=won)
    assert list(out["period"].dt.strftime("%Y-%m-%d")) == ["2026-04-01", "2026-07-01"]
    q2, q3 = out.iloc[0], out.iloc[1]
    # Q2: overdue Prospect 1000 (counted now) + Qualify 2000 + Proposal 4000 = 7000 open
    assert q2["open_amount"] == 7000.0
    # weighted 1000 x 0.2 + 2000 x 0.3 + 4000 x 0.5 = 200 + 600 + 2000 = 2800
    assert q2["weighted_amount"] == pytest.approx(2800.0)
    assert q2["overdue_amount"] == 1000.0
    assert q2["won_to_date"] == 4500.0  # 3000 + 1500; March's 999 is last quarter
    assert q2["forecast"] == pytest.approx(7300.0)
    # Q3: Negotiate 5000 x 0.8 + Prospect 500 x 0.2 = 4000 + 100; November is Q4 (not shown)
    assert q3["open_amount"] == 5500.0
    assert q3["weighted_amount"] == pytest.approx(4100.0)
    assert q3["forecast"] == pytest.approx(4100.0)


def test_pipeline_weighted_forecast_empty_pipeline_is_zero():
    empty = pd.DataFrame(
        {"expected_close": pd.Series([], dtype="datetime64[ns]"), "stage": [], "open_amount": []}
    )
    out = fc.pipeline_weighted_forecast(empty, probabilities(), "2026-05-15")
    assert list(out["forecast"]) == [0.0, 0.0]


def quarter_points():
    ds = pd.date_range("2026-01-01", periods=9, freq="MS").astype("datetime64[ns]")
    actual = [10.0, 20.0, 30.0, 40.0] + [np.nan] * 5
    yhat = [11.0, 19.0, 31.0, 39.0, 50.0, 60.0, 70.0, 80.0, 90.0]
    return pd.DataFrame(
        {
            "ds": ds,
            "actual": actual,
            "yhat": yhat,
            "yhat_lower": yhat,
            "yhat_upper": yhat,
            "is_future": [False] * 4 + [True] * 5,
        }
    )


def test_forecast_vs_quota_by_hand():
    quotas = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2026-04-01", "2026-05-01", "2026-06-01"] * 2),
            "amount": [40.0, 30.0, 30.0, 40.0, 30.0, 30.0],  # two reps: 100 each -> 200
        }
    )
    pipeline = pd.DataFrame(
        {"period": pd.to_datetime(["2026-04-01", "2026-07-01"]), "forecast": [170.0, 90.0]}
    )
    out = fc.forecast_vs_quota(
        quarter_points(), quotas, "2026-05-15", "M", pipeline=pipeline, n_quarters=3
    )
    q2, q3, q4 = out.iloc[0], out.iloc[1], out.iloc[2]
    # Q2 = April actual 40 + May yhat 50 + June yhat 60 = 150; quota 200
    assert q2["forecast"] == 150.0 and q2["quota"] == 200.0
    assert q2["attainment"] == pytest.approx(0.75) and q2["gap"] == pytest.approx(50.0)
    assert q2["pipeline_forecast"] == 170.0
    # Q3 = 70 + 80 + 90 = 240, no quota rows -> attainment undefined with a reason
    assert q3["forecast"] == 240.0 and pd.isna(q3["quota"]) and pd.isna(q3["attainment"])
    assert q3["reason"] == "no quota set for this quarter"
    # Q4 lies beyond the forecast horizon
    assert pd.isna(q4["forecast"]) and "does not reach" in q4["reason"]


def test_forecast_vs_quota_zero_quota_is_undefined_attainment():
    quotas = pd.DataFrame({"period_start": pd.to_datetime(["2026-04-01"]), "amount": [0.0]})
    out = fc.forecast_vs_quota(quarter_points(), quotas, "2026-05-15", "M", n_quarters=1)
    assert pd.isna(out["attainment"].iloc[0]) and out["reason"].iloc[0] == "quota is 0"
    assert out["gap"].iloc[0] == pytest.approx(-150.0)


# ---------------------------------------------------------------- what-if


def test_what_if_rate_and_size_multiply_future_only():
    points = quarter_points()
    out = fc.apply_what_if(points, "M", fc.WhatIf(win_rate_change=0.10, deal_size_change=-0.20))
    # 1.10 x 0.80 = 0.88
    assert list(out["yhat"].iloc[:4]) == [11.0, 19.0, 31.0, 39.0]  # history untouched
    assert out["yhat"].iloc[4] == pytest.approx(50.0 * 0.88)
    assert out["yhat_upper"].iloc[8] == pytest.approx(90.0 * 0.88)
    assert list(out["yhat_base"]) == list(points["yhat"])
    assert list(points["yhat"].iloc[4:]) == [50.0, 60.0, 70.0, 80.0, 90.0]  # input not mutated


def test_what_if_neutral_is_identity():
    out = fc.apply_what_if(quarter_points(), "M", fc.WhatIf())
    assert list(out["yhat"]) == list(quarter_points()["yhat"])


def test_what_if_cycle_shift_one_and_half_period():
    points = quarter_points()
    one_month = fc.DAYS_PER_MONTH
    out = fc.apply_what_if(points, "M", fc.WhatIf(cycle_change_days=one_month))
    # deals take a month longer: May gets April's actual 40, June gets May's 50, ...
    assert list(out["yhat"].iloc[4:]) == pytest.approx([40.0, 50.0, 60.0, 70.0, 80.0])
    half = fc.apply_what_if(points, "M", fc.WhatIf(cycle_change_days=one_month / 2))
    # half a month: May = (40 + 50) / 2 = 45, June = (50 + 60) / 2 = 55
    assert list(half["yhat"].iloc[4:6]) == pytest.approx([45.0, 55.0])
    shorter = fc.apply_what_if(points, "M", fc.WhatIf(cycle_change_days=-one_month))
    # a month shorter: May gets June's 60 ... September repeats the last value 90
    assert list(shorter["yhat"].iloc[4:]) == pytest.approx([60.0, 70.0, 80.0, 90.0, 90.0])


def test_shift_in_time_preserves_totals_inside_the_window():
    assert list(fc.shift_in_time(np.array([0.0, 10.0, 0.0, 0.0]), 1.0)) == [0.0, 0.0, 10.0, 0.0]
    assert list(fc.shift_in_time(np.array([0.0, 10.0, 0.0, 0.0]), 0.5)) == [0.0, 5.0, 5.0, 0.0]


def test_headcount_ramp_by_hand():
    ds = pd.date_range("2026-06-01", periods=4, freq="MS")
    factor = fc.headcount_factor(ds, ds[0], "M", base_reps=10, reps_change=2, ramp_months=3)
    # mid-June is 15 days in = 15 / 30.4375 = 0.4928 months -> ramp 0.1643 -> (10 + 0.329) / 10
    assert factor[0] == pytest.approx((10 + 2 * (15 / 30.4375) / 3) / 10)
    # mid-July: 30 + 15.5 days = 1.4949 months -> ramp 0.4983
    assert factor[1] == pytest.approx((10 + 2 * (45.5 / 30.4375) / 3) / 10)
    # mid-September: 92 + 15 days = 3.5154 months > 3 -> fully ramped: 12 / 10
    assert factor[3] == pytest.approx(1.2)
    removed = fc.headcount_factor(ds, ds[0], "M", base_reps=10, reps_change=-5, ramp_months=3)
    assert list(removed) == [0.5] * 4  # removed reps stop at once
    none = fc.headcount_factor(ds, ds[0], "M", base_reps=0, reps_change=5, ramp_months=3)
    assert list(none) == [1.0] * 4  # no reps known: no headcount effect
    too_many = fc.headcount_factor(ds, ds[0], "M", base_reps=2, reps_change=-5, ramp_months=0)
    assert list(too_many) == [0.0] * 4


def test_what_if_headcount_applied_through_apply_what_if():
    out = fc.apply_what_if(
        quarter_points(), "M", fc.WhatIf(reps_change=5, ramp_months=0), base_reps=10
    )
    # no ramp: +5 on 10 reps = x1.5 at once
    assert list(out["yhat"].iloc[4:]) == pytest.approx([75.0, 90.0, 105.0, 120.0, 135.0])
    assert list(out["factor"].iloc[4:]) == pytest.approx([1.5] * 5)


# ---------------------------------------------------------------- JSON shape


def test_summarise_is_json_with_nulls_not_nan():
    result = fc.forecast_series(monthly([float(i % 12) for i in range(20)]), "M", 2, backtest=True)
    payload = fc.summarise(result)
    text = json.dumps(payload, allow_nan=False)
    assert '"actual": null' in text
    assert payload["method"] == "seasonal_naive"
    assert set(payload["points"][0]) == {"ds", "actual", "yhat", "yhat_lower", "yhat_upper"}
    assert payload["backtest"]["prophet"]["mape"] is None


# ---------------------------------------------------------------- real series


@pytest.mark.slow
@pytest.mark.parametrize("name", ["example_retail_sales", "example_air_passengers"])
def test_prophet_example_series_backtest_runs(name):
    series = pd.read_csv(DATASETS / "prophet-example-series" / f"{name}.csv", parse_dates=["ds"])
    result = fc.forecast_series(series, "M", 12, backtest=True)
    assert result.method == "prophet"
    b = result.backtest
    assert len(b.cutoffs) == 4
    for acc in (b.prophet_mape, b.prophet_wape, b.naive_mape, b.naive_wape):
        assert acc.value is not None and math.isfinite(acc.value)
        assert 0 < acc.value < 0.5
    assert b.winner in {"prophet", "seasonal_naive"}


def test_backtest_table_rows_notes_and_winner():
    backtest = fc.Backtest(
        [pd.Timestamp("2025-06-01")],
        3,
        fc.Accuracy(0.12, "1 period with 0 actual skipped", 2),
        fc.Accuracy(0.10, None, 3),
        fc.Accuracy(0.20, None, 3),
        fc.Accuracy(0.25, None, 3),
        "prophet",
        None,
        pd.DataFrame(),
    )
    table = fc.backtest_table(backtest)
    assert list(table["method"]) == ["Prophet", "Seasonal naive (same period last year)"]
    assert list(table["wape"]) == [0.10, 0.25] and list(table["winner"]) == [True, False]
    assert list(table["note"]) == ["1 period with 0 actual skipped", ""]  # blank, never "None"
    assert fc.backtest_table(None).empty
