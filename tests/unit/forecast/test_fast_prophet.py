"""FastProphet must give exactly what Prophet gives: same features, same fit, same forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

prophet = pytest.importorskip("prophet")
from salesops.forecast.fast_prophet import FastProphet  # noqa: E402
from salesops.forecast.params import ProphetParams  # noqa: E402
from salesops.forecast.prophet import (  # noqa: E402
    fit_predict_prophet,
    prophet_class,
    prophet_point_forecast,
)


def _series(freq: str, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2021-01-04", periods=n, freq=freq).astype("datetime64[ns]")
    t = np.arange(n)
    period = 12 if freq == "MS" else 52
    y = 1000 + 4 * t + 300 * np.sin(2 * np.pi * t / period) + rng.normal(0, 40, n)
    return pd.DataFrame({"ds": ds, "y": y})


def _fit_predict(cls, series, horizon, **settings):
    prophet_class()  # quiet logging
    model = cls(weekly_seasonality=False, daily_seasonality=False, **settings)
    model.add_seasonality(name="quarterly", period=91.3125, fourier_order=2)
    if settings.get("holidays") is None:
        model.add_country_holidays(country_name="US")
    model.fit(series)
    future = model.make_future_dataframe(periods=horizon, freq=pd.infer_freq(series["ds"]))
    np.random.seed(7)
    return model, model.predict(future)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("freq", "n", "mode", "samples"),
    [("W-MON", 160, "additive", 50), ("MS", 40, "multiplicative", 0), ("MS", 30, "additive", 20)],
)
def test_fast_prophet_fit_and_forecast_equal_prophet(freq, n, mode, samples):
    series = _series(freq, n, seed=n)
    settings = {"seasonality_mode": mode, "uncertainty_samples": samples}
    plain_model, plain = _fit_predict(prophet.Prophet, series, 8, **settings)
    fast_model, fast = _fit_predict(FastProphet, series, 8, **settings)
    for name in plain_model.params:
        np.testing.assert_array_equal(fast_model.params[name], plain_model.params[name])
    pd.testing.assert_frame_equal(fast, plain)
    pd.testing.assert_frame_equal(fast_model.train_component_cols, plain_model.train_component_cols)
    assert fast_model.component_modes == plain_model.component_modes


def test_fourier_series_equals_prophet_and_falls_back_for_sub_second_dates():
    days = pd.Series(pd.date_range("1969-12-25", periods=400, freq="D").astype("datetime64[ns]"))
    np.testing.assert_array_equal(
        FastProphet.fourier_series(days, 365.25, 10),
        prophet.Prophet.fourier_series(days, 365.25, 10),
    )
    odd = pd.Series(pd.to_datetime(["2024-01-01 00:00:00.5", "2024-02-01 12:34:56.25"]))
    np.testing.assert_array_equal(
        FastProphet.fourier_series(odd, 7, 3), prophet.Prophet.fourier_series(odd, 7, 3)
    )


def test_component_matrix_is_remembered_per_structure_and_checked_against_training():
    features = pd.DataFrame(
        np.zeros((3, 4)),
        columns=["yearly_delim_1", "yearly_delim_2", "quarterly_delim_1", "quarterly_delim_2"],
    )
    model = FastProphet()
    modes = {"additive": ["yearly", "quarterly"], "multiplicative": []}
    first, extended = model.regressor_column_matrix(features, modes)
    assert extended is modes and "additive_terms" in modes["additive"]
    expected, _ = prophet.Prophet().regressor_column_matrix(
        features, {"additive": ["yearly", "quarterly"], "multiplicative": []}
    )
    pd.testing.assert_frame_equal(first, expected)
    first.iloc[0, 0] = 99  # a caller editing its copy must not change the remembered one
    again, _ = model.regressor_column_matrix(
        features, {"additive": ["yearly", "quarterly"], "multiplicative": []}
    )
    pd.testing.assert_frame_equal(again, expected)
    trained = expected.copy()
    trained.iloc[0, 0] = 1 - trained.iloc[0, 0]  # training saw a different structure
    model.train_component_cols = trained
    with pytest.raises(Exception, match="constructing regressors"):
        model.regressor_column_matrix(
            features, {"additive": ["yearly", "quarterly"], "multiplicative": []}
        )


def test_stan_data_written_for_cmdstan_is_the_same_as_prophets():
    from dataclasses import asdict

    from prophet.models import CmdStanPyBackend
    from stanio.json import dump_stan_json

    from salesops.forecast.fast_prophet import ArrayCmdStanPyBackend

    model = FastProphet(weekly_seasonality=False, daily_seasonality=False)
    inputs = model.preprocess(_series("MS", 30, seed=1))
    data = asdict(inputs)
    init = asdict(model.calculate_initial_params(inputs.K))
    for ours, prophets in zip(
        ArrayCmdStanPyBackend.prepare_data(init, data),
        CmdStanPyBackend.prepare_data(init, data),
        strict=True,
    ):
        assert dump_stan_json(ours) == dump_stan_json(prophets)


@pytest.mark.parametrize(
    ("freq", "n", "mode"), [("W-MON", 120, "additive"), ("MS", 36, "multiplicative")]
)
def test_predict_yhat_equals_predict(freq, n, mode):
    prophet_class()
    series = _series(freq, n, seed=5)
    model = FastProphet(
        weekly_seasonality=False,
        daily_seasonality=False,
        seasonality_mode=mode,
        uncertainty_samples=0,
    )
    model.add_seasonality(name="quarterly", period=91.3125, fourier_order=2)
    model.fit(series)
    future = model.make_future_dataframe(periods=10, freq=freq)
    assert model.can_predict_yhat()
    np.testing.assert_allclose(
        model.predict_yhat(future["ds"]), model.predict(future)["yhat"], rtol=1e-12
    )


def test_predict_yhat_refuses_models_with_holidays():
    prophet_class()
    model = FastProphet(weekly_seasonality=False, daily_seasonality=False)
    model.add_country_holidays(country_name="US")
    model.fit(_series("W-MON", 60, seed=2))
    assert not model.can_predict_yhat()
    with pytest.raises(ValueError, match="without holidays"):
        model.predict_yhat(pd.Series(pd.to_datetime(["2030-01-07"])))


@pytest.mark.parametrize("holidays", [None, "US"])
def test_point_forecast_equals_the_future_of_fit_predict(holidays):
    series = _series("W-MON", 110, seed=9)
    params = ProphetParams(country_holidays=holidays)
    points, _ = fit_predict_prophet(series, "W", 6, params, with_band=False)
    np.testing.assert_allclose(
        prophet_point_forecast(series, "W", 6, params),
        points["yhat"].to_numpy()[len(series) :],
        rtol=1e-12,
    )


def test_stan_json_writer_in_use_round_trips_every_value_exactly():
    import json

    from stanio.json import dump_stan_json

    rng = np.random.default_rng(0)
    values = np.concatenate(
        [rng.normal(0, 1, 5000), 10 ** rng.uniform(-300, 300, 5000), [0.0, 1e-5, 1e16, 5e-324]]
    )
    written = json.loads(dump_stan_json({"X": values.reshape(-1, 2)}))
    np.testing.assert_array_equal(np.asarray(written["X"]).ravel(), values)
