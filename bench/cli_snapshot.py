"""Snapshot of every CLI report on the small demo, to prove a refactor changed no number.

    python bench/cli_snapshot.py --out /tmp/before          # on the old code
    python bench/cli_snapshot.py --out /tmp/after           # on the new code
    python bench/cli_snapshot.py --compare /tmp/before /tmp/after

Builds the small demo (seed 42; its end date is fixed) in a temporary SQLite file, runs each
command below through `python -m salesops` in a subprocess and writes its stdout (and exit
code) to one file per command. `--compare` reports every file whose bytes differ. Imports run
on a copy of the demo so the read-only reports see the same data either way. `--code` runs
another checkout's salesops (e.g. main, for the "before" side). Not a test: restructuring is
the only time two checkouts must agree byte for byte.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
WEEK = "2026-11-09"

READS: dict[str, list[str]] = {
    "kpis": ["kpis", "--format", "json"],
    "kpis-by-rep": ["kpis", "--format", "json", "--by", "rep"],
    "kpis-by-territory": ["kpis", "--format", "json", "--by", "territory"],
    "kpis-by-segment": ["kpis", "--format", "json", "--by", "segment"],
    "kpis-by-channel": ["kpis", "--format", "json", "--by", "channel"],
    "kpis-by-month": ["kpis", "--format", "json", "--by", "month"],
    "kpis-partial": ["kpis", "--format", "json", "--from", "2025-02-10", "--to", "2025-09-17"],
    "kpis-territory": ["kpis", "--format", "json", "--territory", "1", "--by", "rep"],
    "kpis-segment": ["kpis", "--format", "json", "--segment", "SMB", "--by", "channel"],
    "kpis-rep": ["kpis", "--format", "json", "--rep", "3"],
    "kpis-csv": ["kpis", "--format", "csv", "--by", "territory"],
    "kpis-table": ["kpis"],
    "forecast-M": ["forecast", "--format", "json", "--backtest"],
    "forecast-W": ["forecast", "--format", "json", "--freq", "W", "--horizon", "8", "--backtest"],
    "forecast-territory": ["forecast", "--format", "json", "--by", "territory", "--backtest"],
    "forecast-segment": ["forecast", "--format", "json", "--by", "segment"],
    "forecast-scope": ["forecast", "--format", "json", "--territory", "2"],
    "forecast-csv": ["forecast", "--format", "csv"],
    "territory": ["territory", "--format", "json"],
    "territory-team": [
        "territory", "--format", "json", "--peer", "team", "--same-region", "--max-moves", "5",
    ],
    "territory-target": ["territory", "--format", "json", "--target", "50000000"],
    "territory-scope": ["territory", "--format", "json", "--segment", "SMB", "--keep-largest", "2"],
    "territory-table": ["territory"],
    "time": ["time", "--format", "json"],
    "time-M": ["time", "--format", "json", "--freq", "M"],
    "time-partial": ["time", "--format", "json", "--from", "2025-02-10", "--to", "2025-09-17"],
    "time-scope": ["time", "--format", "json", "--territory", "1", "--shift", "0.5"],
    "time-what-if": [
        "time", "--format", "json", "--elasticity", "0.7", "--release", "--ops-cost", "40",
    ],
    "time-csv": ["time", "--format", "csv"],
    "review": ["review", "--format", "json", "--week", WEEK],
    "review-territory": ["review", "--format", "json", "--week", WEEK, "--territory", "1"],
    "review-rep": ["review", "--format", "json", "--week", "2026-10-19", "--rep", "3"],
    "review-stale": ["review", "--format", "json", "--week", WEEK, "--stale-days", "30"],
    "review-table": ["review", "--week", WEEK],
    "quality": ["quality", "--format", "json", "--as-of", "2026-11-20"],
    "quality-table": ["quality", "--as-of", "2026-11-20"],
}  # fmt: skip

# Run in order on a copy of the demo: imports, then a report over what they wrote.
WRITES: dict[str, list[str]] = {
    "import-salesforce-dry": [
        "import", "salesforce", str(SAMPLES / "salesforce_opportunities.csv"), "--dry-run",
        "--format", "json",
    ],
    "import-hubspot": [
        "import", "hubspot", str(SAMPLES / "hubspot_deals_eu.csv"), "--format", "json",
    ],
    "import-generic": [
        "import", "generic", str(SAMPLES / "generic_pipedrive.csv"), "--mapping",
        str(SAMPLES / "generic_pipedrive.yaml"), "--format", "json",
    ],
    "import-again": [
        "import", "hubspot", str(SAMPLES / "hubspot_deals_eu.csv"), "--format", "json",
    ],
    "kpis-after-import": ["kpis", "--format", "json", "--by", "channel"],
}  # fmt: skip


def _run(code: Path, url: str, args: list[str]) -> bytes:
    env = {**os.environ, "SALESOPS_DATABASE_URL": url, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-m", "salesops", *args], cwd=code, env=env, capture_output=True
    )
    return done.stdout + f"\n[exit {done.returncode}]\n".encode()


_IMPORTED_AT = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?( UTC)?")


def _masked(output: bytes, imported: bool = False) -> bytes:
    """Hides what legitimately differs between two runs (paths; when a file was imported)."""
    output = output.replace(str(SAMPLES).encode(), b"<samples>")
    return _IMPORTED_AT.sub(b"<time>", output) if imported else output


def snapshot(code: Path, out: Path) -> None:
    """Writes one file per command into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.db"
        url = f"sqlite:///{demo}"
        subprocess.run(
            [sys.executable, "-m", "salesops", "demo", "--url", url, "--scale", "small"],
            cwd=code,
            env={**os.environ, "PYTHONPATH": str(code)},
            check=True,
            capture_output=True,
        )
        for name, args in READS.items():
            (out / f"{name}.txt").write_bytes(_masked(_run(code, url, args)))
            print(name, flush=True)
        html = Path(tmp) / "pack.html"
        _run(code, url, ["review", "--week", WEEK, "--html", str(html), "--format", "json"])
        (out / "review-pack.html").write_bytes(html.read_bytes())
        copy = Path(tmp) / "written.db"
        shutil.copy(demo, copy)
        for name, args in WRITES.items():
            output = _run(code, f"sqlite:///{copy}", args)
            (out / f"{name}.txt").write_bytes(_masked(output, imported=True))
            print(name, flush=True)


def compare(before: Path, after: Path) -> int:
    """Prints every file that differs or is missing; returns how many."""
    names = sorted({p.name for p in before.iterdir()} | {p.name for p in after.iterdir()})
    differ = []
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists() or a.read_bytes() != b.read_bytes():
            differ.append(name)
    for name in differ:
        print(f"DIFFERS: {name}")
    print(f"{len(names) - len(differ)} of {len(names)} outputs byte-identical")
    return len(differ)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--code", type=Path, default=ROOT, help="Checkout whose salesops runs.")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        sys.exit(1 if compare(*args.compare) else 0)
    if args.out is None:
        parser.error("give --out DIR or --compare BEFORE AFTER")
    snapshot(args.code.resolve(), args.out)


if __name__ == "__main__":
    main()
