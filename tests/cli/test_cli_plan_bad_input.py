"""Bad input for the capacity model, `salesops territory` and `salesops plan` (issue 17).

Each case changes a copy of the demo company and reads both commands' JSON: a clear sentence
or a labelled assumption, never NaN, Infinity or a traceback. (Unit tests pin the same cases
function by function: tests/unit/capacity, tests/unit/territory, tests/unit/plan.)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from salesops.cli import app
from salesops.db import schema as s
from salesops.db.engine import make_engine
from salesops.db.rollups import refresh_rollups

runner = CliRunner()


@pytest.fixture
def copy_url(demo_url, tmp_path) -> str:
    """Returns the URL of a private copy of the demo database (the test may change it)."""
    target = tmp_path / "demo.db"
    shutil.copy(Path(demo_url.removeprefix("sqlite:///")), target)
    return f"sqlite:///{target}"


def change(url: str, *statements) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(statement)
    refresh_rollups(engine)
    engine.dispose()


def read(command: str, url: str, *args: str) -> dict:
    result = runner.invoke(app, [command, "--url", url, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    return json.loads(result.stdout)


def test_no_time_logs_use_the_labelled_default_selling_share(copy_url):
    change(copy_url, sa.delete(s.activities))
    terr = read("territory", copy_url)
    capacity = terr["capacity"]
    assert capacity["team_selling_share_source"] == "assumed (no time logs)"
    assert capacity["team_selling_share"] == pytest.approx(1 / 3)
    sentence = "No time logs: every rep is assumed to sell 33.3% of their hours."
    assert sentence in capacity["definition"]
    assert {r["share_source"] for r in terr["reps"]} == {"assumed (no time logs)"}
    # Account hours cannot be measured without logs either: the stated default, labelled.
    assert {h["source"] for h in terr["settings"]["account_hours"]} == {
        "assumed (Settings default_account_hours)"
    }
    plan = read("plan", copy_url)
    assert plan["hire_profiles"]["(team)"]["full_capacity_hours"] > 0


def test_a_territory_with_no_reps_is_uncovered_and_gets_hires(copy_url):
    # Territory 6's reps move to territory 5: 6 keeps its accounts and has no rep.
    change(copy_url, sa.update(s.reps).where(s.reps.c.territory_id == 6).values(territory_id=5))
    terr = read("territory", copy_url)
    empty = next(t for t in terr["territories"] if t["territory_id"] == 6)
    assert empty["reps"] == 0 and empty["capacity_hours"] == 0 and empty["accounts"] > 0
    assert empty["flag"] == "uncovered"
    assert empty["utilisation"] is None and empty["utilisation_reason"] == "no capacity"
    assert empty["potential_per_rep"] is None and empty["potential_per_rep_reason"]
    assert terr["uncovered_potential"] == pytest.approx(empty["potential"])
    assert all(m["to_territory_id"] != 6 for m in terr["proposal"]["moves"])
    plan = read("plan", copy_url)
    hires = next(h for h in plan["hires"] if h["territory_id"] == 6)
    assert hires["coverage_hires"] >= 1 and hires["utilisation"] is None
    assert hires["utilisation_after"] is not None


def test_reps_with_zero_capacity_have_no_utilisation_and_the_plan_still_adds_up(copy_url):
    change(copy_url, sa.update(s.reps).where(s.reps.c.id.in_([5, 6])).values(
        weekly_capacity_hours=0))  # fmt: skip
    terr = read("territory", copy_url)
    zero = [r for r in terr["reps"] if r["rep_id"] in (5, 6)]
    assert [r["capacity_hours"] for r in zero] == [0, 0]
    assert all(r["utilisation"] is None and r["flag"] == "no capacity" for r in zero)
    assert all(r["workload_hours"] == 0 for r in zero)  # no account goes to an empty diary
    plan = read("plan", copy_url)
    assert plan["totals"]["quota_total"] == pytest.approx(plan["target"])


def test_a_target_below_current_bookings_lowers_quotas_and_says_so(copy_url):
    plan = read("plan", copy_url, "--target", "1000000")
    assert any("is below what these reps booked in the last 12 months" in n
               for n in plan["notes"])  # fmt: skip
    assert any("every quota is lowered in proportion" in n for n in plan["notes"])
    assert plan["totals"]["hires"] == sum(h["coverage_hires"] for h in plan["hires"])
    assert plan["totals"]["quota_total"] == pytest.approx(1_000_000, abs=0.01)


def test_impossible_constraints_name_the_binding_one_and_the_nearest_feasible(copy_url):
    terr = read("territory", copy_url, "--same-region", "--same-segment")
    proposal = terr["proposal"]
    assert proposal["status"] == "infeasible" and proposal["moves"] == []
    assert proposal["binding"] == "same_region"
    assert proposal["message"].startswith("No account may move")
    assert proposal["nearest"].startswith("Nearest feasible: without same region only")
    assert proposal["after"] == proposal["before"]  # the current assignment is kept


def test_an_impossible_plan_choice_is_one_sentence(copy_url):
    result = runner.invoke(app, ["plan", "--url", copy_url, "--attainment-target", "1.5"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "attainment" in result.output.lower()
