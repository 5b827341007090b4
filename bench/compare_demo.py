"""Compares two SQLite demo databases table by table: row counts and a hash of every row.

    python bench/compare_demo.py A.db B.db

For each table of either file: the row count and an order-free digest (the sum of each
row's SHA-1, every column, floats by their exact repr). Left out, as they differ between
any two builds: stored_forecasts.stored_at and key (which hashes the data version), the
`elapsed_seconds` inside stored results' JSON, and salesops_meta's random data_version.
Exits 1 when a table differs. Not a test.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from contextlib import closing

SKIPPED_COLUMNS = {"stored_forecasts": {"stored_at", "key"}}  # keys hash the data version
SKIPPED_ROWS = {"salesops_meta": {"data_version"}}


def _without_timings(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k != "elapsed_seconds"}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def _cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.dumps(_without_timings(json.loads(value)), sort_keys=True)
        except ValueError:
            return value
    return value


def digest(path: str) -> dict[str, tuple[int, str]]:
    """Returns {table: (rows, digest)} for every table of the SQLite file."""
    out = {}
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in sorted(tables):
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            kept = [c for c in columns if c not in SKIPPED_COLUMNS.get(table, set())]
            select = ", ".join(f'"{c}"' for c in kept)
            total, rows = 0, 0
            for row in conn.execute(f'SELECT {select} FROM "{table}"'):
                if table in SKIPPED_ROWS and row[0] in SKIPPED_ROWS[table]:
                    continue
                text = repr(tuple(_cell(v) for v in row)).encode()
                total = (total + int.from_bytes(hashlib.sha1(text).digest(), "big")) % (1 << 160)
                rows += 1
            out[table] = (rows, f"{total:040x}")
    return out


def main() -> None:
    a, b = digest(sys.argv[1]), digest(sys.argv[2])
    differ = 0
    for table in sorted(set(a) | set(b)):
        same = a.get(table) == b.get(table)
        differ += not same
        if not same:
            print(f"DIFFERENT {table}: {a.get(table)} vs {b.get(table)}")
    rows = sum(n for n, _ in a.values())
    print(f"{len(set(a) | set(b))} tables, {rows:,} rows; {differ} differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
