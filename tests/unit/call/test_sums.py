"""The call's plain-Python group sums give pandas' groupby sums to the last bit.

Each test compares with pandas itself (what the call computed before) and with the code
the call used before (`_old_*`, kept here as the reference): the figures must not change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.call.model import RATE_LEVELS, priced_pipeline, rate_lookups, rates_from
from salesops.call.sums import group_rows, group_sums

KEYS = ["stage", "forecast_category", "close_bucket"]


def _old_rates_from(training: pd.DataFrame, min_deals: int) -> pd.DataFrame:
    """rates_from as it was (pandas groupbys), the reference."""
    frames = []
    for level, keys in enumerate(RATE_LEVELS):
        grouped = training.groupby(list(keys), dropna=False, as_index=False)[
            ["deals", "open_amount", "won_amount", "won_deals"]
        ].sum()
        grouped["level"] = level
        frames.append(grouped)
    rates = pd.concat(frames, ignore_index=True)
    for column in KEYS:
        rates[column] = rates[column].astype(object).where(rates[column].notna(), None)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates["rate"] = np.where(
            rates["open_amount"] > 0, rates["won_amount"] / rates["open_amount"], np.nan
        )
    rates.loc[rates["deals"] < min_deals, "rate"] = np.nan
    columns = ["level", *KEYS, "deals", "open_amount", "won_amount", "rate"]
    return rates[columns]


def _old_priced(pipeline: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """priced_pipeline as it was, the reference."""
    lookups = []
    for level, keys in enumerate(RATE_LEVELS):
        table = rates[(rates["level"] == level) & rates["rate"].notna()]
        columns = (table[k] for k in keys)
        lookups.append(dict(zip(zip(*columns, strict=True), table["rate"], strict=True)))
    out = pipeline.copy()
    rate = np.full(len(out), np.nan)
    for keys, lookup in zip(RATE_LEVELS, lookups, strict=True):
        found = np.array(
            [lookup.get(key, np.nan) for key in zip(*(out[k] for k in keys), strict=True)],
            dtype="float64",
        )
        rate = np.where(np.isnan(rate), found, rate)
    rate = pd.Series(rate, index=out.index)
    out["rate"] = rate.fillna(0.0).astype("float64")
    out["expected"] = out["open_amount"].astype("float64") * out["rate"]
    return out


def _snapshots(seed: int, quarters: int = 8, missing: bool = True) -> pd.DataFrame:
    """Returns training-like rows: repeated keys, money with cents, a few missing keys."""
    rng = np.random.default_rng(seed)
    n = 40 * quarters
    stages = np.array(["Commit", "Proposal", "Qualify", "Prospecting", "Negotiation"], object)
    categories = np.array(["commit", "best_case", "pipeline", "omitted"], dtype=object)
    buckets = np.array(["overdue", "quarter_near", "quarter_late", "later", "none"], object)
    frame = pd.DataFrame(
        {
            "unit": "",
            "stage": stages[rng.integers(0, len(stages), n)],
            "forecast_category": categories[rng.integers(0, len(categories), n)],
            "close_bucket": buckets[rng.integers(0, len(buckets), n)],
            "deals": rng.integers(1, 60, n).astype("int64"),
            # amounts with cents: not exact in binary, so the order of additions shows
            "open_amount": np.round(rng.lognormal(11, 2, n), 2),
            "won_amount": np.round(rng.lognormal(9, 2, n), 2) * rng.integers(0, 2, n),
            "won_deals": rng.integers(0, 20, n).astype("int64"),
        }
    )
    if missing:
        frame.loc[rng.integers(0, n, 5), "forecast_category"] = None
    return frame


def test_group_sums_add_like_pandas_compensated_sum():
    # Kahan: 1e16 + 1 + 1 is 1.0000000000000002e16; adding left to right gives 1e16.
    frame = pd.DataFrame({"k": ["a", "a", "a", "b"], "v": [1e16, 1.0, 1.0, 2.5]})
    expected = frame.groupby("k", as_index=False)["v"].sum()
    got = group_sums(frame, ["k"], ["v"])
    assert got["v"].tolist() == expected["v"].tolist() == [1.0000000000000002e16, 2.5]
    assert got["v"][0] != 1e16 + 1.0 + 1.0  # the test tells the two summations apart


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("dropna", [True, False])
def test_group_sums_equal_pandas_groupby(seed, dropna):
    frame = _snapshots(seed)
    for keys in (KEYS, ["stage", "close_bucket"], ["close_bucket"], ["forecast_category"]):
        columns = ["deals", "open_amount", "won_amount", "won_deals"]
        expected = frame.groupby(keys, as_index=False, dropna=dropna)[columns].sum()
        for key in keys:
            expected[key] = expected[key].astype(object).where(expected[key].notna(), None)
        got = group_sums(frame, keys, columns, dropna=dropna)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_group_rows_handle_nan_amounts_infinity_and_no_rows():
    frame = pd.DataFrame({"k": ["a", "a", "b", "b", "c"], "v": [np.nan, 1.5, np.inf, 2.0, np.nan]})
    expected = frame.groupby("k", as_index=False)["v"].sum()
    assert group_rows(frame, ["k"], ["v"])[1]["v"] == expected["v"].tolist()
    assert group_rows(frame.iloc[:0], ["k"], ["v"]) == ([], {"v": []})
    with pytest.raises(TypeError, match="numeric columns only"):
        group_rows(frame, ["v"], ["k"])


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("min_deals", [1, 30, 200])
def test_rates_and_pricing_equal_the_pandas_code_they_replace(seed, min_deals):
    training = _snapshots(seed)
    expected = _old_rates_from(training, min_deals)
    rates = rates_from(training, min_deals)
    pd.testing.assert_frame_equal(rates, expected, check_exact=True)
    pipeline = group_sums(_snapshots(seed + 100, quarters=1, missing=False), KEYS, ["deals"])
    pipeline["open_amount"] = np.round(np.random.default_rng(seed).lognormal(11, 2, len(pipeline)))
    priced = priced_pipeline(pipeline, rates, rate_lookups(rates))
    pd.testing.assert_frame_equal(priced, _old_priced(pipeline, expected), check_exact=True)


def test_rates_of_no_training_rows_are_empty():
    empty = _snapshots(0).iloc[:0]
    rates = rates_from(empty, 30)
    assert rates.empty
    assert list(rates.columns) == list(_old_rates_from(empty, 30).columns)
    assert rate_lookups(rates) == [{}, {}, {}]
