"""Benchmark: KPI page data at scale, three ways, with peak memory.

    python bench/bench_kpis.py --url sqlite:////path/large.db --url postgresql+psycopg://...

For each database URL, each approach runs in a fresh subprocess (so its peak RSS is its own):
- rollup:   kpi_report() as the page calls it (whole-month period -> rollup tables)
- pushdown: the same report with every fact query forced to GROUP BY on the base tables
- naive:    read whole tables into pandas, then group (what most dashboards do)
Each prints the first call in a fresh process (imports, connections, statement compiles),
"cold" = the median of three further calls on the same engine with no result cache (what a
user meets when the app's cache is empty: the app keeps its engine), the cache-hit cost
(unpickling the cached report, as st.cache_data does), peak RSS, and the figures, so the
approaches can be seen to agree. Not a test.
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _naive_tables(engine) -> dict:
    """Reads the whole tables a KPI page needs into pandas (what most dashboards do)."""
    import pandas as pd
    from sqlalchemy import select

    from salesops.db import schema as s

    def table(t):
        with engine.connect() as conn:
            return pd.read_sql(select(t), conn)

    names = (
        "opportunities",
        "accounts",
        "leads",
        "reps",
        "orders",
        "acquisition_spend",
        "territories",
    )
    return {name: table(s.metadata.tables[name]) for name in names}


def _naive_facts(tables: dict, period):
    """Builds the same fact frames as the repository, in pandas, from whole tables."""
    import numpy as np
    import pandas as pd

    from salesops.db.rollups import NO_CHANNEL
    from salesops.kpis.facts import KpiFacts

    opp, acc = tables["opportunities"].copy(), tables["accounts"]
    leads, reps = tables["leads"].copy(), tables["reps"]
    orders, spend = tables["orders"].copy(), tables["acquisition_spend"].copy()
    terr = tables["territories"]
    for frame, cols in [
        (opp, ["created_at", "closed_at"]),
        (leads, ["created_at", "converted_at"]),
        (orders, ["ordered_at"]),
        (spend, ["month"]),
    ]:
        for c in cols:
            frame[c] = pd.to_datetime(frame[c])
    lo, hi = pd.Timestamp(period.start), pd.Timestamp(period.end)
    o = opp.merge(
        acc[["id", "territory_id", "segment"]],
        left_on="account_id",
        right_on="id",
        how="left",
        suffixes=("", "_a"),
    )
    o = o.merge(
        leads[["id", "channel", "created_at"]].rename(
            columns={"id": "lid", "created_at": "lead_created"}
        ),
        left_on="lead_id",
        right_on="lid",
        how="left",
    )
    o["channel"] = o["channel"].fillna(NO_CHANNEL)
    o["month"] = o["closed_at"].dt.to_period("M").dt.to_timestamp()
    o["cycle"] = (o["closed_at"] - o["created_at"]).dt.days
    o["lead_cycle"] = (o["closed_at"] - o["lead_created"]).dt.days
    closed = o[o["closed_at"].between(lo, hi) & o["outcome"].isin(["won", "lost"])].copy()
    won = closed["outcome"] == "won"
    closed["won"] = won.astype(int)
    closed["lost"] = (~won).astype(int)
    closed["won_amount"] = np.where(won, closed["amount"], 0.0)
    closed["won_cycle_days"] = np.where(won, closed["cycle"], 0.0)
    closed["lost_cycle_days"] = np.where(~won, closed["cycle"], 0.0)
    has_lead = won & closed["lid"].notna()
    closed["won_lead_cycle_days"] = np.where(has_lead, closed["lead_cycle"], 0.0)
    closed["won_with_lead"] = has_lead.astype(int)
    keys = ["month", "rep_id", "territory_id", "segment", "channel"]
    closed_facts = closed.groupby(keys, dropna=False, as_index=False)[
        [
            "won",
            "lost",
            "won_amount",
            "won_cycle_days",
            "lost_cycle_days",
            "won_lead_cycle_days",
            "won_with_lead",
        ]
    ].sum()
    hist = (
        closed[won]
        .assign(cycle_days=closed.loc[won, "cycle"].astype(int))
        .groupby(["month", "territory_id", "segment", "cycle_days"], as_index=False)
        .size()
        .rename(columns={"size": "deals"})
    )
    lf = leads.merge(
        acc[["id", "territory_id", "segment"]],
        left_on="account_id",
        right_on="id",
        how="left",
        suffixes=("", "_a"),
    )
    lf = lf.merge(
        reps[["id", "territory_id"]].rename(columns={"id": "rid", "territory_id": "rt"}),
        left_on="rep_id",
        right_on="rid",
        how="left",
    )
    lf["territory_id"] = lf["territory_id"].fillna(lf["rt"])
    lf = lf.merge(
        terr[["id", "segment"]].rename(columns={"id": "tid", "segment": "ts"}),
        left_on="territory_id",
        right_on="tid",
        how="left",
    )
    lf["segment"] = lf["segment"].fillna(lf["ts"])
    lf = lf[lf["created_at"].between(lo, hi)]
    lf["month"] = lf["created_at"].dt.to_period("M").dt.to_timestamp()
    lf["converted"] = (lf["converted_at"].notna() | lf["opportunity_id"].notna()).astype(int)
    lead_facts = lf.groupby(keys, dropna=False, as_index=False).agg(
        leads=("converted", "size"), converted=("converted", "sum")
    )
    w = o[o["outcome"] == "won"].sort_values(["closed_at", "id"])
    first = w.groupby("account_id", as_index=False).head(1)
    first = first[first["closed_at"].between(lo, hi)]
    new_customers = (
        first.groupby(keys, dropna=False, as_index=False)
        .size()
        .rename(columns={"size": "new_customers"})
    )
    od = orders.merge(
        acc[["id", "territory_id", "segment"]],
        left_on="account_id",
        right_on="id",
        suffixes=("", "_a"),
    )
    od["month"] = od["ordered_at"].dt.to_period("M").dt.to_timestamp()
    spans = od.groupby("account_id").agg(
        first_month=("month", "min"),
        last_month=("month", "max"),
        territory_id=("territory_id", "first"),
        segment=("segment", "first"),
    )
    lifespans = (
        spans.groupby(["territory_id", "segment", "first_month", "last_month"], as_index=False)
        .size()
        .rename(columns={"size": "customers"})
    )
    odp = od[od["ordered_at"].between(lo, hi)].copy()
    odp["no_margin"] = np.where(odp["gross_margin"].isna(), odp["amount"], 0.0)
    order_months = odp.groupby(["month", "territory_id", "segment"], as_index=False).agg(
        revenue=("amount", "sum"),
        gross_margin=("gross_margin", "sum"),
        revenue_without_margin=("no_margin", "sum"),
    )
    sp = (
        spend[spend["month"].between(lo.replace(day=1), hi)]
        .groupby(["month", "channel", "kind"], as_index=False)["amount"]
        .sum()
    )
    return KpiFacts(
        period,
        closed_facts,
        lead_facts,
        new_customers,
        hist,
        sp,
        order_months,
        lifespans,
        spend_recorded=len(spend) > 0,
    )


def run_one(url: str, approach: str) -> dict:
    """Runs one approach in this process and returns its measurements."""
    from salesops.config import Settings
    from salesops.db.engine import make_engine
    from salesops.kpis import report as kr
    from salesops.kpis.report import default_period, kpi_report
    from salesops.repository import Repository

    settings = Settings()

    repo = Repository(make_engine(url, read_only=True))

    def build():
        period = default_period(repo.data_bounds()["last"], Settings().default_period_months)
        if approach == "naive":
            original = kr.load_facts
            tables = _naive_tables(repo.engine)  # once per page view
            kr.load_facts = lambda r, p, scope, by=None, **kw: _naive_facts(tables, p)
            try:
                return kpi_report(repo, period, settings=settings)
            finally:
                kr.load_facts = original
        if approach == "pushdown":
            originals = {}
            for name in (
                "closed_opportunity_facts",
                "lead_facts",
                "new_customer_facts",
                "won_cycle_histogram",
                "order_months",
            ):
                method = getattr(Repository, name)
                originals[name] = method

                def forced(self, p, scope=kr.EVERYTHING, source="auto", *args, _m=method, **kw):
                    return _m(self, p, scope, "raw", *args, **kw)

                setattr(Repository, name, forced)
            try:
                return kpi_report(repo, period, settings=settings)
            finally:
                for name, method in originals.items():
                    setattr(Repository, name, method)
        return kpi_report(repo, period, settings=settings)

    # First call in a fresh process: imports, connections and statement compilation.
    t0 = time.perf_counter()
    report = build()
    first = time.perf_counter() - t0
    # What a user meets when the app's result cache is empty (engine cached, as in the app).
    colds = []
    for _ in range(1 if approach in ("naive", "pushdown") else 3):  # slow baselines: once
        t0 = time.perf_counter()
        build()
        colds.append(time.perf_counter() - t0)
    blob = pickle.dumps(report)
    t0 = time.perf_counter()
    pickle.loads(blob)
    cache_hit = time.perf_counter() - t0
    figures = {k: v.value for k, v in report.current.items()}
    return {
        "approach": approach,
        "first_call_s": round(first, 3),
        "cold_s": round(sorted(colds)[len(colds) // 2], 3),
        "cold_runs_s": [round(c, 3) for c in colds],
        "cache_hit_s": round(cache_hit, 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "figures": figures,
    }


def page_run(url: str) -> dict:
    """Times whole AppTest runs of the KPIs page: in a new process, then with an empty cache.

    "cold" is the median of three runs after clearing the result cache in a process that has
    already imported everything: what a user meets on a running server when the cache expired.
    """
    import os

    os.environ["SALESOPS_DATABASE_URL"] = url
    from streamlit.testing.v1 import AppTest

    from salesops.ui.cache import clear_cache

    path = str(ROOT / "pages" / "kpis.py")
    t0 = time.perf_counter()
    at = AppTest.from_file(path, default_timeout=300).run()
    first = time.perf_counter() - t0
    colds = []
    for _ in range(3):
        clear_cache()
        at = AppTest.from_file(path, default_timeout=300)
        t0 = time.perf_counter()
        at.run()
        colds.append(time.perf_counter() - t0)
    return {
        "approach": "page (AppTest)",
        "first_call_s": round(first, 3),
        "cold_s": round(sorted(colds)[1], 3),
        "cold_runs_s": [round(c, 3) for c in colds],
        "exceptions": len(at.exception),
        # the tiles are one HTML grid (salesops.ui.kpis.kpi_tiles), a group per tile
        "tiles": len(at.metric)
        + sum(e.proto.body.count('<div role="group" aria-label="') for e in at.get("html")),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True, help="database URL (repeat)")
    parser.add_argument("--approach", choices=["rollup", "pushdown", "naive", "page"])
    parser.add_argument(
        "--approaches", default="rollup,page,naive,pushdown", help="comma-separated list"
    )
    parser.add_argument("--child-timeout", type=float, default=900)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "kpis.json"))
    args = parser.parse_args()
    if args.approach:  # child process
        url = args.url[0]
        result = page_run(url) if args.approach == "page" else run_one(url, args.approach)
        print(json.dumps(result))
        return
    approaches = args.approaches.split(",")
    results = []
    for url in args.url:
        engine = url.split(":")[0]
        for approach in approaches:
            out = subprocess.run(
                [sys.executable, __file__, "--url", url, "--approach", approach],
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode != 0:
                print(out.stderr[-2000:], file=sys.stderr)
                continue
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row["engine"] = engine
            results.append(row)
            print(
                f"{engine:22} {row['approach']:22} cold {row['cold_s']:7.3f}s  "
                f"first call {row.get('first_call_s', float('nan')):7.3f}s  "
                f"cache-hit {row.get('cache_hit_s', float('nan')):.4f}s  "
                f"peak RSS {row['peak_rss_mb']:7.1f} MB",
                flush=True,
            )
    by = {(r["engine"], r["approach"]): r for r in results}
    for engine in sorted({r["engine"] for r in results}):
        roll, push, naive = (by.get((engine, a)) for a in ("rollup", "pushdown", "naive"))
        push = push if push and "cold_s" in push else None
        naive = naive if naive and "cold_s" in naive else None
        if roll and push:
            print(f"{engine}: pushdown / rollup = {push['cold_s'] / roll['cold_s']:.1f}x")
        if roll and naive:
            print(f"{engine}: naive / rollup = {naive['cold_s'] / roll['cold_s']:.1f}x")
            if push:
                print(f"{engine}: naive / pushdown = {naive['cold_s'] / push['cold_s']:.1f}x")
            same = all(
                (a is None and b is None)
                or (a is not None and b is not None and abs(a - b) <= 1e-6 * max(1, abs(a)))
                for a, b in zip(roll["figures"].values(), naive["figures"].values(), strict=True)
            )
            print(f"{engine}: rollup and naive figures agree: {same}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
