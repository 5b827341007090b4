"""The Overview's bookings by month: HTML bars, no Vega chart at first paint (issue 21).

The bars must say what the deals say: each month's won amount and won and lost counts,
checked against plain SQL over the demo's opportunities.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pandas as pd

from salesops.charts.html_bars import Bar, bars_html, bookings_bars_html
from salesops.formatting import format_value
from tests.app.conftest import sqlite_rows

OVERVIEW = str(Path(__file__).resolve().parents[2] / "pages" / "overview.py")
MONTHLY_SQL = """
SELECT strftime('%Y-%m', closed_at) AS month,
       SUM(CASE WHEN outcome = 'won' THEN amount ELSE 0 END),
       SUM(outcome = 'won'), SUM(outcome = 'lost')
FROM opportunities WHERE outcome IN ('won', 'lost') GROUP BY month
"""


def _bookings_html(at) -> str:
    [body] = [h.proto.body for h in at.get("html") if "Bookings by month" in h.proto.body]
    return body


def test_bookings_by_month_are_html_bars_with_the_deals_own_figures(run_page, demo_url):
    at = run_page(OVERVIEW, demo_url)
    assert not at.exception
    assert not at.get("vega_lite_chart")  # the page's only chart was this one
    assert "Bookings by month" in [h.value for h in at.subheader]
    body = _bookings_html(at)
    tips = [unescape(t) for t in re.findall(r'title="([^"]*)"', body)]
    assert len(tips) == 12  # the trailing 12 months, as the Vega chart drew
    monthly = {m: (b, w, lost) for m, b, w, lost in sqlite_rows(demo_url, MONTHLY_SQL)}
    months = [pd.Timestamp(tip.split(":")[0]) for tip in tips]
    assert months == sorted(months) and len(set(months)) == 12
    for month, tip in zip(months, tips, strict=True):
        booked, won, lost = monthly.get(f"{month:%Y-%m}", (0, 0, 0))
        assert tip == f"{month:%B %Y}: ${booked:,.0f} booked · {won:,} won, {lost:,} lost"
        assert f">{format_value(booked, 'money', 'USD')}<" in body  # written above its bar
    assert sum(monthly.get(f"{m:%Y-%m}", (0,))[0] for m in months) > 0
    # the download keeps the same frame
    assert at.get("download_button")


def test_bars_scale_to_the_largest_and_write_each_value():
    html = bars_html(
        [
            Bar("Jan", 50.0, "$50", "January: $50"),
            Bar("Feb", 200.0, "$200", "February: $200"),
            Bar("Mar", -10.0, "-$10", "March: -$10"),
        ],
        "Bookings by month",
    )
    heights = re.findall(r"\* ([0-9.]+)\)", html)
    assert heights == ["0.2500", "1.0000", "0.0000"]  # a negative month is drawn flat
    for text in ("$50", "$200", "-$10", ">Jan<", ">Feb<", ">Mar<", 'title="March: -$10"'):
        assert text in html, text
    assert 'role="figure" aria-label="Bookings by month"' in html


def test_bars_escape_every_text_and_survive_an_all_zero_year():
    html = bars_html([Bar('<b>"x"</b>', 0.0, "<i>", "a & <script>")], "T<")
    assert "<b>" not in html and "<i>" not in html and "<script>" not in html
    assert "&lt;b&gt;&quot;x&quot;&lt;/b&gt;" in html and "a &amp; &lt;script&gt;" in html
    assert "* 0.0000)" in html


def test_bookings_bars_name_the_month_the_amount_in_full_and_the_counts():
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime(["2026-01-01", "2026-02-01"]),
            "bookings": [1_234_567.0, 0.0],
            "won": [12, 0],
            "lost": [1_030, 3],
        }
    )
    html = bookings_bars_html(frame, "EUR")
    assert "January 2026: €1,234,567 booked · 12 won, 1,030 lost" in html
    assert "February 2026: €0 booked · 0 won, 3 lost" in html
    assert ">€1.23M<" in html and ">Jan 2026<" in html
