"""The demo company as a whole: deterministic and referentially consistent."""

from __future__ import annotations

import pandas as pd

from salesops.demo import build_demo_frames
from salesops.demo.load import LOAD_ORDER, _iso


def test_same_seed_same_company_other_seed_other_company(tiny):
    again = build_demo_frames("tiny", seed=7)
    for name, frame in tiny.items():
        pd.testing.assert_frame_equal(frame, again[name], obj=name)
    other = build_demo_frames("tiny", seed=8)
    assert not other["opportunities"]["amount"].equals(tiny["opportunities"]["amount"])


def test_every_table_is_built_and_loaded(tiny):
    assert sorted(tiny) == sorted(LOAD_ORDER)


def test_every_foreign_key_resolves(tiny):
    ids = {name: set(tiny[name]["id"]) for name in ("territories", "reps", "accounts", "leads")}
    opp = tiny["opportunities"]
    assert set(opp["account_id"]) <= ids["accounts"]
    assert set(opp["rep_id"]) <= ids["reps"]
    assert set(opp["lead_id"].dropna().astype(int)) <= ids["leads"]
    assert set(tiny["reps"]["territory_id"]) <= ids["territories"]
    assert set(tiny["orders"]["account_id"]) <= ids["accounts"]
    assert set(tiny["opportunity_history"]["opportunity_id"]) <= set(opp["id"])
    assert set(tiny["activities"]["activity"]) <= set(tiny["activity_types"]["activity"])


def test_dates_are_written_as_iso_text_none_where_missing() -> None:
    days = pd.Series(
        pd.to_datetime(["2026-03-01", None, "2026-03-01", "2025-12-31"]), index=[4, 5, 6, 7]
    )
    assert _iso(days).tolist() == ["2026-03-01", None, "2026-03-01", "2025-12-31"]
    assert list(_iso(days).index) == [4, 5, 6, 7]
    timed = pd.Series(pd.to_datetime(["2026-03-01 09:30:00", "2026-03-01", None], format="ISO8601"))
    assert _iso(timed).tolist() == ["2026-03-01 09:30:00", "2026-03-01 00:00:00", None]
    assert _iso(pd.Series(pd.to_datetime([None, None]))).tolist() == [None, None]
