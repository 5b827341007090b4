"""Benchmark: a small import into a large database, the call rollups updated with it.

    /usr/bin/time -v python bench/bench_call_import.py --url sqlite:////tmp/me/large.db \
        --step new --deals 100
    /usr/bin/time -v python bench/bench_call_import.py --url ... --step changed --deals 100

`new` imports `--deals` Salesforce deals created in the nine months before the as-of date
(half of those due before it closed) with an OpportunityHistory export of five rows each,
in one import; `changed` imports the same deals again a few days later, every open one
moved on (a stage further, won or lost, pushed), so existing deals change. The as-of date
is a few days after the database's last history row, in the same quarter (history rows
the export would date later are left out). Prints one JSON
line: wall and CPU seconds of the import, peak RSS of this process, the load average.
Run it on a copy of the large demo (it writes). Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_import import HEADER, OPEN_PATH, generate_history  # noqa: E402

from salesops.calendar import quarter_of  # noqa: E402
from salesops.db import schema as s  # noqa: E402
from salesops.db.engine import make_engine  # noqa: E402
from salesops.importing.plan import ValidationContext  # noqa: E402
from salesops.importing.reading import CsvInput  # noqa: E402
from salesops.importing.report import import_files  # noqa: E402


def deals_frame(count: int, as_of: date, seed: int = 14) -> pd.DataFrame:
    """Returns `count` deals in bench_import's layout, created in the 270 days before as_of."""
    rng = np.random.default_rng(seed)
    created = pd.Timestamp(as_of) - pd.to_timedelta(rng.integers(1, 270, count), unit="D")
    close = created + pd.to_timedelta(rng.integers(5, 200, count), unit="D")
    due = close < pd.Timestamp(as_of)
    closed = due & (rng.random(count) < 0.5)
    stage = np.where(closed, rng.choice(["Closed Won", "Closed Lost"], count), "")
    stage = np.where(closed, stage, rng.choice(OPEN_PATH, count))
    return pd.DataFrame(
        {
            "Opportunity ID": [f"006CALL{i:08d}" for i in range(count)],
            "Opportunity Name": [f"Call bench {i}" for i in range(count)],
            "Account Name": [f"Account {a}" for a in rng.integers(0, 50, count)],
            "Opportunity Owner": [f"Rep {r}" for r in rng.integers(0, 20, count)],
            "Created Date": created.strftime("%m/%d/%Y"),
            "Close Date": close.strftime("%m/%d/%Y"),
            "Stage": stage,
            "Amount": rng.integers(100, 200_000, count),
        }
    )[HEADER]


def moved_on(deals: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Returns the deals with each open one a stage further, won, lost or pushed at as_of."""
    out = deals.copy()
    is_open = out["Stage"].isin(OPEN_PATH).to_numpy()
    step = np.arange(len(out)) % 4
    today = pd.Timestamp(as_of).strftime("%m/%d/%Y")
    later = (pd.Timestamp(as_of) + pd.Timedelta(days=40)).strftime("%m/%d/%Y")
    out.loc[is_open & (step == 0), "Stage"] = "Closed Won"
    out.loc[is_open & (step == 1), "Stage"] = "Closed Lost"
    out.loc[is_open & (step < 2), "Close Date"] = today
    out.loc[is_open & (step == 2), "Stage"] = OPEN_PATH[-1]
    out.loc[is_open & (step == 3), "Close Date"] = later
    return out


def last_history_day(url: str) -> date:
    """Returns the database's last history date."""
    from sqlalchemy import func, select

    engine = make_engine(url, read_only=True)
    with engine.connect() as conn:
        last = conn.execute(select(func.max(s.opportunity_history.c.changed_at))).scalar()
    engine.dispose()
    return last if isinstance(last, date) else date.fromisoformat(str(last)[:10])


def main() -> None:
    """Writes the step's files, imports them and prints the measurements as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--step", choices=("new", "changed"), default="new")
    parser.add_argument("--deals", type=int, default=100)
    parser.add_argument("--workdir", default="/tmp/salesops_bench_call_import")
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    if args.step == "new":
        last = last_history_day(args.url)
        first_as_of = min(last + timedelta(days=3), quarter_of(last).end - timedelta(days=3))
        (work / "as_of").write_text(first_as_of.isoformat())
    else:
        first_as_of = date.fromisoformat((work / "as_of").read_text())
    as_of = first_as_of if args.step == "new" else first_as_of + timedelta(days=2)
    deals = deals_frame(args.deals, first_as_of)
    files = []
    if args.step == "changed":
        deals = moved_on(deals, as_of)
    us_dates = work / f"deals-{args.step}-us.csv"  # generate_history reads US dates
    deals.to_csv(us_dates, index=False)
    deals_csv = work / f"deals-{args.step}.csv"
    iso = deals.copy()
    for column in ("Created Date", "Close Date"):
        iso[column] = pd.to_datetime(iso[column], format="%m/%d/%Y").dt.strftime("%Y-%m-%d")
    iso.to_csv(deals_csv, index=False)
    files.append(CsvInput.from_path(deals_csv))
    if args.step == "new":
        history_csv = work / "history.csv"
        generate_history(us_dates, history_csv, per_deal=5)
        history = pd.read_csv(history_csv, dtype=str)
        dated = pd.to_datetime(history["CreatedDate"].str[:10])
        history[dated <= pd.Timestamp(as_of)].to_csv(history_csv, index=False)  # none later
        files.append(CsvInput.from_path(history_csv))
    engine = make_engine(args.url)
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    # one import, one transaction: the deals and (first time) their history
    outcome = import_files(engine, files, "salesforce", context=ValidationContext(as_of=as_of))
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "url": args.url.split("@")[-1],
                "step": args.step,
                "deals": args.deals,
                "as_of": as_of.isoformat(),
                "written": outcome.written,
                "message": outcome.message[:200],
                "seconds": round(seconds, 1),
                "cpu_seconds": round(
                    usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime, 1
                ),
                "peak_rss_mb": round(usage.ru_maxrss / 1024),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


if __name__ == "__main__":
    main()
