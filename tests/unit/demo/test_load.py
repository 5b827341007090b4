"""The demo company as a whole: deterministic and referentially consistent."""

from __future__ import annotations

import pandas as pd

from salesops.demo import build_demo_frames
from salesops.demo.load import LOAD_ORDER


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
