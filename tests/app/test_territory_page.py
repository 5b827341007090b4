from __future__ import annotations

from pathlib import Path

from salesops.ui.territory import ASSUMPTIONS_OPEN
from tests.app.conftest import figures_shown, shown, territories_shown, text_tables

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "territory.py")
APP = str(Path(__file__).resolve().parents[2] / "app.py")


# Tables in the order their tab draws them (AppTest does not expose st.dataframe keys); the
# page's lower sections are tabs of which only the open one is drawn.
REPS = MOVES = 0  # the territories (20 at most) are a table drawn as text
SWAPS, BEFORE_AFTER = 1, 2
TABS = ["Territories", "Reps", "Potential per selling hour", "Rebalancing proposal"]


def _open(at, tab: str):
    """Opens one of the page's lower tabs and reruns."""
    at.session_state["territory.tabs"] = tab
    return at.run()


def _proposal(at):
    return _open(at, "Rebalancing proposal")


def table(at, index: int):
    return at.dataframe[index].value


def metric(at, label_start: str) -> str:
    """Returns the first figure (metric tile or figure table) whose label starts so."""
    return next(v for label, v in figures_shown(at).items() if label.startswith(label_start))


def test_the_territories_text_table_fits_the_page_and_every_column_is_one_click_away(
    run_page, demo_url
):
    """A text table has at most Settings.static_table_columns columns (19 ran past the page);
    the rest are in a grid drawn only when its expander is opened."""
    from salesops.config import Settings
    from salesops.ui.territory import TERRITORY_BRIEF

    at = run_page(PAGE, demo_url)
    assert not at.exception
    text = text_tables(at)[0]
    assert len(text.columns) == len(TERRITORY_BRIEF) <= Settings().static_table_columns
    assert list(text.columns[:3]) == ["Territory", "Flag", "Utilisation"]
    assert not at.dataframe  # no grid before the click
    expander = next(e for e in at.expander if e.label.startswith("All "))
    at.session_state["territory.territories.all_columns"] = True
    at.run()
    assert not at.exception
    grid = table(at, 0)
    assert len(grid) == len(text)
    assert len(grid.columns) > len(text.columns)
    assert expander.label == f"All {len(grid.columns)} columns"
    assert {"potential", "quota", "region"} <= set(grid.columns), list(grid.columns)


def test_demo_renders_utilisation_flags_tables_and_proposal(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.exception
    assert [t.label for t in at.tabs] == TABS
    assert [s.value for s in at.subheader] == ["Utilisation", "Territories", "Quotas and hires"]
    for tab in TABS:
        _open(at, tab)
        assert not at.exception, tab
        assert [s.value for s in at.subheader] == ["Utilisation", tab, "Quotas and hires"]
    _open(at, "Reps")
    assert len(table(at, REPS)) > 0 and "rep" in table(at, REPS).columns
    _open(at, "Territories")
    territories = territories_shown(at)  # 20 territories at most: a table as text
    u = territories["utilisation"].astype("float64")  # shown in percent
    # every flag agrees with the territory's own utilisation and the 70-110% band
    assert ((territories["flag"] == "over-loaded") == (u > 110)).all()
    assert ((territories["flag"] == "under-loaded") == (u < 70)).all()
    assert int(metric(at, "Over-loaded")) == int((territories["flag"] == "over-loaded").sum())
    # the capacity definition, with the numbers in use, is on the page
    assert any("Capacity = weekly hours × 46 working weeks" in c.value for c in at.caption)
    assert any("Utilisation: Workload hours" in c.value or "Workload hours" in c.value
               for c in at.caption)  # fmt: skip
    _proposal(at)
    moves = table(at, MOVES)
    assert 0 < len(moves) <= 25
    assert {"current_owner", "open_pipeline"} <= set(moves.columns)
    assert moves["current_owner"].notna().any()
    swaps = table(at, SWAPS)
    assert len(swaps) > 0 and {"partner_account", "partner_owner"} <= set(swaps.columns)
    compare = table(at, BEFORE_AFTER)
    assert {"utilisation_before", "utilisation_after"} <= set(compare.columns)
    after = float(metric(at, "Load balance after"))
    before = next(c.value for c in at.caption if c.value.startswith("Before the proposal"))
    assert after <= float(before.split("load balance ")[1].split(",")[0])


def test_proposal_widgets_change_the_output(run_page, demo_url):
    at = _proposal(run_page(PAGE, demo_url))
    at.number_input(key="territory.max_moves").set_value(3).run()
    assert not at.exception
    assert len(table(at, MOVES)) == 3
    # The small demo has one territory per region and segment: both constraints -> infeasible,
    # with the nearest feasible proposal beside it (and no red "+0.000").
    at.number_input(key="territory.max_swaps").set_value(0).run()
    at.checkbox(key="territory.same_region").check().run()
    assert not at.exception
    assert any(shown(w.value).startswith("Infeasible: No account may move") for w in at.warning)
    assert any("Nearest feasible: without same region only" in shown(i.value) for i in at.info)
    assert table(at, MOVES).empty
    assert all(not m.delta for m in at.metric if m.label.startswith("Load balance after"))


def test_band_and_account_hours_change_the_flags(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.slider  # the assumptions' widgets are drawn once their expander is opened
    at.session_state[ASSUMPTIONS_OPEN] = True
    at.run()
    at.slider(key="territory.band").set_value((0, 200)).run()
    assert not at.exception
    assert metric(at, "Over-loaded") == "0" and metric(at, "Under-loaded") == "0"
    at.slider(key="territory.band").set_value((70, 110)).run()
    at.number_input(key="territory.hours.SMB").set_value(500.0).run()  # stated: far more work
    smb = territories_shown(at).assign(segment=text_tables(at)[0]["Segment"])
    assert set(smb.loc[smb["segment"] == "SMB", "flag"]) == {"over-loaded"}
    # Closed again, the widgets are gone and the page keeps computing with what they said.
    at.session_state[ASSUMPTIONS_OPEN] = False
    at.run()
    assert not at.exception and not at.slider
    smb = territories_shown(at).assign(segment=text_tables(at)[0]["Segment"])
    assert set(smb.loc[smb["segment"] == "SMB", "flag"]) == {"over-loaded"}
    at.session_state[ASSUMPTIONS_OPEN] = True  # reopened, they show what was chosen
    at.run()
    assert at.slider(key="territory.band").value == (70, 110)
    assert at.number_input(key="territory.hours.SMB").value == 500.0


def test_empty_database_shows_the_empty_state(run_page, empty_url):
    at = run_page(PAGE, empty_url)
    assert not at.exception
    assert any("No opportunities yet" in i.value or "No territories" in i.value for i in at.info)
    assert not at.dataframe and not text_tables(at)


def test_unreachable_database_is_one_clear_sentence(run_page, tmp_path):
    at = run_page(PAGE, f"sqlite:///{tmp_path / 'missing.db'}")
    assert not at.exception
    assert any("Can't reach the database" in e.value for e in at.error)


def test_tampered_query_params_fall_back_with_a_warning(run_page, demo_url):
    at = run_page(PAGE, demo_url, query={"territory": "1 OR 1=1", "segment": "'; DROP"})
    assert not at.exception
    assert any("Ignored" in w.value for w in at.warning)
    assert len(territories_shown(at)) == 6


def test_overview_shows_the_territory_headline(run_page, demo_url):
    at = run_page(str(Path(PAGE).parents[1] / "pages" / "overview.py"), demo_url)
    assert not at.exception
    assert "Territory balance" in [s.value for s in at.subheader]
    assert "Over-loaded territories" in figures_shown(at)


def test_database_without_schema_says_how_to_fix_it(run_page, tmp_path):
    import sqlite3

    path = tmp_path / "bare.db"
    sqlite3.connect(path).close()  # the file exists, no salesops tables
    at = run_page(PAGE, f"sqlite:///{path}")
    assert not at.exception
    assert any("salesops db init" in w.value for w in at.warning)


def test_proposal_can_be_switched_off(run_page, demo_url):
    at = _proposal(run_page(PAGE, demo_url))
    assert at.toggle(key="territory.propose").value is True  # small company: on by default
    at.toggle(key="territory.propose").set_value(False).run()
    assert not at.exception
    assert not any(m.label.startswith("Load balance after") for m in at.metric)
    assert len(at.dataframe) == 0  # no moves, swaps or before/after
