"""AppTest: the Rep time allocation page on the demo database, an empty one and odd data."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from salesops.db import schema as s
from salesops.db.engine import make_engine
from salesops.db.migrate import bump_data_version
from salesops.db.rollups import refresh_rollups
from tests.app.conftest import figure_tables, figures_shown, open_filters, shown

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "time_allocation.py")


def _metric(at, label: str) -> str:
    """Returns a figure by label: a tile's, or a figure table's (the team figures)."""
    return figures_shown(at)[label]


def _open(at, tab: str):
    """Opens one of the page's lower tabs (only the open one is drawn) and reruns."""
    at.session_state["time.tabs"] = tab
    return at.run()


LOWER = {  # tab -> the subheader drawn in it
    "Hours by activity": "Hours by activity",
    "Trend": "Trend",
    "Unit costs": "Unit cost of back-office work",
    "What-if": "What-if: move back-office work to sales ops",
    "Moving the middle": "Moving the middle",
    "New-rep ramp": "New-rep ramp",
}


def test_demo_page_renders_every_section(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.exception
    assert _metric(at, "Team selling share").endswith("%")
    assert [t.label for t in at.tabs] == list(LOWER)
    subheaders = [h.value for h in at.subheader]
    assert "Selling share vs the one-third benchmark" in subheaders
    # first paint: the first tab only, the other tabs' sections are not drawn
    assert "Hours by activity" in subheaders
    assert not set(LOWER.values()) - {"Hours by activity"} & set(subheaders)
    downloads = 0
    for tab, title in LOWER.items():
        _open(at, tab)
        assert not at.exception, tab
        shown = [h.value for h in at.subheader]
        assert title in shown and [t for t in LOWER.values() if t in shown] == [title], tab
        downloads += len(at.get("download_button")) - 1  # less the rep summary's
        if tab == "What-if":
            assert _metric(at, "Extra revenue") != "—"
    assert downloads >= 6


def test_what_if_slider_changes_the_answer(run_page, demo_url):
    at = _open(run_page(PAGE, demo_url), "What-if")
    before = _metric(at, "Rep hours freed")
    at.slider(key="time.whatif_shift").set_value(75).run()
    assert not at.exception
    after = _metric(at, "Rep hours freed")
    assert after != before
    # 75% moves three times the hours of the default 25%
    assert float(after.replace(",", "")) == pytest.approx(3 * float(before.replace(",", "")), 0.01)
    at.slider(key="time.whatif_conversion").set_value(0).run()
    assert _metric(at, "Extra selling hours") == "0"


def test_middle_and_ramp_sliders(run_page, demo_url):
    at = _open(run_page(PAGE, demo_url), "Moving the middle")
    middle = _metric(at, next(m.label for m in at.metric if m.label.startswith("Lift the middle")))
    at.slider(key="time.middle_lift").set_value(30).run()
    label = next(m.label for m in at.metric if m.label.startswith("Lift the middle"))
    assert _metric(at, label) != middle
    per_hour = _metric(at, label)
    at.segmented_control(key="time.middle_basis").set_value("per_rep").run()
    assert not at.exception
    label = next(m.label for m in at.metric if m.label.startswith("Lift the middle"))
    assert _metric(at, label) != per_hour  # ranking by bookings picks another middle
    _open(at, "New-rep ramp")
    at.slider(key="time.ramp_months").set_value(0).run()
    assert _metric(at, "Bookings gained per new hire") == "$0"


def test_team_filter_narrows_the_reps(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    everyone = _metric(at, "Hours logged")
    open_filters(at).multiselect(key="filters.team").set_value(["Manager A"]).run()
    assert not at.exception
    assert _metric(at, "Hours logged") != everyone
    at.segmented_control(key="time.freq").set_value("M").run()
    assert not at.exception


def test_empty_database_shows_the_empty_state(run_page, empty_url):
    at = run_page(PAGE, empty_url)
    assert not at.exception
    assert any("salesops demo" in i.value for i in at.info)


def test_period_without_activity_hours(run_page, demo_url):
    at = run_page(PAGE, demo_url, query={"from": "2023-01-01", "to": "2023-01-01"})
    assert not at.exception
    assert any("No activity hours logged" in i.value for i in at.info)


def test_unknown_activity_is_named_not_dropped(run_page, demo_url, tmp_path):
    source = Path(demo_url.removeprefix("sqlite:///"))
    copy = tmp_path / "unknown.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{copy}{suffix}")
    url = f"sqlite:///{copy}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            s.activities.insert(),
            [
                {
                    "rep_id": 1,
                    "week_start": date(2026, 6, 1),
                    "activity": "Golf with prospects",
                    "hours": 6.0,
                }
            ],
        )
    refresh_rollups(engine)
    engine.dispose()
    at = run_page(PAGE, url)
    assert not at.exception
    assert any("'Golf with prospects'" in w.value for w in at.warning)


def test_tampered_query_params_fall_back_with_a_warning(run_page, demo_url):
    at = run_page(PAGE, demo_url, query={"rep": "99999", "from": "notadate"})
    assert not at.exception
    assert at.sidebar.warning
    assert _metric(at, "Team selling share").endswith("%")


OVERVIEW = str(Path(__file__).resolve().parents[2] / "pages" / "overview.py")


def test_overview_shows_the_time_headline(run_page, demo_url):
    at = run_page(OVERVIEW, demo_url)
    assert not at.exception
    assert "Rep time" in [h.value for h in at.subheader]
    figures = figure_tables(at)
    assert figures["Team selling share"][0].endswith("%")
    assert " of " in figures["Reps below one-third"][0]
    assert figures["Team selling share"][1].endswith(" pp vs 1/3")  # the benchmark: Settings


def test_benchmark_is_written_from_the_setting():
    from salesops.ui.time_allocation import benchmark_text, benchmark_words

    assert (benchmark_text(1 / 3), benchmark_words(1 / 3)) == ("1/3", "one-third")
    assert (benchmark_text(0.25), benchmark_words(0.25)) == ("1/4", "one-quarter")
    assert (benchmark_text(0.4), benchmark_words(0.4)) == ("2/5", "2/5")
    assert (benchmark_text(0.37), benchmark_words(0.37)) == ("37%", "37%")


def test_unreachable_database_is_one_clear_message(run_page):
    at = run_page(PAGE, "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert not at.exception
    assert any("Can't reach the database" in e.value for e in at.error)
    assert at.button(key="states.retry")


def test_file_without_schema_asks_for_init(run_page, tmp_path):
    path = tmp_path / "blank.db"
    make_engine(f"sqlite:///{path}").connect().close()  # creates an empty SQLite file
    at = run_page(PAGE, f"sqlite:///{path}")
    assert not at.exception
    assert any("salesops db init" in w.value for w in at.warning)


def test_team_comes_from_the_link_and_bad_teams_are_ignored(run_page, demo_url):
    at = run_page(PAGE, demo_url, query={"team": "Manager A"})
    assert not at.exception
    assert open_filters(at).multiselect(key="filters.team").value == ["Manager A"]
    bad = run_page(PAGE, demo_url, query={"team": "' OR 1=1--"})
    assert not bad.exception
    assert any("Ignored unknown team" in w.value for w in bad.warning)
    assert open_filters(bad).multiselect(key="filters.team").value == []
    mixed = run_page(PAGE, demo_url, query={"team": ["Nobody", "Manager A"]})
    assert not mixed.exception
    assert "Ignored unknown team 'Nobody' in the link; showing defaults." in [
        w.value for w in mixed.warning
    ]
    assert open_filters(mixed).multiselect(key="filters.team").value == ["Manager A"]
    assert mixed.query_params["team"] == "Manager A"  # written back without the bad one


def test_what_if_says_when_account_potential_caps_it(run_page, demo_url, tmp_path):
    # On the demo the accounts are worth far more than is booked: nothing caps the answer.
    at = _open(run_page(PAGE, demo_url), "What-if")
    assert _metric(at, "Extra revenue") != "$0"
    assert not any(shown(c.value).startswith("Capped by") for c in at.caption)
    source = Path(demo_url.removeprefix("sqlite:///"))
    copy = tmp_path / "saturated.db"
    shutil.copy(source, copy)
    url = f"sqlite:///{copy}"
    engine = make_engine(url)
    with engine.begin() as conn:  # accounts already sold to their full potential
        conn.execute(s.accounts.update().values(annual_potential=1.0))
        # a write outside an import: bump the data version as every import does, so the
        # results stored for the copied demo (the Overview's, rep time included) are not read
        bump_data_version(conn)
    engine.dispose()
    at = _open(run_page(PAGE, url), "What-if")
    assert not at.exception
    assert _metric(at, "Extra revenue") == "$0"
    assert "Capped by account potential: $0" in [shown(c.value) for c in at.caption]


def test_each_reps_hours_by_activity_is_drawn_only_when_opened(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.exception
    charts = len(at.get("vega_lite_chart"))
    at.session_state["time.rep_activity"] = True
    at.run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == charts + 1


def test_first_paint_shows_the_spread_and_each_reps_bar_only_when_opened(run_page, demo_url):
    """Issue 21: a bar per rep (200 at the large scale) is drawn when its expander opens."""
    import json

    from altair.vegalite.v6.schema.core import Root

    def specs(at) -> list[str]:
        return [c.proto.spec for c in at.get("vega_lite_chart")]

    at = run_page(PAGE, demo_url)
    assert not at.exception
    first = specs(at)
    assert not first  # no Vega at first paint: the bands and team hours are HTML bars
    drawn = [h.proto.body for h in at.get("html")]
    assert any('aria-label="Reps per selling-share band"' in body for body in drawn)
    at.session_state["time.rep_shares"] = True
    at.run()
    assert not at.exception
    opened = specs(at)
    assert len(opened) == len(first) + 1
    Root.validate(json.loads(next(spec for spec in opened if '"selling_share"' in spec)))
