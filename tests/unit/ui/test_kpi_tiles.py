"""KPI tiles as HTML (salesops.ui.kpis.tile_html): what st.metric showed, definition visible."""

from __future__ import annotations

import re
from html import unescape

import pytest

from salesops.config import Settings
from salesops.figures import Figure
from salesops.kpis.metrics import KPIS
from salesops.ui import kpis as ui
from salesops.ui.kpis import TONES, tile_cell, tile_html


@pytest.fixture(autouse=True)
def _settings(monkeypatch):
    monkeypatch.setattr(ui, "settings", lambda: Settings())


def texts(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r">([^<>]+)<", html)]


def delta_colour(html: str) -> str | None:
    found = re.search(r'font-size:0.875rem;color:([^"]+)">', html)
    return found[1] if found else None


@pytest.mark.parametrize(
    ("name", "now", "before", "tone"),
    [
        ("win_rate", 0.30, 0.25, "good"),  # +5 pp, higher is better
        ("win_rate", 0.25, 0.30, "bad"),
        ("win_rate", 0.251, 0.25, "off"),  # +0.1 pp: below the noise threshold
        ("cac", 60_000.0, 40_000.0, "bad"),  # lower is better
        ("cac", 40_000.0, 60_000.0, "good"),
        ("avg_sales_cycle_days", 80.0, 90.0, "good"),
    ],
)
def test_the_change_is_coloured_by_good_or_bad_news_with_an_arrow(name, now, before, tone):
    kpi = KPIS[name]
    html = tile_html(kpi, Figure(now), Figure(before), now - before, "USD")
    assert delta_colour(html) == TONES[tone]
    shown = texts(html)
    assert shown[0] == kpi.label
    arrow = "↑ +" if now > before else "↓ -"
    assert shown[2].startswith(arrow), shown
    assert shown[-1] == kpi.definition  # written under the figure, not behind a hover
    assert f'aria-label="{kpi.label}"' in html


def test_an_undefined_figure_says_why_and_no_change_is_grey():
    kpi = KPIS["cac"]
    html = tile_html(
        kpi, Figure.undefined("no acquisition spend recorded"), Figure(5.0), None, "USD"
    )
    assert texts(html)[1:] == ["—", "— no acquisition spend recorded", kpi.definition]
    assert delta_colour(html) is None
    html = tile_html(KPIS["win_rate"], Figure(0.3), Figure(0.3), 0.0, "USD")
    assert delta_colour(html) == TONES["off"] and "no change" in texts(html)


def test_labels_and_reasons_are_escaped():
    kpi = KPIS["win_rate"]
    html = tile_html(kpi, Figure(0.3, "<img src=x>"), Figure(None, "x"), None, "USD")
    assert "<img" not in html and "&lt;img src=x&gt;" in html


def test_a_bookings_tile_says_its_share_and_pace_in_its_tone_and_its_definition():
    # the Overview's bookings tiles (salesops.ui.overview.bookings_headline)
    html = tile_cell(
        "Bookings, Q4 2026 to date",
        "$12.3M",
        ["82% of quota", "$12.3M booked: 82% of the $15M Q4 2026 quota: 6 pp ahead of pace."],
        "good",
        definition="Won amount closed from the start of the period.",
    )
    assert texts(html)[1:3] == ["$12.3M", "82% of quota"]
    assert html.count(f"color:{TONES['good']}") == 2  # the share and the pace sentence
    assert texts(html)[-1] == "Won amount closed from the start of the period."
    # on pace (or no quota): grey; no definition, no italic line
    plain = tile_cell("Your win rate", "31.0%", ["on pace"], "neutral")
    assert f"color:{TONES['off']}" in plain and "italic" not in plain
    assert texts(tile_cell("<b>", "1")) == ["<b>", "1"] and "<b>" not in tile_cell("<b>", "1")
