"""Every rollup table is maintained by rebuild_rollups' plan, and each step's reads are right.

A rollup added to the schema but not to salesops.db.rollup_steps.plan() would never be
refreshed by a load, an import or an undo; the tables a step reads come from its select.
"""

from __future__ import annotations

from salesops.db import rollup_steps
from salesops.db import schema as s

# Maintained apart from the plan: the spans by update_history_spans and the call rollups
# by salesops.db.rollups_call(_update), both called by rebuild_rollups itself.
KEPT_APART = {
    "rollup_history_spans",
    "rollup_call_snapshots",
    "rollup_call_won_days",
    "rollup_call_rep_changes",
    "rollup_call_rep_won_days",
}


def test_every_rollup_table_is_in_the_plan_once():
    planned = [step.table.name for step in rollup_steps.plan()]
    rollups = {t.name for t in s.metadata.sorted_tables if t.name.startswith("rollup_")}
    assert len(planned) == len(set(planned))
    assert rollups - KEPT_APART == set(planned)


def test_a_step_reads_the_tables_of_its_joins_and_subqueries():
    reads = {step.table.name: step.reads for step in rollup_steps.plan()}
    assert reads["rollup_closed_days"] == {"opportunities", "accounts", "leads"}
    assert reads["rollup_lead_days"] == {"leads", "accounts", "reps", "territories"}
    assert reads["rollup_stage_outcomes"] == {"opportunities", "opportunity_history", "accounts"}
    assert reads["rollup_quality_issues"] == {"opportunities", "leads", "accounts"}
    assert reads["rollup_closed_opportunities"] == {"rollup_closed_days"}


def test_a_rollup_reading_a_rollup_comes_after_it():
    seen: set[str] = set()
    for step in rollup_steps.plan():
        assert not {r for r in step.reads if r.startswith("rollup_")} - seen, step.table.name
        seen.add(step.table.name)
