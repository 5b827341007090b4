"""Quota suggestions by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.config import Settings
from salesops.territory.quotas import QuotaWeights, suggest_quotas
from tests.unit.territory.company import AS_OF, RAMP_DAYS, WEIGHTS, quota_inputs


def test_quota_suggestions_by_hand():
    rep_frame, reps = quota_inputs()
    q = suggest_quotas(rep_frame, reps, 1_000.0, AS_OF, WEIGHTS, RAMP_DAYS).set_index("rep_id")
    # Active A, B, C. Potential shares 0.6, 0.3, 0.1; history shares 300/400, 100/400, 0.
    # A: 0.6 x 0.6 + 0.4 x 0.75 = 0.66; B: 0.18 + 0.10 = 0.28; C (90 days, incomplete
    # history): 0.1 x year ramp (90 x 0.75 + 275) / 365.
    c_raw = 0.1 * (90 * 0.75 + 275) / 365
    total = 0.66 + 0.28 + c_raw
    assert q.loc[1, "suggested_quota"] == pytest.approx(1000 * 0.66 / total, abs=0.01)
    assert q.loc[2, "suggested_quota"] == pytest.approx(1000 * 0.28 / total, abs=0.01)
    assert q.loc[3, "suggested_quota"] == pytest.approx(1000 * c_raw / total, abs=0.01)
    assert q["suggested_quota"].sum() == pytest.approx(1_000.0, abs=1e-9)
    assert round(q["suggested_quota"].sum() * 100) == 100_000  # exact to the cent
    # A: 500 vs 638.40 -> under-assigned; B: 300 vs 270.84 (+10.8 %) fair; C: 200 vs 90.76 over.
    assert q.loc[1, "flag"] == "under-assigned"
    assert q.loc[2, "flag"] == "fair"
    assert q.loc[3, "flag"] == "over-assigned"
    assert q.loc[4, "flag"] == "inactive" and q.loc[4, "suggested_quota"] == 0
    assert pd.isna(q.loc[3, "history_share"])


def test_quota_target_defaults_to_current_active_total_and_weights_matter():
    rep_frame, reps = quota_inputs()
    q = suggest_quotas(rep_frame, reps, None, AS_OF, WEIGHTS, RAMP_DAYS)
    assert q["suggested_quota"].sum() == pytest.approx(1_000.0)  # 500 + 300 + 200 (D left)
    pot_only = suggest_quotas(
        rep_frame,
        reps,
        900.0,
        AS_OF,
        QuotaWeights.from_settings(Settings(), potential_weight=1.0, history_weight=0.0),
        RAMP_DAYS,
    ).set_index("rep_id")
    # Potential only: A 0.6, B 0.3, C 0.1 x ramp -> A/B = 2 exactly.
    assert pot_only.loc[1, "suggested_quota"] / pot_only.loc[2, "suggested_quota"] == (
        pytest.approx(2.0, rel=1e-4)  # rounded to cents
    )
    assert pot_only["suggested_quota"].sum() == pytest.approx(900.0)


def test_quota_with_no_potential_and_no_history_splits_by_ramp():
    rep_frame, reps = quota_inputs()
    rep_frame = rep_frame.assign(potential=0.0, bookings_12m=0.0)
    q = suggest_quotas(rep_frame, reps, 300.0, AS_OF, WEIGHTS, RAMP_DAYS).set_index("rep_id")
    # Equal shares x year ramp: A 1, B 1, C 342.5/365.
    c = (90 * 0.75 + 275) / 365
    assert q.loc[1, "suggested_quota"] == pytest.approx(300 / (2 + c), abs=0.01)
    assert q["suggested_quota"].sum() == pytest.approx(300.0)
    assert not q["suggested_quota"].isin([np.inf]).any()
