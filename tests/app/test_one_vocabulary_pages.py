"""One vocabulary on the pages: 'overdue' and 'pipeline coverage' defined once and shown.

The Data page's quality check and the Forecast page's overdue pipeline judge at the same
default as-of date (the data's last day) and so show the same count, each with the one
definition; the Pipeline review shows it on its Overdue tab (as of the week's end) and the
definition of pipeline coverage beside its coverage tile.
"""

from __future__ import annotations

import re
from pathlib import Path

from salesops.config import Settings
from salesops.definitions import define
from tests.app.conftest import text_tables

PAGES = Path(__file__).resolve().parents[2] / "pages"


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def test_data_and_forecast_pages_show_the_same_overdue_count_with_the_definition(
    run_page, demo_url
):
    data = run_page(str(PAGES / "data.py"), demo_url)
    forecast = run_page(str(PAGES / "forecast.py"), demo_url)
    assert not data.exception and not forecast.exception
    summary = next(t for t in text_tables(data) if "Check" in t.columns)  # a summary table
    on_data = int(summary.set_index("Check")["Units"]["Overdue deals"].replace(",", ""))
    found = re.search(r"Overdue as of (\d+ \w+ \d{4}): ([\d,]+) open deals", captions(forecast))
    assert found, captions(forecast)
    assert int(found.group(2).replace(",", "")) == on_data > 0
    assert define("overdue") in captions(forecast)
    as_of = f"overdue as of {found.group(1)} (the data's last date). {define('overdue')}"
    assert as_of in captions(data)


def test_pipeline_review_defines_overdue_and_coverage(run_page, demo_url):
    at = run_page(str(PAGES / "pipeline_review.py"), demo_url)
    assert not at.exception
    assert define("overdue") not in captions(at)  # a deal list's caption: drawn when opened
    overdue_tab = next(t.label for t in at.tabs if t.label.startswith("Overdue"))
    at.session_state["pipeline_review.tabs"] = overdue_tab
    at.run()
    assert not at.exception
    text = captions(at)
    assert define("overdue") + " As of " in text
    assert define("pipeline_coverage", Settings()) in text
    # the coverage figure (a figure table) carries the definition in its help
    assert any(define("pipeline_coverage", Settings()) in m.proto.help for m in at.markdown
               if "| Pipeline coverage |" in m.value)  # fmt: skip
