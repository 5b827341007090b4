"""The activity-type list edited on the Data page: saved whole with an audit entry, or refused."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from salesops.access import audit
from salesops.db import schema as s
from salesops.importing.activity_types import ActivityTypesError, save_activity_types


@pytest.fixture
def typed(engine):
    with engine.begin() as conn:
        conn.execute(
            s.activity_types.insert(),
            [
                {"activity": "Meeting", "category": "selling", "is_back_office": False},
                {"activity": "Quote prep", "category": "selling", "is_back_office": False},
            ],
        )
    return engine


def stored(engine) -> list[tuple]:
    at = s.activity_types.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(at.activity, at.category, at.is_back_office).order_by(at.activity)
        )
        return [tuple(r) for r in rows]


def test_saving_changes_categories_and_records_who(typed):
    edited = pd.DataFrame(
        {
            "activity": ["Meeting", "Quote prep"],
            "category": ["selling", "non_selling"],
            "is_back_office": [False, True],
        }
    )
    assert save_activity_types(typed, edited, "ann@example.com") == 1
    assert stored(typed) == [("Meeting", "selling", False), ("Quote prep", "non_selling", True)]
    log = audit.recent(typed, 5)
    assert log.iloc[0]["action"] == audit.ACTIVITY_TYPES_CHANGED
    assert log.iloc[0]["actor"] == "ann@example.com"
    assert "Quote prep: non_selling, back office" in log.iloc[0]["detail"]


def test_an_unknown_category_is_refused_and_nothing_written(typed):
    edited = pd.DataFrame({"activity": ["Meeting"], "category": ["fun"], "is_back_office": [False]})
    with pytest.raises(ActivityTypesError, match="must be selling or non_selling, not 'fun'"):
        save_activity_types(typed, edited, "ann@example.com")
    assert stored(typed)[0] == ("Meeting", "selling", False)
    assert audit.recent(typed, 5).empty
