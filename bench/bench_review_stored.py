"""Benchmark: what each of the Pipeline review's stored default results costs to read.

    python bench/bench_review_stored.py --url sqlite:////path/large.db [--repeat 5]
        [--refresh] [--out bench/results/review-stored-parts.json]

For every call the running tree stores for the Pipeline review's default view
(salesops.overview_store.review_calls) on the database's current data version: the
stored JSON's size, and the time to read it as the page's cache does
(Repository.stored_forecast, then typed_json.loads): the first read in the process and the
median and best of --repeat more. A call with nothing stored is listed as missing.
--refresh first stores the running tree's results (refresh_stored_overview: it WRITES to
the database, so only on a copy). Run with PYTHONPATH set to the checkout to measure
(another tree's results are read under its own review_calls). Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import UTC, datetime


def _read(repo, key: str, url: str) -> tuple[int, float, float]:
    """Returns (bytes, seconds to fetch, seconds to decode) of the result stored under key."""
    from salesops import typed_json

    start = time.perf_counter()
    text = repo.stored_forecast(key)
    fetched = time.perf_counter()
    if text is None:
        return 0, fetched - start, 0.0
    ok, _ = typed_json.loads(text, url)
    assert ok, key
    return len(text.encode()), fetched - start, time.perf_counter() - fetched


def measure(url: str, repeat: int, refresh: bool) -> dict:
    """Returns each stored review call's size and read times on `url`, with the load."""
    from salesops.config import load_settings
    from salesops.db.engine import make_engine
    from salesops.overview_store import refresh_stored_overview, result_key, review_calls
    from salesops.repository import EVERYTHING, Repository

    settings = load_settings(url)
    engine = make_engine(url)
    out: dict = {"url": url, "load_before": os.getloadavg()}
    if refresh:
        start, cpu = time.perf_counter(), time.process_time()
        out["refreshed"] = refresh_stored_overview(engine, settings)
        out["refresh_s"] = {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu}
    repo = Repository(engine)
    version = repo.data_version()
    assert version is not None, "no data"
    calls = []
    for call in review_calls(repo, settings, datetime.now(UTC).date()):
        key = result_key(version, call.parts, EVERYTHING, EVERYTHING)
        size, fetch, decode = _read(repo, key, settings.database_url)
        row: dict = {"call": call.parts[0].rsplit(".", 1)[1], "args": repr(call.args)[:40]}
        if not size:
            calls.append(row | {"missing": True})
            continue
        times = [sum(_read(repo, key, settings.database_url)[1:]) for _ in range(repeat)]
        row |= {
            "bytes": size,
            "first_s": round(fetch + decode, 4),
            "median_s": round(statistics.median(times), 4),
            "best_s": round(min(times), 4),
        }
        calls.append(row)
    out["calls"] = calls
    out["load_after"] = os.getloadavg()
    engine.dispose()
    return out


def main() -> None:
    """Measures each --url and prints (or writes to --out) the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--refresh", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args()
    results = [measure(url, args.repeat, args.refresh) for url in args.url]
    text = json.dumps(results, indent=2)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
