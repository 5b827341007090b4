"""An import updates the call rollups by difference, to the rows a rebuild gives.

Each import below runs on a database whose call rollups were already built, so it takes
the incremental path (salesops.db.rollups_call_update, its log line says so); the rows it
leaves in every call rollup (per unit and per rep) must equal, row for row and to the bit,
what rebuild_call_rollups writes from the same spans: deals added (some dated years back),
deals moved on, won, lost, pushed, re-priced, given to another rep, reps moved to another
manager or territory, and a quarter the history reaches for the first time. The last tests
show the comparison catches a deal whose share was not updated, and that a rebuild in
blocks of quarters gives the rows of one sweep. SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import numpy as np
import pytest
import sqlalchemy as sa

from salesops.calendar import quarter_of
from salesops.db import rollups_call
from salesops.db import schema as s
from salesops.db.rollups import update_history_spans
from salesops.db.rollups_call import rebuild_call_rollups
from salesops.db.rollups_call_update import CallRollupUpdate
from salesops.db.schema_call import (
    CALL_ROLLUP_TABLES,
    rollup_call_rep_changes,
    rollup_call_rep_won_days,
    rollup_call_snapshots,
    rollup_call_won_days,
)
from salesops.importing.plan import ValidationContext
from salesops.importing.reading import CsvInput
from salesops.importing.report import import_files

SF_HEADER = (
    "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,Close Date,"
    "Stage,Amount,Forecast Category"
)
OPEN_STAGES = ("Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review")
CATEGORIES = ("Pipeline", "Best Case", "Commit", "")
OWNERS = ("Ann Lee", "Bob Ray", "Cy Dee", "Di Fox")
INCREMENTAL = "updated by difference"


def _key(row: tuple) -> tuple:
    return tuple((v is not None, str(v)) for v in row)


def rows(bind: sa.Engine | sa.Connection) -> dict[str, list[tuple]]:
    """Returns every call rollup's rows, sorted (None first)."""
    if isinstance(bind, sa.Engine):
        with bind.connect() as conn:
            return rows(conn)
    return {
        t.name: sorted((tuple(r) for r in bind.execute(sa.select(t))), key=_key)
        for t in CALL_ROLLUP_TABLES
    }


def rebuilt(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Returns the rows a full rebuild gives (the rebuild is rolled back afterwards)."""
    with engine.connect() as conn:
        trans = conn.begin()
        rebuild_call_rollups(conn)
        got = rows(conn)
        trans.rollback()
    return got


def assert_as_rebuilt(engine: sa.Engine) -> None:
    got, want = rows(engine), rebuilt(engine)
    for table in (rollup_call_snapshots, rollup_call_rep_changes):
        assert len(want[table.name]) > 100
    for table in (rollup_call_won_days, rollup_call_rep_won_days):
        assert len(want[table.name]) > 5
    for name in want:
        assert got[name] == want[name], name


def sf_row(deal: dict) -> str:
    return ",".join(
        str(deal[k])
        for k in ("id", "name", "account", "owner", "created", "close", "stage", "amount", "cat")
    )


def sf_file(deals: list[dict], name: str) -> CsvInput:
    return CsvInput(name, ("\n".join([SF_HEADER, *map(sf_row, deals)]) + "\n").encode())


def sf_deals(rng: np.random.Generator, prefix: str, count: int, first: date, last: date):
    """Returns `count` deals created in [first, last): open ones and some closed by `last`."""
    deals = []
    for i in range(count):
        created = first + timedelta(days=int(rng.integers(0, (last - first).days)))
        close = created + timedelta(days=int(rng.integers(5, 220)))
        closed = close < last and rng.random() < 0.5
        stage = rng.choice(["Closed Won", "Closed Lost"]) if closed else rng.choice(OPEN_STAGES)
        deals.append(
            {
                "id": f"{prefix}{i:04d}",
                "name": f"Deal {prefix}{i}",
                "account": f"Account {i % 7}",
                "owner": OWNERS[i % len(OWNERS)],
                "created": created.isoformat(),
                "close": close.isoformat(),
                "stage": str(stage),
                "amount": f"{int(rng.integers(100, 90_000))}.{int(rng.integers(0, 100)):02d}",
                "cat": rng.choice(CATEGORIES) if not closed else "",
            }
        )
    return deals


def sf_import(engine: sa.Engine, deals: list[dict], name: str, as_of: date) -> None:
    outcome = import_files(
        engine, [sf_file(deals, name)], "salesforce", context=ValidationContext(as_of=as_of)
    )
    assert outcome.written, outcome.message


def move_on(rng: np.random.Generator, deals: list[dict], as_of: date) -> list[dict]:
    """Returns the deals with every fourth open one changed in one way or another at `as_of`."""
    out = []
    for i, deal in enumerate(deals):
        deal = dict(deal)
        if deal["stage"] in OPEN_STAGES and i % 4 == 0:
            change = (i // 4) % 6
            if change == 0:
                deal["stage"], deal["close"], deal["cat"] = "Closed Won", as_of.isoformat(), ""
            elif change == 1:
                deal["stage"], deal["close"], deal["cat"] = "Closed Lost", as_of.isoformat(), ""
            elif change == 2:
                deal["close"] = (as_of + timedelta(days=int(rng.integers(10, 150)))).isoformat()
            elif change == 3:
                deal["amount"] = f"{int(rng.integers(100, 90_000))}.25"
                deal["cat"] = "Commit"
            elif change == 4:
                deal["stage"] = OPEN_STAGES[-1]
                deal["owner"] = OWNERS[(OWNERS.index(deal["owner"]) + 1) % len(OWNERS)]
        out.append(deal)
    return out


def _first_deals() -> tuple[list[dict], np.random.Generator]:
    """Returns the 400 first deals and the generator that made them, ready for the next."""
    rng = np.random.default_rng(14)
    return sf_deals(rng, "006A", 400, date(2023, 7, 1), date(2025, 7, 10)), rng


def _import_first_deals(engine: sa.Engine) -> None:
    sf_import(engine, _first_deals()[0], "first.csv", date(2025, 7, 10))


@pytest.fixture
def sf_engine(engine, filled_copy):
    """A database holding 400 Salesforce deals of two years, its call rollups built."""
    deals, rng = _first_deals()
    return filled_copy(engine, _import_first_deals), deals, rng


def test_an_import_of_new_and_changed_deals_updates_the_rollups_as_a_rebuild(sf_engine, caplog):
    engine, deals, rng = sf_engine
    deals = move_on(rng, deals, date(2025, 8, 20))
    # new deals: some dated back a year and a half (their quarters change too), some recent
    deals += sf_deals(rng, "006B", 12, date(2024, 1, 1), date(2025, 8, 20))
    with caplog.at_level(logging.INFO, logger="salesops.db.rollups_call_update"):
        sf_import(engine, deals, "second.csv", date(2025, 8, 20))
    assert INCREMENTAL in caplog.text
    assert_as_rebuilt(engine)


def test_an_import_reaching_a_new_quarter_builds_it_and_updates_the_rest(sf_engine, caplog):
    engine, deals, rng = sf_engine
    deals = move_on(rng, deals, date(2025, 10, 15))  # Q4: not built yet
    deals += sf_deals(rng, "006C", 6, date(2025, 9, 1), date(2025, 10, 15))
    with caplog.at_level(logging.INFO, logger="salesops.db.rollups_call_update"):
        sf_import(engine, deals, "third.csv", date(2025, 10, 15))
    assert INCREMENTAL in caplog.text
    with engine.connect() as conn:
        quarters = conn.execute(
            sa.select(rollup_call_snapshots.c.quarter_start).distinct()
        ).scalars()
        assert date(2025, 10, 1) in {date.fromisoformat(str(q)[:10]) for q in quarters}
    assert_as_rebuilt(engine)


MAVEN_TEAMS = "sales_agent,manager,regional_office"
MAVEN_PIPELINE = (
    "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value"
)
AGENTS = {
    "Ada North": ("Mia Boss", "Central"),
    "Ben South": ("Mia Boss", "Central"),
    "Cal East": ("Ned Chief", "East"),
    "Dee West": ("Ned Chief", "West"),
    **{
        f"Agent {i}": (("Mia Boss", "Ned Chief")[i % 2], ("Central", "East")[i // 3 % 2])
        for i in range(8)
    },
}


def maven_files(agents: dict, pipeline: list[str], tag: str) -> list[CsvInput]:
    teams = [MAVEN_TEAMS, *(f"{a},{m},{o}" for a, (m, o) in agents.items())]
    return [
        CsvInput(f"teams-{tag}.csv", ("\n".join(teams) + "\n").encode()),
        CsvInput(f"pipeline-{tag}.csv", ("\n".join([MAVEN_PIPELINE, *pipeline]) + "\n").encode()),
    ]


def maven_deals(rng: np.random.Generator, count: int) -> list[list[str]]:
    out = []
    names = list(AGENTS)
    for i in range(count):
        engaged = date(2024, 1, 1) + timedelta(days=int(rng.integers(0, 540)))
        closed = engaged + timedelta(days=int(rng.integers(5, 120)))
        stage = "Engaging" if closed >= date(2025, 7, 1) or i % 3 == 0 else ("Won", "Lost")[i % 2]
        close = closed.isoformat() if stage in ("Won", "Lost") else ""
        value = str(int(rng.integers(50, 9000))) if stage == "Won" else ("0" if close else "")
        agent = names[i % len(names)]
        out.append([f"M{i:05d}", agent, "GTX", "", stage, engaged.isoformat(), close, value])
    return out


def test_reps_moved_to_another_team_or_territory_move_their_deals_share(engine, caplog):
    rng = np.random.default_rng(7)
    deals = maven_deals(rng, 300)
    context = ValidationContext(as_of=date(2025, 7, 10))
    first = maven_files(AGENTS, [",".join(d) for d in deals], "1")
    assert import_files(engine, first, "maven", context=context).written
    agents = dict(AGENTS)
    agents["Ada North"] = ("Ned Chief", "West")  # another team and territory
    agents["Ben South"] = ("Ned Chief", "Central")  # another team only
    for i, deal in enumerate(deals):
        if deal[4] == "Engaging" and i % 12 == 1:
            deal[1] = "Cal East"  # another rep, nothing else changed
        elif deal[4] == "Engaging" and i % 12 == 2:
            deal[4], deal[6], deal[7] = "Won", "2025-08-20", "700"
    second = maven_files(agents, [",".join(d) for d in deals], "2")
    context = ValidationContext(as_of=date(2025, 8, 20))
    with caplog.at_level(logging.INFO, logger="salesops.db.rollups_call_update"):
        outcome = import_files(engine, second, "maven", context=context)
    assert outcome.written, outcome.message
    assert INCREMENTAL in caplog.text
    assert_as_rebuilt(engine)


def _history_row(conn: sa.Connection, deal: int, when: date, stage: str, outcome: str) -> None:
    h = s.opportunity_history
    last = conn.execute(
        sa.select(h.c.amount, h.c.expected_close_date, h.c.forecast_category)
        .where(h.c.opportunity_id == deal)
        .order_by(h.c.changed_at.desc(), h.c.id.desc())
        .limit(1)
    ).one()
    conn.execute(
        h.insert().values(
            opportunity_id=deal,
            changed_at=when,
            stage=stage,
            outcome=outcome,
            amount=last[0],
            expected_close_date=last[1],
            forecast_category=last[2],
        )
    )


@pytest.mark.parametrize("skipped", [False, True], ids=["every deal", "one deal skipped"])
def test_a_deal_left_out_of_the_update_leaves_rows_a_rebuild_does_not_give(sf_engine, skipped):
    """The comparison above is sharp: one touched deal not updated breaks it."""
    engine = sf_engine[0]
    o, h = s.opportunities.c, s.opportunity_history.c
    when = date(2025, 8, 1)
    with engine.connect() as conn:
        # two deals open through August, each with a row of its own before then
        open_deals = (
            sa.select(o.id)
            .where(o.outcome == "open")
            .where(~sa.exists().where(h.opportunity_id == o.id, h.changed_at >= when))
            .order_by(o.id)
            .limit(2)
        )
        first, second = conn.execute(open_deals).scalars().all()
    with engine.begin() as conn:
        call = CallRollupUpdate(conn)
        _history_row(conn, first, when, "Closed Won", "won")
        _history_row(conn, second, when, "Negotiation/Review", "open")
        update_history_spans(conn, [first], call)
        # the second deal's spans are replaced with or without the call rollups seeing it
        update_history_spans(conn, [second], None if skipped else call)
        call.finish()
    got, want = rows(engine), rebuilt(engine)
    for table in (rollup_call_snapshots, rollup_call_rep_changes):
        if skipped:
            assert got[table.name] != want[table.name]
        else:
            assert got[table.name] == want[table.name]


def test_a_rebuild_in_blocks_of_quarters_gives_the_rows_of_one_sweep(sf_engine, monkeypatch):
    """Each block reads only the spans and won rows overlapping its quarters: same rows."""
    engine = sf_engine[0]
    whole = rebuilt(engine)  # every quarter in one grid
    monkeypatch.setattr(rollups_call, "GRID_CELLS", 1)  # one quarter per block
    with engine.connect() as conn:
        quarters = rollups_call.snapshot_quarters(conn)
        assert len(rollups_call._blocks(quarters, 10)) == len(quarters) > 4
    assert rebuilt(engine) == whole


def test_the_rep_rollup_holds_the_days_a_cell_changes(sf_engine):
    """Each row changes a cell's sums; added up through a day they are that day's sums.

    Every deal here has a rep: summed over the reps, each day's deals per stage, category
    and bucket are the unit rollup's (which holds every day's sums).
    """
    got = rows(sf_engine[0])
    changes = got[rollup_call_rep_changes.name]
    assert changes and all(any(r[6:]) for r in changes)  # no change of nothing
    by_cell: dict[tuple, dict[int, int]] = {}
    for quarter, day, rep, stage, category, bucket, deals, *_ in changes:
        by_cell.setdefault((str(quarter)[:10], rep, stage, category, bucket), {})[day] = deals
    summed: dict[tuple, int] = {}
    for (quarter, _rep, stage, category, bucket), days in by_cell.items():
        length = (quarter_of(date.fromisoformat(quarter)).end - date.fromisoformat(quarter)).days
        level = 0
        for day in range(length + 1):
            level += days.get(day, 0)
            assert level >= 0
            if level:
                key = (quarter, day, stage, category, bucket)
                summed[key] = summed.get(key, 0) + level
    daily: dict[tuple, int] = {}
    for quarter, day, _t, _m, stage, category, bucket, deals, *_ in got[rollup_call_snapshots.name]:
        key = (str(quarter)[:10], day, stage, category, bucket)
        daily[key] = daily.get(key, 0) + deals
    assert summed == daily
    assert len(changes) < len(daily)  # fewer rows than days with deals
