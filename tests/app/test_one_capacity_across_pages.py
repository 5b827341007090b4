"""One ramp and one selling share on every page that shows them (issue 17, done means).

Territory capacity, the Forecast what-if (added reps ramp along it), the Plan (hires ramp
along it) and the Rep time page's ramp all come from `salesops.capacity`; these tests read
the figure each page draws on the demo company and compare them.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.app.conftest import figures_shown

PAGES = Path(__file__).resolve().parents[2] / "pages"


def words(at) -> str:
    """Returns the page's captions, Markdown and tiles' and figure tables' definitions."""
    parts = [c.value for c in at.caption] + [m.help or "" for m in at.metric]
    parts += [m.proto.help for m in at.markdown]  # a figure table's definitions
    return "\n".join(parts + [m.value for m in at.markdown])


def metric(at, label: str) -> str:
    """Returns the figure shown under `label`: a metric tile's or a figure table's."""
    return figures_shown(at)[label]


def month_in(text: str) -> int:
    found = re.findall(r"reach 90% of full productivity in month (\d+)", text)
    assert found, text
    assert len(set(found)) == 1, found  # one ramp within the page too
    return int(found[0])


def test_territory_forecast_plan_and_rep_time_pages_show_the_same_ramp_and_share(
    run_page, demo_url
):
    territory = run_page(str(PAGES / "territory.py"), demo_url)
    forecast = run_page(str(PAGES / "forecast.py"), demo_url)
    forecast.session_state["forecast.tabs"] = "What if…"  # the what-if's tab, drawn when open
    forecast.run()
    plan = run_page(str(PAGES / "plan.py"), demo_url)
    time = run_page(str(PAGES / "time_allocation.py"), demo_url)
    time.session_state["time.tabs"] = "New-rep ramp"  # the ramp's tab, drawn when open
    time.run()
    for at in (territory, forecast, plan, time):
        assert not at.exception
    months = int(metric(territory, "Ramp").removesuffix(" mo"))
    assert month_in(words(territory)) == months
    assert month_in(words(forecast)) == months  # the what-if's added reps
    assert month_in(words(plan)) == months  # the hires
    ramp_caption = re.search(r"months to reach 90% of it: (\d+)", words(time))
    assert ramp_caption and int(ramp_caption.group(1)) == months
    # The selling share behind every capacity figure: the Rep time page's team share.
    share = metric(territory, "Selling share")
    assert metric(time, "Team selling share") == share
    assert f"(team {share})" in words(plan)
