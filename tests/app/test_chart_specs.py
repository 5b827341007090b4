"""Every chart a page draws is valid Vega-Lite, though pages skip Altair's schema check.

salesops.ui.charts.draw_chart hands Streamlit charts whose to_dict() does not validate (a
third of a warm page's server time, issue 21); this checks what reached the browser.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from altair.vegalite.v6.schema.core import Root

from tests.app.conftest import each_tab

ROOT = Path(__file__).resolve().parents[2]
# Not the Overview nor the Plan: they draw no Vega chart (their bars are HTML,
# test_overview_bookings.py and test_html_charts.py).
PAGES = ("kpis", "forecast", "territory", "time_allocation", "cash", "data")
# Expanders whose chart is drawn only when opened (salesops.ui.lazy.lazy_expander's keys).
OPENED = {"data": ("data.trend",)}


@pytest.mark.parametrize("name", PAGES)
def test_every_chart_a_page_draws_is_valid_vega_lite(run_page, demo_url, name):
    at = run_page(str(ROOT / "pages" / f"{name}.py"), demo_url, timeout=300)
    assert not at.exception, [e.message for e in at.exception]
    for key in OPENED.get(name, ()):
        at.session_state[key] = True
    if name in OPENED:
        at.run()
    # charts in lazy tabs are drawn only once their tab is open
    specs = [
        json.loads(chart.proto.spec)
        for drawn in each_tab(at, name)
        for chart in drawn.get("vega_lite_chart")
    ]
    assert specs, f"{name} drew no chart"
    for spec in specs:
        Root.validate(spec)  # raises jsonschema's ValidationError on an invalid spec
