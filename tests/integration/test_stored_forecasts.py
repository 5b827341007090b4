"""Stored forecasts (issue 21): a demo load stores the pages' default fits, equal to fresh ones."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.config import Settings
from salesops.db.engine import make_engine
from salesops.forecast.cache import ForecastCache
from salesops.forecast.params import page_params
from salesops.forecast.report import build_forecast_report, forecast_inputs
from salesops.forecast.stored import StoredCache, store_page_forecasts
from salesops.repository import Repository


def _from_store_and_fresh(repo: Repository, freq: str, backtest: bool, params):
    """Returns (the report built from stored results, a freshly fitted one, fits missed)."""
    settings = Settings()
    inputs = forecast_inputs(repo, freq, with_pipeline=False)
    fits: list[str] = []
    stored = StoredCache(repo.stored_forecast, lambda key, _: fits.append(key), ForecastCache())
    from_store = build_forecast_report(
        inputs, settings.forecast_horizon, None, backtest, params, cache=stored
    )
    fresh = build_forecast_report(
        inputs, settings.forecast_horizon, None, backtest, params, cache=None
    )
    return from_store, fresh, fits


def _assert_equal(a, b) -> None:
    pd.testing.assert_frame_equal(a.main.points, b.main.points, check_exact=True)
    pd.testing.assert_frame_equal(a.main.components, b.main.components, check_exact=True)
    pd.testing.assert_frame_equal(a.vs_quota, b.vs_quota, check_exact=True)
    if b.main.backtest is not None:
        pd.testing.assert_frame_equal(
            a.main.backtest.details, b.main.backtest.details, check_exact=True
        )
        assert a.main.backtest.prophet_wape == b.main.backtest.prophet_wape
        assert a.main.backtest.naive_wape == b.main.backtest.naive_wape


@pytest.mark.parametrize("which", ["sqlite", "postgresql"])
def test_the_pages_default_forecasts_are_stored_on_load_and_equal_fresh_fits(
    which, demo_url, request
):
    url = demo_url if which == "sqlite" else request.getfixturevalue("pg_demo_url")
    repo = Repository(make_engine(url))
    settings = Settings()
    # The Overview and the quarter call: monthly, no backtest, default settings.
    overview, fresh, fits = _from_store_and_fresh(repo, "M", False, page_params(settings))
    assert fits == [], "the Overview's forecast was fitted instead of read"
    _assert_equal(overview, fresh)
    # The Forecast page as first opened: with its backtest.
    page, fresh, fits = _from_store_and_fresh(
        repo, settings.forecast_freq, True, page_params(settings)
    )
    assert fits == [], "the Forecast page's default forecast was fitted instead of read"
    _assert_equal(page, fresh)


def test_other_choices_are_fitted_and_a_refresh_replaces_the_stored_set(demo_url):
    engine = make_engine(demo_url)
    repo = Repository(engine)
    weekly, fresh, fits = _from_store_and_fresh(repo, "W", False, page_params(Settings()))
    assert len(fits) == 1  # not stored: fitted on the spot, and equal all the same
    _assert_equal(weekly, fresh)
    stored, sentence = store_page_forecasts(engine, Settings())
    assert stored and sentence.startswith("Stored 2 forecasts")
    with engine.connect() as conn:
        forecasts = "SELECT count(*) FROM stored_forecasts WHERE key NOT LIKE 'overview:%'"
        assert conn.exec_driver_sql(forecasts).scalar() == 2  # the Overview's results beside
