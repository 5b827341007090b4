"""The report built from frames and its JSON (no database)."""

from __future__ import annotations

import math

import pytest

from salesops.territory.report import build_report, report_to_json
from tests.unit.territory.company import (
    AS_OF,
    TEAM,
    accounts_frame,
    reps_frame,
    rules,
    territories_frame,
)


def test_report_json_shape_has_no_nan_or_inf():
    import json

    report = build_report(
        accounts_frame(),
        reps_frame(),
        territories_frame(),
        AS_OF,
        TEAM,
        rules(same_region=False, same_segment=False, max_moves=3),
    )
    data = report_to_json(report)
    text = json.dumps(data, allow_nan=False)  # raises on NaN / inf
    assert "NaN" not in text
    t4 = next(t for t in data["territories"] if t["territory_id"] == 4)
    assert t4["potential_per_capacity_hour"] is None
    assert t4["potential_per_capacity_hour_reason"] == "no capacity"
    assert t4["flag"] == "uncovered"
    assert set(data["balance"]) >= {"cv", "gini"}
    assert data["balance"]["cv"] == pytest.approx(math.sqrt(800 / 3) / 40)
    assert set(data["proposal"]) >= {"moves", "before", "after"}
    for move in data["proposal"]["moves"]:
        assert set(move) >= {"account_id", "from", "to"}
        assert move["to"] != "West Ent 2"  # uncovered: never a target
    assert data["proposal"]["after"]["cv"] <= data["proposal"]["before"]["cv"]
    assert sum(q["suggested_quota"] for q in data["quota_suggestions"]) == pytest.approx(
        100_000 + 80_000 + 40_000 + 150_000
    )
