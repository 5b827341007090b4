from __future__ import annotations

from pathlib import Path

import pytest

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "territory.py")
APP = str(Path(__file__).resolve().parents[2] / "app.py")


# Tables in page order (AppTest does not expose st.dataframe keys).
TERRITORIES, REPS, MOVES, BEFORE_AFTER, QUOTAS = range(5)


def table(at, index: int):
    return at.dataframe[index].value


def metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def test_demo_renders_flags_chart_tables_and_proposal(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert not at.exception
    assert [s.value for s in at.subheader] == [
        "Potential vs capacity",
        "Workload vs capacity",
        "Territories",
        "Reps",
        "Rebalancing proposal",
        "Quota suggestions",
    ]
    # The demo company has visibly over- and under-loaded territories.
    assert int(metric(at, "Over-loaded")) >= 1
    assert int(metric(at, "Under-loaded")) >= 1
    territories = table(at, TERRITORIES)
    assert {"over-loaded", "under-loaded"} <= set(territories["flag"])
    moves = table(at, MOVES)
    assert 0 < len(moves) <= 25
    compare = table(at, BEFORE_AFTER)
    assert compare["potential_after"].sum() == pytest.approx(compare["potential_before"].sum())
    after = float(metric(at, "CV after"))
    before = float(next(m.label for m in at.metric if m.label.startswith("CV after"))[-6:-1])
    assert after <= before


def test_proposal_widgets_change_the_output(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    at.number_input(key="territory.max_moves").set_value(3).run()
    assert not at.exception
    assert len(table(at, MOVES)) == 3
    # The small demo has one territory per region and segment: both constraints -> infeasible.
    at.checkbox(key="territory.same_region").check().run()
    assert not at.exception
    assert any("infeasible" in w.value and "same_region" in w.value for w in at.warning)
    assert table(at, MOVES).empty
    at.number_input(key="territory.max_moves").set_value(0).run()
    assert any("max_moves" in w.value for w in at.warning)


def test_threshold_and_peer_change_the_flags(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    at.slider(key="territory.threshold").set_value(100).run()
    assert not at.exception
    assert metric(at, "Over-loaded") == "0"
    at.slider(key="territory.threshold").set_value(25).run()
    at.radio(key="territory.peer").set_value("team").run()
    flags = table(at, TERRITORIES)
    enterprise = flags[flags["segment"] == "Enterprise"]
    # Compared with the whole team, Enterprise territories are all over-loaded (segment mix).
    assert set(enterprise["flag"]) == {"over-loaded"}


def test_quota_suggestions_sum_to_the_target(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    at.number_input(key="territory.target").set_value(10_000_000.0).run()
    assert not at.exception
    quotas = table(at, QUOTAS)
    assert quotas["suggested_quota"].sum() == pytest.approx(10_000_000.0, abs=0.01)
    assert {"flag", "current_quota", "suggested_quota"} <= set(quotas.columns)


def test_empty_database_shows_the_empty_state(run_page, empty_url):
    at = run_page(PAGE, empty_url)
    assert not at.exception
    assert any("No opportunities yet" in i.value or "No territories" in i.value for i in at.info)
    assert not at.dataframe


def test_unreachable_database_is_one_clear_sentence(run_page, tmp_path):
    at = run_page(PAGE, f"sqlite:///{tmp_path / 'missing.db'}")
    assert not at.exception
    assert any("Can't reach the database" in e.value for e in at.error)


def test_tampered_query_params_fall_back_with_a_warning(run_page, demo_url):
    at = run_page(PAGE, demo_url, query={"territory": "1 OR 1=1", "segment": "'; DROP"})
    assert not at.exception
    assert any("Ignored" in w.value for w in at.warning)
    assert len(table(at, TERRITORIES)) == 6


def test_overview_shows_the_territory_headline(run_page, demo_url):
    at = run_page(str(Path(PAGE).parents[1] / "pages" / "overview.py"), demo_url)
    assert not at.exception
    assert "Territory balance" in [s.value for s in at.subheader]
    assert any(m.label == "Over-loaded territories" for m in at.metric)


def test_database_without_schema_says_how_to_fix_it(run_page, tmp_path):
    import sqlite3

    path = tmp_path / "bare.db"
    sqlite3.connect(path).close()  # the file exists, no salesops tables
    at = run_page(PAGE, f"sqlite:///{path}")
    assert not at.exception
    assert any("salesops db init" in w.value for w in at.warning)


def test_proposal_can_be_switched_off(run_page, demo_url):
    at = run_page(PAGE, demo_url)
    assert at.toggle(key="territory.propose").value is True  # small company: on by default
    at.toggle(key="territory.propose").set_value(False).run()
    assert not at.exception
    assert not any(m.label.startswith("CV after") for m in at.metric)
    assert len(at.dataframe) == 3  # territories, reps, quotas


def test_quota_caption_shows_the_weights_in_settings(run_page, demo_url):
    from salesops.config import Settings
    from salesops.territory.quotas import QuotaWeights
    from salesops.ui.territory import quota_method

    at = run_page(PAGE, demo_url)
    assert any("60 % share of team potential + 40 % share" in c.value for c in at.caption)
    changed = Settings(quota_potential_weight=0.7, quota_history_weight=0.3, quota_tolerance=0.2)
    text = quota_method(QuotaWeights.from_settings(changed))
    assert "70 % share of team potential + 30 % share" in text and "more than 20 % off" in text
