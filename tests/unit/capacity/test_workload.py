"""Account hours by segment: stated, measured from time logs, or the labelled default."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.capacity.workload import ASSUMED, MEASURED, NO_SEGMENT, STATED, account_hours


def test_stated_measured_and_default_by_hand():
    accounts = pd.DataFrame(
        {
            "territory_id": [1, 1, 2, 3],
            "segment": ["SMB", "Enterprise", "SMB", None],
            "accounts": [30, 10, 20, 5],
        }
    )
    # territory 1 logged 400 selling hours over its 40 accounts = 10 h each; territory 2 100 h
    # over 20 = 5 h each; territory 3 logged nothing.
    rep_hours = pd.DataFrame({"territory_id": [1, 1, 2], "selling_hours": [300.0, 100.0, 100.0]})
    hours = account_hours(accounts, rep_hours, {"Enterprise": 40.0}, 8.0)
    table = hours.frame().set_index("segment")
    # SMB: (30 x 10 + 20 x 5) / 50 = 8 h, measured
    assert table.loc["SMB", "hours"] == pytest.approx(8.0)
    assert table.loc["SMB", "source"] == MEASURED
    assert table.loc["Enterprise", "hours"] == 40.0 and table.loc["Enterprise", "source"] == STATED
    assert table.loc[NO_SEGMENT, "hours"] == 8.0 and table.loc[NO_SEGMENT, "source"] == ASSUMED
    looked_up = hours.lookup(pd.Series(["SMB", None, "Unknown"]))
    assert looked_up.tolist() == [8.0, 8.0, 8.0]
    assert "SMB 8.0 h (measured from time logs)" in hours.describe()
