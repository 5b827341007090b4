"""Benchmark: Territory balance page data and a rebalancing proposal at scale.

    python bench/bench_territory.py --url sqlite:////tmp/large.db [--url postgresql+psycopg://...]

For each URL, in a fresh subprocess (cold: new engine, nothing cached):
- query:    the five GROUP BY queries the page runs (territory_data)
- metrics:  territory and rep tables, balance index and flags (pure pandas)
- page:     query + metrics, i.e. what the page needs before drawing (target < 0.5 s)
- proposal: reading the per-account rows (once, then cached), and propose_moves with the
            page defaults (same segment, 25 moves, 5 % cap) and with 1,000 moves, free or
            same-segment (target < 10 s)
- quotas:   suggest_quotas
plus peak RSS and the balance index before/after. Not a test.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def measure(url: str) -> dict:
    """Runs every step once against `url` and returns the timings (seconds)."""
    from salesops.calendar import add_months, month_end
    from salesops.config import Settings
    from salesops.db.engine import make_engine
    from salesops.repository import Repository
    from salesops.territory.assumptions import TerritorySettings
    from salesops.territory.balance import team_balance
    from salesops.territory.metrics import rep_metrics, territory_metrics
    from salesops.territory.quotas import QuotaWeights, suggest_quotas
    from salesops.territory.rebalance import Constraints, propose_moves
    from salesops.territory.report import proposal_accounts, territory_data

    defaults = Settings()
    config = TerritorySettings.from_settings(defaults)
    out: dict = {"url": url.split("@")[-1]}
    repo = Repository(make_engine(url, read_only=True))
    # The page gets as_of from the shared filters (data_bounds, cached for every page), so it is
    # read first and not counted; the default period ends on a month end (rollup path).
    last = repo.data_bounds()["last"]
    as_of = month_end(add_months(last.replace(day=1), -1))
    t0 = time.perf_counter()
    data = territory_data(repo, as_of=as_of)
    t1 = time.perf_counter()
    terr = territory_metrics(data.accounts, data.reps, data.territories, data.as_of, config)
    reps = rep_metrics(data.accounts, data.reps, data.territories, data.as_of, config)
    balance = team_balance(terr)
    t2 = time.perf_counter()
    out.update(
        accounts=int(data.accounts["accounts"].sum()),
        reps=len(data.reps),
        territories=len(data.territories),
        query_s=round(t1 - t0, 3),
        metrics_s=round(t2 - t1, 3),
        page_s=round(t2 - t0, 3),
        flags=terr["flag"].value_counts().to_dict(),
        balance_cv=balance.cv,
    )
    t = time.perf_counter()
    rows = proposal_accounts(repo)
    out["proposal_accounts_read_s"] = round(time.perf_counter() - t, 3)
    for name, constraints in {
        "proposal_default": Constraints.from_settings(
            defaults, max_share=defaults.rebalance_page_max_share
        ),
        "proposal_1000_free": Constraints.from_settings(
            defaults, same_segment=False, max_moves=1000, min_gain=0.0
        ),
        "proposal_1000_segment": Constraints.from_settings(defaults, max_moves=1000, min_gain=0.0),
    }.items():
        t = time.perf_counter()
        proposal = propose_moves(rows, terr, constraints)
        out[name] = {
            "seconds": round(time.perf_counter() - t, 3),
            "status": proposal.status,
            "moves": len(proposal.moves),
            "cv_before": round(proposal.before.cv or 0, 4),
            "cv_after": round(proposal.after.cv or 0, 4),
        }
    t = time.perf_counter()
    weights = QuotaWeights.from_settings(defaults)
    suggest_quotas(reps, data.reps, None, data.as_of, weights, config.ramp_days)
    out["quotas_s"] = round(time.perf_counter() - t, 3)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def main() -> None:
    """Measures each URL in its own subprocess and prints one JSON line per URL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True, help="Database URL (repeatable)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.url[0]), default=str))
        return
    for url in args.url:
        result = subprocess.run(
            [sys.executable, __file__, "--child", "--url", url],
            capture_output=True,
            text=True,
            check=False,
        )
        print(result.stdout.strip() or result.stderr.strip())


if __name__ == "__main__":
    main()
