"""The change log writes a replaced row's JSON the same whether one row or a million."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from salesops.importing.change_log import rows_json, to_json


def test_rows_json_equals_to_json_row_by_row():
    frame = pd.DataFrame(
        {
            "stage": ["Prospecting", None, "Closed Won"],
            "changed_at": [datetime.date(2024, 1, 5), datetime.date(2024, 2, 29), None],
            "amount": [1234.5, np.nan, 7.0],
            "opportunity_id": [3, 4, 5],
            "expected_close_date": pd.to_datetime(["2024-03-01", None, "2025-01-31"]),
            "active": [True, False, True],
        }
    )
    expected = [to_json(row) for row in frame.to_dict("records")]
    assert rows_json(frame) == expected
    assert '"amount": null' in expected[1] and '"changed_at": "2024-01-05"' in expected[0]
