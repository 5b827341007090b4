"""Activity classification: categories, unknown activities named, never dropped."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.time_allocation.classification import UnknownActivityError, classify_activities
from salesops.time_allocation.shares import rep_time_summary
from tests.unit.time_allocation.company import ACTIVITY, BENCHMARK, REPS, TYPES


def test_classify_adds_category_and_back_office(classified):
    frame = classified.frame
    assert len(frame) == len(ACTIVITY)
    assert classified.unknown_activities == ()
    assert classified.warning is None
    quote = frame[(frame["rep_id"] == 1) & (frame["activity"] == "quote")].iloc[0]
    assert quote["category"] == "non_selling" and bool(quote["is_back_office"])
    travel = frame[frame["activity"] == "travel"].iloc[0]
    assert travel["category"] == "non_selling" and not bool(travel["is_back_office"])


def test_unknown_activities_raise_listing_every_one():
    rows = pd.concat(
        [
            ACTIVITY,
            pd.DataFrame(
                [(1, "golf", 3.0, None), (2, "crm_cleanup", 2.0, None), (3, "golf", 1.0, None)],
                columns=["rep_id", "activity", "hours", "count"],
            ),
        ]
    )
    with pytest.raises(UnknownActivityError) as err:
        classify_activities(rows, TYPES)
    assert err.value.activities == ("crm_cleanup", "golf")
    assert err.value.hours == 6.0  # 3 + 2 + 1
    assert str(err.value) == (
        "2 logged activities are not in activity_types ('crm_cleanup', 'golf'; 6 hours): "
        "add them to activity_types with a category (selling / non_selling)."
    )


def test_unknown_activities_kept_count_as_unknown_not_dropped():
    rows = pd.concat([ACTIVITY, pd.DataFrame([(1, "golf", 10.0, None)], columns=ACTIVITY.columns)])
    result = classify_activities(rows, TYPES, on_unknown="keep")
    assert result.unknown_activities == ("golf",)
    assert "'golf'" in result.warning and "unknown" in result.warning
    summary = rep_time_summary(result, REPS, benchmark=BENCHMARK)
    ann = summary.set_index("rep_id").loc[1]
    # Ann now has 40 + 10 = 50 hours, 15 selling -> 0.30; the unknown 10 hours stay in the total.
    assert ann["hours"] == 50.0
    assert ann["unknown_hours"] == 10.0
    assert ann["selling_share"] == pytest.approx(0.30)


def test_bad_category_in_catalogue_is_rejected():
    types = TYPES.assign(category=TYPES["category"].replace({"selling": "Selling"}))
    with pytest.raises(ValueError, match="'Selling'"):
        classify_activities(ACTIVITY, types)


def test_on_unknown_option_is_checked():
    with pytest.raises(ValueError, match="on_unknown"):
        classify_activities(ACTIVITY, TYPES, on_unknown="drop")
