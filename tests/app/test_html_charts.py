"""The pages' first charts drawn as HTML bars, not Vega (issue 21), against plain SQL.

Territory's utilisation, the Plan's expected attainment, Rep time's selling-share bands and
team hours, and Order to cash's funnel: each page draws no Vega chart at first paint, and
each bar's hover says what the data says.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from salesops.territory.quotas import BANDS
from tests.app.conftest import figure_tables, figures_shown, sqlite_rows, text_tables

PAGES = Path(__file__).resolve().parents[2] / "pages"
PERIOD = {"period": "custom", "from": "2025-10-01", "to": "2026-09-30"}


def chart_html(at, title: str) -> str:
    """Returns the one HTML chart named `title` (its aria-label) that the page drew."""
    [body] = [h.proto.body for h in at.get("html") if f'aria-label="{title}"' in h.proto.body]
    return body


def tips(html: str) -> list[str]:
    """Returns every hover text of an HTML chart, unescaped, in drawing order."""
    return [unescape(t) for t in re.findall(r'title="([^"]*)"', html)]


def test_territory_utilisation_bars_agree_with_the_territories_table(run_page, demo_url):
    at = run_page(str(PAGES / "territory.py"), demo_url)
    assert not at.exception
    assert not at.get("vega_lite_chart")  # the tabs' charts draw when opened
    html = chart_html(at, "Utilisation per territory")
    bars = [t for t in tips(html) if ": utilisation " in t]
    [table] = [t for t in text_tables(at) if "Utilisation" in t.columns]
    shown = dict(zip(table["Territory"], table["Utilisation"], strict=True))
    flags = dict(zip(table["Territory"], table["Flag"], strict=True))
    (territories,) = sqlite_rows(demo_url, "SELECT COUNT(*) FROM territories")[0]
    assert len(bars) == len(shown) == territories  # every demo territory has capacity
    drawn = []
    for tip in bars:
        name = tip.split(" (")[0]
        drawn.append(name)
        utilisation = float(tip.split("utilisation ")[1].split("%")[0])
        assert utilisation == round(float(shown[name].rstrip("%"))), tip  # table: one decimal
        assert tip.endswith(f"· {flags[name]}"), tip
    percents = [float(t.split("utilisation ")[1].split("%")[0]) for t in bars]
    assert percents == sorted(percents, reverse=True)  # highest first
    assert sorted(drawn) == sorted(
        name for (name,) in sqlite_rows(demo_url, "SELECT name FROM territories")
    )


def test_plan_attainment_bars_are_the_bands_current_and_suggested(run_page, demo_url):
    at = run_page(str(PAGES / "plan.py"), demo_url)
    assert not at.exception
    assert not at.get("vega_lite_chart")
    html = chart_html(at, "Expected reps per attainment band")
    labels = [unescape(label) for label in re.findall(r'opacity:0.7">([^<]*)<', html)]
    assert labels == [label for _, _, label in BANDS]
    current = [t for t in tips(html) if t.startswith("Current quotas, ")]
    suggested = [t for t in tips(html) if t.startswith("Suggested quotas, ")]
    assert len(current) == len(suggested) == len(BANDS)

    def reps(lines: list[str]) -> list[float]:
        return [float(t.split(": ")[1].split(" ")[0]) for t in lines]

    # the same reps in both: each set of quotas spreads them over the bands
    assert sum(reps(current)) == pytest.approx(sum(reps(suggested)), abs=0.2)
    # the share at quota (bands from 100%) is the headline's, to the bars' one decimal
    value, change = figure_tables(at)["Expected at quota"]
    at_quota = [low >= 1.0 for low, _, _ in BANDS]
    for counts, said in ((reps(suggested), value), (reps(current), change.split(" vs ")[1])):
        share = sum(c for c, full in zip(counts, at_quota, strict=True) if full) / sum(counts)
        assert share * 100 == pytest.approx(float(said.split("%")[0]), abs=1.0)


def test_rep_time_bands_and_team_hours_are_the_logged_hours(run_page, demo_url):
    at = run_page(str(PAGES / "time_allocation.py"), demo_url, PERIOD)
    assert not at.exception
    assert not at.get("vega_lite_chart")  # the bar per rep draws when opened
    bands = tips(chart_html(at, "Reps per selling-share band"))
    below = sum(
        int(t.split(": ")[1].split(" ")[0]) for t in bands if t.endswith("below the benchmark")
    )
    above = sum(int(t.split(": ")[1].split(" ")[0]) for t in bands if "at/above" in t)
    assert "benchmark 33%" in bands
    reps = figures_shown(at)["Reps below benchmark"]
    assert reps == f"{below} of {below + above}"
    hours = tips(chart_html(at, "Team hours by activity"))
    rows = sqlite_rows(
        demo_url,
        "SELECT activity, SUM(hours) FROM activities WHERE week_start BETWEEN ? AND ? "
        "GROUP BY activity",
        "2025-10-01",
        "2026-09-30",
    )
    logged = {activity: total for activity, total in rows if total}
    assert len(hours) == len(logged)
    for tip in hours:
        activity = tip.split(" (")[0]
        assert f"): {logged[activity]:,.1f} h, " in tip, tip
    total = sum(logged.values())
    assert f">{total:,.0f} h<" in chart_html(at, "Team hours by activity")
    assert figures_shown(at)["Hours logged"] == f"{total:,.0f}"


def test_cash_funnel_bars_are_the_periods_deals_and_orders(run_page, demo_url):
    at = run_page(str(PAGES / "cash.py"), demo_url, PERIOD)
    assert not at.exception
    html = chart_html(at, "Booked, ordered, invoiced, paid")
    start, end = PERIOD["from"], PERIOD["to"]
    orders = "FROM orders WHERE date(ordered_at) BETWEEN ? AND ?"
    expected = {
        "Booked (deals won)": sqlite_rows(
            demo_url,
            "SELECT COUNT(*), SUM(amount) FROM opportunities "
            "WHERE outcome = 'won' AND date(closed_at) BETWEEN ? AND ?",
            start,
            end,
        )[0],
        "Ordered": sqlite_rows(demo_url, f"SELECT COUNT(*), SUM(amount) {orders}", start, end)[0],
        "Invoiced": sqlite_rows(
            demo_url,
            f"SELECT COUNT(*), SUM(amount) {orders} AND date(invoiced_at) <= ?",
            start,
            end,
            end,
        )[0],
        "Paid": sqlite_rows(
            demo_url,
            f"SELECT COUNT(*), SUM(amount) {orders} AND date(paid_at) <= ?",
            start,
            end,
            end,
        )[0],
    }
    assert tips(html) == [
        f"{label}: ${amount:,.0f} · count {count:,}" for label, (count, amount) in expected.items()
    ]
    written = re.findall(r'padding-left:0.5rem;white-space:nowrap">([^<]*)<', html)
    assert written[0] == figures_shown(at)["Booked"]  # the bar beside the tile says the same


def test_pipeline_waterfall_bars_are_the_reviews_movements(run_page, demo_url):
    from typer.testing import CliRunner

    from salesops.cli import app
    from salesops.formatting import format_money
    from salesops.pipeline_review.waterfall import STEP_LABELS

    at = run_page(str(PAGES / "pipeline_review.py"), demo_url)
    assert not at.exception
    assert not at.get("vega_lite_chart")
    week = at.session_state["pipeline_review.week"].start
    result = CliRunner().invoke(
        app, ["review", "--week", week.isoformat(), "--format", "json", "--url", demo_url]
    )
    assert result.exit_code == 0, result.output
    expected = json.loads(result.stdout)["waterfall"]
    bars = tips(chart_html(at, "Pipeline waterfall"))
    assert [t.split(": ")[0] for t in bars] == list(STEP_LABELS.values())
    for step, tip in zip(STEP_LABELS, bars, strict=True):
        assert tip.split(": ")[1].split(" · ")[0] == format_money(expected[step], "USD", full=True)
    movements = sum(expected[step] for step in STEP_LABELS if step not in ("opening", "closing"))
    assert expected["opening"] + movements == pytest.approx(expected["closing"])
    figures = figures_shown(at)
    assert figures["Opening pipeline"] == format_money(expected["opening"], "USD")
    assert figures["Closing pipeline"] == format_money(expected["closing"], "USD")
