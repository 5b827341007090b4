"""The waterfall chart's rows: zoomed axis, colour groups, signed labels."""

from __future__ import annotations

from salesops.charts.pipeline_review import waterfall as waterfall_chart
from salesops.charts.pipeline_review import waterfall_frame
from salesops.pipeline_review.waterfall import waterfall
from tests.unit.pipeline_review.builders import EVERY_CATEGORY, WEEK


def test_axis_is_zoomed_to_the_movements_and_totals_float_from_it():
    frame = waterfall_frame(waterfall(EVERY_CATEGORY, WEEK).to_frame(), "USD").set_index("step")
    # running totals span 86.5k (closing) .. 220.5k (after new + increased); margin 15%
    assert frame["floor"].iloc[0] == 86_500 - 0.15 * (220_500 - 86_500)
    assert frame.loc["opening", "bar_start"] == frame["floor"].iloc[0]
    assert frame.loc["new", "bar_start"] == 180_000  # movements keep their running totals


def test_won_has_its_own_colour_and_labels_are_signed():
    frame = waterfall_frame(waterfall(EVERY_CATEGORY, WEEK).to_frame(), "USD").set_index("step")
    assert frame.loc["won", "group"] == "Won (booked)"
    assert frame.loc["lost", "group"] == "Removed"
    assert frame.loc["new", "group"] == "Added"
    assert frame.loc["opening", "group"] == "Pipeline"
    assert frame.loc["new", "text"] == "+$25.5k"
    assert frame.loc["won", "text"] == "-$59k"
    assert frame.loc["closing", "text"] == "$86.5k"
    assert frame.loc["won", "deals_text"] == "2 deals"
    assert frame.loc["opening", "bar"] == "Opening"


def test_chart_scale_does_not_start_at_zero():
    spec = waterfall_chart(waterfall(EVERY_CATEGORY, WEEK).to_frame(), "USD").to_dict()
    scale = spec["layer"][0]["encoding"]["y"]["scale"]
    assert scale["zero"] is False and scale["domain"][0] > 0
