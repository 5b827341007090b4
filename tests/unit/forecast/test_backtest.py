"""Rolling-origin backtest: cutoffs, verdict and the table."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.figures import Figure
from salesops.forecast.backtest import Backtest, backtest_cutoffs, backtest_table, run_backtest
from tests.unit.forecast.frames import monthly


def test_backtest_cutoffs_span_the_last_year():
    # 36 months, horizon 3: last cutoff index 36 - 1 - 3 = 32, step 12 // 4 = 3
    assert backtest_cutoffs(36, "M", 3, 4) == [23, 26, 29, 32]
    # weekly: step 52 // 4 = 13
    assert backtest_cutoffs(200, "W", 4, 4) == [156, 169, 182, 195]
    assert backtest_cutoffs(3, "M", 6, 4) == []


def test_backtest_too_short_says_why():
    result = run_backtest(monthly([5.0] * 26), "M", 6)
    assert result.winner is None and result.cutoffs == []
    assert "need ≥ 30" in result.reason  # 24 training months + 6 scored
    assert "No backtest verdict" in result.verdict()


@pytest.mark.slow
def test_backtest_on_periodic_series_naive_is_exact():
    pattern = [10.0, 12.0, 15.0, 20.0, 18.0, 16.0, 14.0, 13.0, 17.0, 25.0, 30.0, 40.0]
    series = monthly(pattern * 4)
    result = run_backtest(series, "M", 3, n_cutoffs=4)
    assert len(result.cutoffs) == 4
    assert len(result.details) == 4 * 3
    assert result.naive_wape.value == 0.0 and result.naive_mape.value == 0.0
    assert result.prophet_wape.value > 0.0
    # a tie is impossible here; the exact baseline must win
    assert result.winner == "seasonal_naive"
    assert "Prophet did worse than simply repeating last year" in result.verdict()


def test_backtest_table_rows_notes_and_winner():
    backtest = Backtest(
        [pd.Timestamp("2025-06-01")],
        3,
        Figure(0.12, "1 period with 0 actual skipped", {"n": 2}),
        Figure(0.10, None, {"n": 3}),
        Figure(0.20, None, {"n": 3}),
        Figure(0.25, None, {"n": 3}),
        "prophet",
        None,
        pd.DataFrame(),
    )
    table = backtest_table(backtest)
    assert list(table["method"]) == ["Prophet", "Seasonal naive (same period last year)"]
    assert list(table["wape"]) == [0.10, 0.25] and list(table["winner"]) == [True, False]
    assert list(table["note"]) == ["1 period with 0 actual skipped", ""]  # blank, never "None"
    assert backtest_table(None).empty
