"""Rebuilding every rollup with a second connection computing some of them meanwhile.

`refresh_rollups` (demo build, `db upgrade`) rebuilds every rollup in one transaction on
one connection: each rollup's INSERT ... SELECT runs on one core. Here a helper thread
with a connection of its own evaluates the selects of some rollups that read base tables
only (`HELPED`) into a scratch area while the main connection rebuilds the others; the
main connection then copies the helper's rows into those rollups. The main connection is
still the only one that writes a rollup table, inside its one transaction: the refresh
commits (or rolls back) whole, as before, and every rollup gets its own select's rows.

The scratch area: on SQLite an attached database file next to nothing else (a temporary
file; SQLite allows one writer per file, so the helper writes there while the main
connection writes the database), on PostgreSQL UNLOGGED tables in a schema of their own.
Both are dropped afterwards, whatever happened. The helper reads what was committed
before the refresh began: the base tables, which the refresh does not write.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Column, Connection, Engine, MetaData, Table, delete, insert, select

from salesops.db.rollup_steps import RollupStep, run_step
from salesops.importing.memory import postgres_work_mem

logger = logging.getLogger(__name__)

# Rollups the helper computes: costly GROUP BYs over base tables whose rows are few
# enough to copy quickly (measured on the large demo; see bench/results/demo-build.json).
HELPED = (
    "rollup_lead_days",
    "rollup_order_days",
    "rollup_order_status_months",
    "rollup_order_cycle_days",
    "rollup_customer_lifespans",
    "rollup_won_first_orders",
    "rollup_receivable_days",
    "rollup_approval_reps",
    "rollup_approval_minutes",
    # cheaper ones, off the main lane: the longer on both databases once the helper's got
    # cheaper (the main lane holds the spans, call rollups and stage stays); 4.3 s CPU of
    # its statements at the large SQLite demo
    "rollup_won_cycle_day_counts",
    "rollup_won_weeks",
    "rollup_activity_months",
    "rollup_stage_entries",
)
# PostgreSQL's helper also takes these from the main connection: there the main lane is the
# longer (its own statements plus the stays' and call rollups' work in Python, while the
# helper's server process has the other core), and these three are costly GROUP BYs over
# deals and their history with rows few enough to copy (stage outcomes: 9.2 s of the large
# demo's main lane, closed days 5.3 s, customer days 1.6 s). SQLite's helper takes them when
# started ahead of the indexes (HELPED_AHEAD).
HELPED_POSTGRESQL = (
    *HELPED,
    "rollup_closed_days",
    "rollup_customer_days",
    "rollup_stage_outcomes",
)


# A demo built into a new SQLite file starts the helper before the loaded tables' indexes
# are built (salesops.demo.load._build_beside): the main connection builds them meanwhile
# (28.6 s of the large demo's build, on one core) and so reaches its own rollups later;
# then the helper takes PostgreSQL's three as well.
HELPED_AHEAD = HELPED_POSTGRESQL

# Helped rollups whose SQLite plan uses no secondary index of the loaded tables (a test
# compares each plan with and without them): started ahead, the helper computes these
# while the indexes are being built, the others once they are committed, so every rollup
# is computed by the plan (and so in the order of rows) a build with its indexes takes.
PLANS_WITHOUT_INDEXES = (
    "rollup_closed_days",
    "rollup_lead_days",
    "rollup_customer_days",
    "rollup_order_days",
    "rollup_order_status_months",
    "rollup_approval_reps",
    "rollup_approval_minutes",
)


def helped_names(dialect: str) -> tuple[str, ...]:
    """Returns the names of the rollups the helper computes on this kind of database."""
    return HELPED_POSTGRESQL if dialect == "postgresql" else HELPED


# SQLite's page cache on each connection of a full refresh: a GROUP BY's sorter holds this
# much before it spills to temporary files (the default, 2 MB, made the order rollups of a
# million-deal demo merge their sorts from disk). Both the cache and each sorter fill up to
# it, on both connections at once, beside the call rollups' arrays: at 256 MB SQLite held
# 612 MB of a medium `db upgrade`'s 905 MB peak (issue 15: a million deals' upgrade within
# 600 MB, as an import). Set back when the refresh ends.
REFRESH_CACHE_KIB = 32_768


@contextlib.contextmanager
def refresh_cache(conn: Connection, kib: int = REFRESH_CACHE_KIB) -> Iterator[None]:
    """Gives a SQLite connection a page cache of `kib` KiB meanwhile (nothing elsewhere).

    Outside any transaction (the caller's begins after): afterwards the cache is set back
    and its memory released, as the pool hands the connection to others.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{int(kib)}")  # ints of ours, not input
    conn.commit()  # SQLAlchemy began a transaction for the pragmas: the caller's is next
    try:
        yield
    finally:
        conn.rollback()
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before)}")
        conn.exec_driver_sql("PRAGMA shrink_memory")
        conn.commit()


def can_help(engine: Engine) -> bool:
    """Returns True when a second connection sees the same database (a file or a server)."""
    if engine.dialect.name == "postgresql":
        return True
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        return bool(database) and database != ":memory:" and "mode=ro" not in str(engine.url)
    return False


def helped_steps(steps: Sequence[RollupStep], names: Sequence[str] = HELPED) -> list[RollupStep]:
    """Returns the steps (of `names`) the helper may compute: reading no rollup, no extra."""
    return [
        step
        for step in steps
        if step.table.name in names
        and step.extra is None
        and not any(t.startswith("rollup_") for t in step.reads)
    ]


@dataclass
class _Scratch:
    """Where the helper's rows wait: an attached SQLite file or a PostgreSQL schema."""

    dialect: str
    schema: str
    path: str | None = None
    tables: dict[str, Table] = field(default_factory=dict)

    @classmethod
    def new(cls, dialect: str) -> _Scratch:
        """Returns a new scratch area's names (the SQLite file is created empty)."""
        if dialect == "sqlite":
            handle, path = tempfile.mkstemp(prefix="salesops-rollups-", suffix=".db")
            os.close(handle)
            return cls(dialect, SQLITE_SCRATCH, path)
        return cls(dialect, f"salesops_scratch_{uuid.uuid4().hex[:12]}")

    def table_for(self, table: Table) -> Table:
        """Returns the scratch twin of a rollup table (same columns and types, no keys)."""
        twin = Table(
            table.name,
            MetaData(schema=self.schema),
            *(Column(c.name, c.type) for c in table.columns),
            prefixes=["UNLOGGED"] if self.dialect == "postgresql" else [],
        )
        self.tables[table.name] = twin
        return twin


SQLITE_SCRATCH = "salesops_scratch"


class Helper:
    """Computes the helped steps' rows into the scratch area on a thread and connection.

    `ahead`: started before the base tables' indexes are built (see start_ahead). It then
    computes the steps of PLANS_WITHOUT_INDEXES first and waits for `indexes_built()`
    before the others.
    """

    def __init__(self, engine: Engine, steps: Sequence[RollupStep], *, ahead: bool = False):
        self.engine = engine
        self.steps = list(steps)
        self.scratch = _Scratch.new(engine.dialect.name)
        self.seconds: dict[str, float] = {}
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._indexed = threading.Event()
        if not ahead:
            self._indexed.set()
        self._thread = threading.Thread(target=self._run, name="rollup-helper", daemon=True)

    def indexes_built(self) -> None:
        """Tells a helper started ahead that the base tables' indexes are committed."""
        self._indexed.set()

    def attach(self, conn: Connection) -> None:
        """Makes the scratch area reachable from `conn`; before its transaction begins.

        SQLite attaches the file (which it refuses inside a transaction); nothing to do on
        PostgreSQL, where the schema is the database's.
        """
        if self.scratch.path is not None:
            conn.exec_driver_sql(f"ATTACH DATABASE ? AS {SQLITE_SCRATCH}", (self.scratch.path,))
            conn.commit()

    def detach(self, conn: Connection) -> None:
        """Undoes `attach` once `conn`'s transaction is over (the pool reuses connections)."""
        if self.scratch.path is not None:
            try:
                conn.rollback()
                conn.exec_driver_sql(f"DETACH DATABASE {SQLITE_SCRATCH}")
                conn.commit()
            except Exception:  # then the connection is not reused at all
                conn.invalidate()

    def start(self) -> None:
        """Starts computing on the helper's thread (nothing if it started already)."""
        if self._thread.ident is None:
            self._thread.start()

    def _run(self) -> None:
        try:
            with self.engine.connect() as conn, refresh_cache(conn):
                try:
                    self._compute(conn)
                finally:
                    conn.rollback()
                    self.detach(conn)
        except BaseException as exc:  # handed to the main thread by wait()
            self.error = exc

    def _compute(self, conn: Connection) -> None:
        self.attach(conn)
        if self.scratch.path is None:
            conn.exec_driver_sql(f'CREATE SCHEMA "{self.scratch.schema}"')
            conn.commit()
        for step in self._in_order():
            if step.table.name not in PLANS_WITHOUT_INDEXES and not self._indexed.is_set():
                started = time.perf_counter()
                self._indexed.wait()
                self.seconds["waiting for the indexes"] = round(time.perf_counter() - started, 3)
            if self._stop.is_set():
                return
            started = time.perf_counter()
            with conn.begin():
                postgres_work_mem(conn)
                twin = self.scratch.table_for(step.table)
                twin.create(conn)
                columns = [c.name for c in step.table.columns]
                conn.execute(insert(twin).from_select(columns, step.select))
            self.seconds[step.table.name] = round(time.perf_counter() - started, 3)

    def _in_order(self) -> list[RollupStep]:
        """Returns the steps, those planned without the base tables' indexes first."""
        return sorted(self.steps, key=lambda step: step.table.name not in PLANS_WITHOUT_INDEXES)

    def wait(self) -> None:
        """Waits for the helper; raises what it raised."""
        self._thread.join()
        if self.error is not None:
            raise self.error

    def copy(self, conn: Connection, step: RollupStep) -> int:
        """Replaces the rollup's rows with the helper's (on the main connection)."""
        table = step.table
        for index in table.indexes:  # as run_step: one a later schema added
            index.create(conn, checkfirst=True)
        conn.execute(delete(table))
        twin = self.scratch.tables[table.name]
        columns = [c.name for c in table.columns]
        result = conn.execute(
            insert(table).from_select(columns, select(*(twin.c[c] for c in columns)))
        )
        return result.rowcount if result.rowcount is not None else -1

    def clean(self) -> None:
        """Stops the helper, waits for it and drops the scratch area, whatever happened."""
        self._stop.set()
        self._indexed.set()  # a helper started ahead may be waiting for the indexes
        if self._thread.is_alive():
            self._thread.join()
        if self.scratch.path is None:
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{self.scratch.schema}" CASCADE')
                    conn.commit()
            except Exception:  # a leftover scratch schema is harmless
                logger.warning("could not drop %s", self.scratch.schema, exc_info=True)
            return
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.scratch.path + suffix)


def helper_for(engine: Engine, steps: Sequence[RollupStep], helper: bool | Helper) -> Helper | None:
    """Returns the helper of a full refresh of `steps` (None: the main connection alone).

    `helper`: True for a new one (not started yet) where it can help, False for none, or
    one the caller started ahead (start_ahead), taken as it is.
    """
    if isinstance(helper, Helper):
        return helper
    if not helper or not can_help(engine):
        return None
    helped = helped_steps(steps, helped_names(engine.dialect.name))
    return Helper(engine, helped) if helped else None


def start_ahead(engine: Engine) -> Helper | None:
    """Starts a helper before the base tables' indexes exist (None where it cannot help).

    For a SQLite file whose base tables are written and committed, in WAL mode (the helper
    reads while the main connection builds the indexes): the caller builds them, calls
    `indexes_built()`, then hands the helper to refresh_rollups, and calls `clean()` in
    any case. The helper computes HELPED_AHEAD.
    """
    from salesops.db.rollup_steps import plan

    if engine.dialect.name != "sqlite" or not can_help(engine):
        return None
    helper = Helper(engine, helped_steps(plan(), HELPED_AHEAD), ahead=True)
    helper.start()
    return helper


def run_with_helper(
    conn: Connection,
    steps: Sequence[RollupStep],
    helper: Helper,
    between: Callable[[], dict[str, int]],
) -> tuple[dict[str, int], dict[str, float]]:
    """Rebuilds `steps` in full on `conn` while `helper` computes its steps' rows.

    First the steps that need nothing of the helper's, then `between()` (work of the main
    connection that reads no rollup of `steps`: the history spans and call rollups), then,
    once the helper is done, its rows copied and the steps reading them, in plan order.
    Returns (rows written, seconds) per rollup, as run_steps.
    """
    helped = {step.table.name for step in helper.steps}
    waiting = set(helped)
    written: dict[str, int] = {}
    seconds: dict[str, float] = {}
    later: list[RollupStep] = []
    for step in steps:
        if step.table.name in waiting or step.reads & waiting:
            waiting.add(step.table.name)
            later.append(step)
            continue
        started = time.perf_counter()
        written[step.table.name] = run_step(conn, step)
        seconds[step.table.name] = round(time.perf_counter() - started, 3)
    written |= between()
    started = time.perf_counter()
    helper.wait()
    seconds["waiting for the helper"] = round(time.perf_counter() - started, 3)
    for step in later:
        started = time.perf_counter()
        if step.table.name in helped:
            written[step.table.name] = helper.copy(conn, step)
        else:
            written[step.table.name] = run_step(conn, step)
        seconds[step.table.name] = round(time.perf_counter() - started, 3)
    seconds |= {f"helper: {name}": s for name, s in helper.seconds.items()}
    return written, seconds
