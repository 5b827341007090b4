"""Benchmark: the call rollups' update by difference for a few changed deals, alone.

    flock /tmp/bench.lock python bench/bench_call_update.py --url sqlite:////tmp/copy.db \
        --deals 100 --repeat 3

What an import's CallRollupUpdate costs (bench_call_import.py times a whole import, 6-7
minutes at the large demo, most of it the other rollups): in one transaction, rolled back
at the end (the database is left as it was), `--deals` open deals (spread over the reps,
fixed by their ids) each get a history row dated on the last history day (a stage further,
or won for every third, or another rep for every fifth), their spans are replaced through
update_history_spans with the tracker, and `finish` settles the rest. Prints the seconds
(wall, CPU) of the spans' replacement with the tracker and of `finish`, the cells changed
and the load, per repeat, as JSON. Runs with any code that has CallRollupUpdate (before and
after the per-rep rollups). Not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from salesops.db import schema as s  # noqa: E402
from salesops.db.engine import make_engine  # noqa: E402
from salesops.db.rollups import update_history_spans  # noqa: E402
from salesops.db.rollups_call_update import CallRollupUpdate  # noqa: E402


def _load() -> list[str]:
    return Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3]


def _deals(conn: sa.Connection, count: int) -> list[int]:
    """Returns `count` open deals spread evenly over the open deals' ids."""
    o = s.opportunities.c
    ids = conn.execute(sa.select(o.id).where(o.outcome == "open").order_by(o.id)).scalars().all()
    step = max(1, len(ids) // count)
    return [int(i) for i in ids[::step][:count]]


def _change(conn: sa.Connection, deals: list[int]) -> None:
    """Writes a history row per deal on the last history day (and moves every fifth deal)."""
    h, o = s.opportunity_history, s.opportunities
    when = conn.execute(sa.select(sa.func.max(h.c.changed_at))).scalar_one()
    reps = conn.execute(sa.select(s.reps.c.id).order_by(s.reps.c.id)).scalars().all()
    for i, deal in enumerate(deals):
        last = conn.execute(
            sa.select(h.c.stage, h.c.amount, h.c.expected_close_date, h.c.forecast_category)
            .where(h.c.opportunity_id == deal)
            .order_by(h.c.changed_at.desc(), h.c.id.desc())
            .limit(1)
        ).one()
        won = i % 3 == 0
        conn.execute(
            h.insert().values(
                opportunity_id=deal,
                changed_at=when,
                stage="Closed Won" if won else last[0],
                outcome="won" if won else "open",
                amount=(last[1] or 0) + 100,
                expected_close_date=last[2],
                forecast_category=last[3],
            )
        )
    moved = deals[::5]
    before = dict(conn.execute(sa.select(o.c.id, o.c.rep_id).where(o.c.id.in_(moved))).all())
    for j, deal in enumerate(moved):
        conn.execute(o.update().where(o.c.id == deal).values(rep_id=reps[j % len(reps)]))
    return before


def run(url: str, count: int) -> dict:
    """Returns one rolled-back update's timings."""
    engine = make_engine(url)
    with engine.connect() as conn:
        trans = conn.begin()
        deals = _deals(conn, count)
        call = CallRollupUpdate(conn)
        before = _change(conn, deals)
        call.deal_reps_changed(before)
        load = _load()
        t, c = time.perf_counter(), time.process_time()
        update_history_spans(conn, deals, call)
        replaced = (round(time.perf_counter() - t, 3), round(time.process_time() - c, 3))
        t, c = time.perf_counter(), time.process_time()
        written = call.finish()
        finished = (round(time.perf_counter() - t, 3), round(time.process_time() - c, 3))
        trans.rollback()
    engine.dispose()
    return {
        "deals": len(deals),
        "replacing_wall_s": replaced[0],
        "replacing_cpu_s": replaced[1],
        "finish_wall_s": finished[0],
        "finish_cpu_s": finished[1],
        "written": written,
        "load": load,
    }


def main() -> None:
    """Runs the update `--repeat` times and prints each run as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--deals", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = [run(args.url, args.deals) for _ in range(args.repeat)]
    print(json.dumps({"url": args.url.split("@")[-1], "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
