"""Pages draw charts unvalidated: the same spec as Altair's, without the schema check."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from salesops.charts.formats import money_axis
from salesops.ui.charts import unvalidated


def test_an_unvalidated_chart_gives_the_validated_spec():
    months = pd.to_datetime(["2026-01-01", "2026-02-01"])
    frame = pd.DataFrame({"month": months, "bookings": [3.0, 4.0], "won": [1, 2], "lost": [0, 1]})
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(x="yearmonth(month):O", y=alt.Y("bookings:Q", axis=money_axis("USD")))
        .properties(height=240)
    )
    assert unvalidated(chart).to_dict() == chart.to_dict(validate=True)


def test_an_unvalidated_chart_skips_the_schema_check_and_leaves_the_original_alone():
    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_bar().encode(x="x:Q")
    chart._kwds["width"] = "very wide"  # not a width Vega-Lite accepts (set past the checks)
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        chart.to_dict()
    assert unvalidated(chart).to_dict()["width"] == "very wide"
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        chart.to_dict()  # the page's copy is the one without the check
