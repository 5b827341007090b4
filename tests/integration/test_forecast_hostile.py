"""Issue 20, the smaller cases on the forecast: a history of lost deals only."""

from __future__ import annotations

import shutil

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from salesops.db.engine import make_engine
from salesops.db.rollups import refresh_rollups
from salesops.forecast.report import build_forecast_report, forecast_inputs
from salesops.repository import Repository


def test_smaller_all_lost_history_forecasts_zero_with_a_low_data_warning(demo_url, tmp_path):
    path = tmp_path / "all_lost.db"
    shutil.copy(make_url(demo_url).database, path)
    url = f"sqlite:///{path}"
    writer = make_engine(url)
    with writer.begin() as conn:
        conn.execute(sa.text("UPDATE opportunities SET outcome = 'lost' WHERE outcome = 'won'"))
    refresh_rollups(writer)
    writer.dispose()
    inputs = forecast_inputs(Repository(make_engine(url, read_only=True)), "M", with_pipeline=False)
    report = build_forecast_report(inputs, 3, backtest=False, cache=None)
    main = report.main
    assert main.method == "zero"
    assert main.reason is not None and "no won bookings" in main.reason
    assert "forecast is 0" in main.reason
    assert len(main.future) >= 3 and (main.future["yhat"] == 0).all()
    assert (main.points["actual"].dropna() == 0).all() and main.points["actual"].notna().sum() > 12
