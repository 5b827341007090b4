"""Quotas calibrated to attainment: the target share, caps, gaps, the distribution."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.config import Settings
from salesops.territory.outlook import Outlook, Spread
from salesops.territory.quotas import QuotaPolicy, calibrate_quotas, expected_share

RATIOS = np.linspace(0.5, 1.5, 101)  # actual / expected, evenly spread around 1
POLICY = QuotaPolicy.from_settings(Settings(), attainment_target=0.65, change_cap=0.25)


def view(expected=(100.0, 200.0, 300.0, 400.0), ratios=RATIOS) -> Outlook:
    n = len(expected)
    reps = pd.DataFrame(
        {"rep_id": range(1, n + 1), "segment": ["S"] * n, "expected": list(expected),
         "ramped_months": [12.0] * n}
    )  # fmt: skip
    spread = Spread((np.sort(ratios),), (True,), len(ratios), np.sort(ratios))
    return Outlook(0, reps, np.zeros(n, dtype=int), spread, None, {"S": 10.0})


def reps(current=(0.0, 0.0, 0.0, 0.0), active=(True, True, True, True)) -> pd.DataFrame:
    n = len(current)
    return pd.DataFrame(
        {"rep_id": range(1, n + 1), "rep": [f"R{i}" for i in range(1, n + 1)],
         "territory": ["T"] * n, "active": list(active), "current_quota": list(current)}
    )  # fmt: skip


def test_uncapped_quotas_give_every_rep_the_target_chance():
    result = calibrate_quotas(view(), reps(), POLICY)
    # Every rep at chance 0.65: quota = expected x the 35th percentile of the ratios:
    # plotting positions (i + 0.5) / 101 put it at index 34.85, ratio 0.8485
    assert result.expected_share_suggested == pytest.approx(0.65, abs=1e-3)
    quotas = result.table["suggested_quota"].to_numpy()
    assert quotas == pytest.approx([84.85, 169.7, 254.55, 339.4], abs=0.02)
    assert result.gap == 0 and result.team_target == pytest.approx(quotas.sum())
    # the distribution of expected attainment counts every rep with a quota once
    assert result.distribution["suggested"].sum() == pytest.approx(4.0)


def test_a_target_above_what_reps_carry_is_the_gap_for_hires():
    base = calibrate_quotas(view(), reps(), POLICY)
    more = calibrate_quotas(view(), reps(), POLICY, team_target=base.carried_total + 500)
    assert more.gap == pytest.approx(500, abs=0.01)
    assert more.suggested_total + more.gap == pytest.approx(more.team_target)
    assert more.expected_share_suggested == pytest.approx(0.65, abs=1e-3)


def test_spread_over_reps_sums_to_the_target_and_the_share_follows():
    result = calibrate_quotas(view(), reps(), POLICY, team_target=1200.0, spread_target=True)
    assert result.table["suggested_quota"].sum() == pytest.approx(1200.0, abs=0.01)
    assert result.gap == 0
    # 1200 is above expected bookings (1000): fewer than half are expected at quota
    assert result.expected_share_suggested < 0.5


def test_a_target_below_what_reps_carry_lowers_quotas_and_says_so():
    result = calibrate_quotas(view(), reps(), POLICY, team_target=500.0)
    assert result.table["suggested_quota"].sum() == pytest.approx(500.0, abs=0.01)
    assert result.expected_share_suggested > 0.65
    assert any("below what today's reps are expected to book" in n for n in result.notes)


def test_caps_bind_and_the_nearest_reachable_share_is_named():
    # Current quotas far above expectation: -25% still leaves them out of reach.
    result = calibrate_quotas(view(), reps(current=(200.0, 400.0, 600.0, 800.0)), POLICY)
    quotas = result.table["suggested_quota"].to_numpy()
    assert quotas == pytest.approx([150.0, 300.0, 450.0, 600.0], abs=0.01)
    assert result.table["capped"].all()
    assert result.expected_share_suggested < 0.65
    assert any("change cap keeps the expected share" in n for n in result.notes)
    assert set(result.table["flag"]) == {"over-assigned"}


def test_inactive_reps_get_no_quota_and_nothing_is_nan_or_inf():
    result = calibrate_quotas(view(), reps(active=(True, True, True, False)), POLICY)
    table = result.table.set_index("rep_id")
    assert table.loc[4, "suggested_quota"] == 0 and table.loc[4, "flag"] == "inactive"
    numbers = table.select_dtypes("number").astype("float64").to_numpy()
    assert not np.isinf(numbers).any()


def test_without_a_measured_spread_quotas_follow_expected_bookings():
    bare = view()
    bare = Outlook(0, bare.reps, bare.codes, None, "too little history", {})
    result = calibrate_quotas(bare, reps(current=(100.0, 100.0, 100.0, 100.0)), POLICY)
    assert result.table["suggested_quota"].tolist() == pytest.approx([40, 80, 120, 160])
    assert result.expected_share_suggested is None and result.reason == "too little history"


def test_calibration_hits_the_target_on_fresh_years():
    """Monte Carlo: quotas set on the measured spread, judged on new years from the same law."""
    rng = np.random.default_rng(7)
    past = rng.lognormal(0.05, 0.35, 3000)
    expected = rng.uniform(50, 500, 400)
    result = calibrate_quotas(view(tuple(expected), past), reps((0.0,) * 400, (True,) * 400),
                              POLICY)  # fmt: skip
    quotas = result.table["suggested_quota"].to_numpy()
    actual = expected * rng.lognormal(0.05, 0.35, 400)
    assert np.mean(actual >= quotas) == pytest.approx(0.65, abs=0.06)
    assert expected_share(view(tuple(expected), past), quotas) == pytest.approx(0.65, abs=0.01)


def test_reps_without_a_current_quota_read_no_quota_not_zero_or_under_assigned():
    # a company that imported no quotas (Maven): every rep's current quota is missing
    result = calibrate_quotas(view(), reps(current=(0.0, 0.0, 300.0, 0.0)), POLICY)
    table = result.table.set_index("rep_id")
    assert table["current_quota"].isna().tolist() == [True, True, False, True]
    assert table.loc[3, "current_quota"] == 300.0
    assert table.loc[[1, 2, 4], "flag"].tolist() == ["no current quota"] * 3
    assert table.loc[3, "flag"] in {"over-assigned", "under-assigned", "fair"}
    # the missing quotas still count as 0 where quotas are summed
    assert result.carried_total == pytest.approx(result.table["suggested_quota"].sum())
