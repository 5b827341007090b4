"""Benchmark: the Pipeline review's meeting pack, first download, at scale.

    flock /tmp/bench.lock python bench/bench_meeting_pack.py --url sqlite:////tmp/x/large.db \
        [--stale-source raw]

What a click on "Download HTML" runs once the page is drawn (the page has already cached the
report without its stale list and the call panel): the stale list (review_stale), the
order-to-cash section (pack_cash_report) and the HTML. `--stale-source raw` reads the stale
list from the history (every open deal's stage history, the stays from every row before the
week's end of the deals that moved in the year: the code before rollup_stage_entries and
rollup_stage_stays, issue 21); `rollup` (default) reads the rollups. `--background` reads the
stale list and the cash section and starts the chart renderer before the click, as the page
did once drawn until the page stopped reading ahead (a view other than the default stored
one made the next page pay for it), so the first download only builds the HTML. Wall and
CPU seconds per step; the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _timed(steps: dict, name: str, fn, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn(*args, **kwargs)
    steps[name] = {
        "wall_s": round(time.perf_counter() - wall, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
    }
    print(f"  {name}: {steps[name]}", file=sys.stderr)
    return value


def main() -> None:
    """Times the pack's first download on --url and appends the result to --out."""
    from salesops.cash.pack import pack_cash_report
    from salesops.cli.common import open_repository
    from salesops.config import Settings
    from salesops.pipeline_review import report as review
    from salesops.pipeline_review.meeting_pack import meeting_pack_html, start_chart_renderer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--stale-source", choices=("rollup", "raw"), default="rollup")
    parser.add_argument(
        "--background",
        action="store_true",
        help="Read the stale list and cash section and start the chart renderer before the "
        "click, as the page did once drawn (no longer): the click then only builds the HTML.",
    )
    parser.add_argument("--label", default="")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "meeting-pack.json"))
    args = parser.parse_args()
    repo = open_repository(args.url)
    settings = Settings()
    load_before = os.getloadavg()
    steps: dict = {}
    last = repo.history_bounds()["last"]
    week = review.default_week(last, last)
    report = _timed(steps, "review_report_without_stale (page, cached)", review.review_report,
                    repo, week, with_stale=False)  # fmt: skip
    if args.background:  # what the page now reads once drawn, before any click
        background = time.perf_counter(), time.process_time()
        stale, rule = _timed(steps, "review_stale (background)", review.review_stale, repo,
                             week, settings=settings, source=args.stale_source)  # fmt: skip
        cash = _timed(steps, "pack_cash_report (background)", pack_cash_report, repo, week,
                      review.COMPANY.repository_scope, settings)  # fmt: skip
        _timed(steps, "start_chart_renderer (background)", start_chart_renderer)
        steps["background"] = {
            "wall_s": round(time.perf_counter() - background[0], 2),
            "cpu_s": round(time.process_time() - background[1], 2),
        }
    first = time.perf_counter(), time.process_time()
    if not args.background:
        stale, rule = _timed(steps, "review_stale", review.review_stale, repo, week,
                             settings=settings, source=args.stale_source)  # fmt: skip
        cash = _timed(steps, "pack_cash_report", pack_cash_report, repo, week,
                      review.COMPANY.repository_scope, settings)  # fmt: skip
    full = review.with_stale_list(report, stale, rule)
    html = _timed(steps, "meeting_pack_html", meeting_pack_html, full, settings, None, cash)
    result = {
        "what": "meeting pack first download (stale list + cash section + HTML) after the page",
        "command": " ".join(["python", *sys.argv]),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "label": args.label,
        "url": args.url.split("@")[-1],
        "stale_source": args.stale_source,
        "background": args.background,
        "week": week.label,
        "stale_deals": len(stale),
        "html_bytes": len(html),
        "first_download": {
            "wall_s": round(time.perf_counter() - first[0], 2),
            "cpu_s": round(time.process_time() - first[1], 2),
        },
        "steps": steps,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }
    out = Path(args.out)
    runs = json.loads(out.read_text()) if out.exists() else []
    out.write_text(json.dumps([*runs, result], indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
