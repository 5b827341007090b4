"""One capacity model on every page: the same ramp and the same capacity figures.

Territory capacity, the Forecast what-if (headcount), the plan (hires) and the Rep time page
all read the ramp and the selling capacity from `salesops.capacity`; these tests read each
page's report on the demo company and compare the figures they show.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from salesops.calendar import trailing_months
from salesops.db.engine import make_engine
from salesops.forecast.report import forecast_inputs
from salesops.plan.report import PlanChoices, build_plan, plan_inputs
from salesops.repository import Repository
from salesops.territory.report import build_report, territory_data
from salesops.time_allocation.report import time_report

AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module")
def demo(demo_url) -> Repository:
    return Repository(make_engine(demo_url, read_only=True))


def test_the_three_pages_read_the_same_ramp(demo):
    territory = territory_data(demo, as_of=AS_OF).capacity.ramp
    forecast = forecast_inputs(demo, "M", as_of=AS_OF, with_pipeline=False).ramp
    plan = plan_inputs(demo, as_of=AS_OF)
    assert territory == forecast == plan.data.capacity.ramp
    assert territory.source == "measured"  # the demo hires enough reps to measure it
    # the plan's hires ramp along it: fully productive months_to_ramp - 1 after their start
    profile = build_plan(plan, PlanChoices()).profiles["(team)"]
    months = (profile.ramped_by.year - profile.start.year) * 12 + profile.ramped_by.month
    assert months - profile.start.month == territory.months_to_ramp - 1
    # and the Rep time page, on the whole company, shows the same months to ramp
    time = time_report(demo, trailing_months(AS_OF, 12))
    assert time.ramp.months_to_ramp.value == territory.months_to_ramp


def test_territory_and_plan_show_the_same_capacity(demo):
    report = build_report(territory_data(demo, as_of=AS_OF))
    plan = plan_inputs(demo, as_of=AS_OF)
    by_rep = report.reps.set_index("rep_id")["capacity_hours"]
    planned = plan.reps.set_index("id")["capacity_hours"]
    assert by_rep.to_dict() == pytest.approx(planned.to_dict())
    terr = report.territories.set_index("territory_id")["capacity_hours"]
    assert terr.to_dict() == pytest.approx(
        plan.territories.set_index("territory_id")["capacity_hours"].to_dict()
    )
    # The selling share behind it is the Rep time page's, for the same 12 months.
    time = time_report(demo, trailing_months(AS_OF, 12))
    assert report.capacity.team_selling_share.value == pytest.approx(time.team.selling_share.value)


def test_the_forecast_what_if_adds_reps_along_that_ramp(demo):
    from salesops.forecast.what_if import headcount_factor

    ramp = forecast_inputs(demo, "M", as_of=AS_OF, with_pipeline=False).ramp
    ds = pd.date_range("2026-11-01", periods=len(ramp.fractions) + 2, freq="MS")
    factor = headcount_factor(ds, ds[0], "M", 10, 1, ramp.fractions)
    assert (factor - 1) * 10 == pytest.approx([*ramp.fractions, 1.0, 1.0])


def test_on_the_demo_no_territory_or_rep_is_flagged_against_its_own_utilisation(demo):
    report = build_report(territory_data(demo, as_of=AS_OF))
    over, under = report.settings.over, report.settings.under
    for frame in (report.territories, report.reps):
        u = pd.to_numeric(frame["utilisation"], errors="coerce").astype("float64")
        flag = frame["flag"]
        assert ((flag == "over-loaded") == (u > over)).all()
        assert ((flag == "under-loaded") == (u < under)).all()
        assert ((flag == "balanced") == ((u >= under) & (u <= over))).all()
        assert not np.isinf(u.dropna()).any()
    assert {"over-loaded", "balanced"} <= set(report.territories["flag"])
