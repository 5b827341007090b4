"""bench/bench_browser.py: medians per kind (the browser-profile tab too) and the README table."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from bench_browser import KINDS, _code_cache_kb, _summary, table  # noqa: E402

PAGES = (("kpis", "KPIs", "Monthly trends"),)


def _run(seconds: float) -> dict:
    cpu = {"server": 0.05, "browser": seconds, "other": 0.0, "steal": 0.0}
    return {
        "KPIs": {
            **{kind: seconds for kind in KINDS},
            "warm_profile": seconds / 2,
            "cpu_s": {kind: cpu for kind in ("cold", "warm", "warm_new_window", "warm_profile")},
        }
    }


def test_summary_takes_each_kinds_median_and_keeps_the_code_cache_sizes():
    summary = _summary([_run(1.0), _run(3.0), _run(2.0)], [500.0, 700.0, 600.0], [1.0, 2.0], PAGES)
    assert summary["median_s"]["KPIs"]["warm"] == 2.0
    assert summary["median_s"]["KPIs"]["warm_profile"] == 1.0
    assert summary["median_cpu_s"]["KPIs"]["warm_profile"]["browser"] == 2.0
    assert summary["server_peak_rss_mb"] == 700.0
    assert summary["profile_code_cache_kb"] == [1.0, 2.0]


def test_table_has_a_column_for_the_browser_profiles_warm_tab():
    results = {"databases": {"sqlite": _summary([_run(0.8)], [500.0], [1.0], PAGES)}}
    rows = table(results).splitlines()
    assert rows[0].endswith("| new tab, warm, browser profile |")
    assert rows[2] == "| KPIs | sqlite | 0.80 s | 0.80 s | 0.80 s | 0.80 s | 0.40 s |"


def test_code_cache_size_counts_the_files_under_the_profiles_code_cache(tmp_path):
    js = tmp_path / "Default" / "Code Cache" / "js"
    js.mkdir(parents=True)
    (js / "a").write_bytes(b"x" * 2048)
    (js / "index").write_bytes(b"x" * 1024)
    (tmp_path / "Default" / "Cache").mkdir()
    (tmp_path / "Default" / "Cache" / "b").write_bytes(b"x" * 4096)  # HTTP cache: not counted
    assert _code_cache_kb(tmp_path) == 3.0


def test_the_floor_row_has_no_same_tab_time_and_the_table_says_so():
    run = _run(0.6)
    del run["KPIs"]["same_tab"]  # the floor page has no menu link to click from
    summary = _summary([run, run], [100.0, 100.0], [1.0, 1.0], PAGES)
    assert "same_tab" not in summary["median_s"]["KPIs"]
    rows = table({"databases": {"floor": summary}}).splitlines()
    assert rows[2] == "| KPIs | floor | 0.60 s | 0.60 s | — | 0.60 s | 0.30 s |"
