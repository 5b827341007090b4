"""Building the demo company's tables and loading them into a database in one transaction."""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Index, Table

from salesops.db import schema
from salesops.db.engine import (
    analyze,
    bulk_insert,
    empty_tables,
    in_use_elsewhere,
    make_engine,
    remove_sqlite_file,
    reset_sequences,
    restore_constraints,
    set_aside_constraints,
    sqlite_file_without_tables,
)
from salesops.db.index_builds import create_indexes
from salesops.db.migrate import ensure_current_schema
from salesops.db.rollup_helper import Helper, start_ahead
from salesops.demo import activities, company, demand, orders, quotas, spend
from salesops.demo.catalog import ACTIVITY_TYPES, STAGES
from salesops.demo.pg_copy import copy_frame
from salesops.demo.scales import DEMO_END, resolve_scale
from salesops.demo.state import DEFAULT_PATTERN, DemoPattern, DemoState
from salesops.importing.memory import postgres_work_mem

logger = logging.getLogger(__name__)

Progress = Callable[[float, str], None]

LOAD_ORDER = [
    "stages",
    "activity_types",
    "territories",
    "reps",
    "accounts",
    "leads",
    "opportunities",
    "opportunity_history",
    "orders",
    "acquisition_spend",
    "activities",
    "quotas",
]


def build_demo_frames(
    scale: str | int,
    seed: int,
    end: date = DEMO_END,
    progress: Progress | None = None,
    pattern: DemoPattern = DEFAULT_PATTERN,
    ready: Callable[[str, pd.DataFrame], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Returns every demo table as a DataFrame keyed by table name (no database needed).

    The generators draw from one seeded stream in the order below: same seed and scale,
    same rows. `ready(name, frame)`, when given, is handed each table as soon as it is
    final (parents before their children), so a writer can start on it meanwhile.
    """
    report = progress or (lambda fraction, message: None)
    done = ready or (lambda name, frame: None)
    state = DemoState(resolve_scale(scale), seed, end, pattern)
    stages = pd.DataFrame(
        STAGES, columns=["name", "sort_order", "probability", "is_closed", "is_won"]
    )
    activity_types = pd.DataFrame(
        [a[:3] for a in ACTIVITY_TYPES], columns=["activity", "category", "is_back_office"]
    )
    done("stages", stages)
    done("activity_types", activity_types)
    report(0.01, "Generating territories, reps and accounts")
    territories, territory_weight = company.territories(state)
    done("territories", territories)
    reps, traits = company.reps(state, territories)
    accounts = company.accounts(state, territories, territory_weight)
    report(0.03, "Generating leads, opportunities and their history")
    leads, opportunities, history = demand.demand(state, reps, traits, accounts)
    report(0.07, "Generating orders, spend, activities and quotas")
    reps = quotas.calibrate_quotas(state, reps, territories, opportunities)
    done("reps", reps)
    done("accounts", accounts)
    done("leads", leads)
    done("opportunities", opportunities)
    done("opportunity_history", history)
    made_orders = orders.orders(state, opportunities, accounts)
    done("orders", made_orders)
    made_spend = spend.spend(state, leads, reps)
    done("acquisition_spend", made_spend)
    made_activities = activities.activities(state, reps, traits.selling_share)
    done("activities", made_activities)
    made_quotas = quotas.quotas(state, reps)
    done("quotas", made_quotas)
    return {
        "territories": territories,
        "reps": reps,
        "accounts": accounts,
        "stages": stages,
        "leads": leads,
        "opportunities": opportunities,
        "opportunity_history": history,
        "orders": made_orders,
        "acquisition_spend": made_spend,
        "activity_types": activity_types,
        "activities": made_activities,
        "quotas": made_quotas,
    }


class _Handover(Mapping[str, pd.DataFrame]):
    """The demo's frames as generation hands them over (build_demo_frames' `ready`).

    Reading a table not handed over yet waits for it: the writer (another thread) writes
    each table while the later ones are generated. `abandon()` (generation failed) makes
    every wait raise.
    """

    def __init__(self) -> None:
        self._frames: dict[str, pd.DataFrame] = {}
        self._changed = threading.Condition()
        self._abandoned = False

    def put(self, name: str, frame: pd.DataFrame) -> None:
        with self._changed:
            self._frames[name] = frame
            self._changed.notify_all()

    def abandon(self) -> None:
        with self._changed:
            self._abandoned = True
            self._changed.notify_all()

    def __getitem__(self, name: str) -> pd.DataFrame:
        with self._changed:
            self._changed.wait_for(lambda: name in self._frames or self._abandoned)
            if name not in self._frames:
                raise RuntimeError(f"the demo's {name} were never generated")
            return self._frames[name]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._frames))

    def __len__(self) -> int:
        return len(self._frames)

    def clear(self) -> None:
        with self._changed:
            self._frames.clear()


def _iso(values: pd.Series) -> pd.Series:
    """Returns datetimes as ISO text (None where missing), with the time where any has one.

    'YYYY-MM-DD' for dates; 'YYYY-MM-DD HH:MM:SS' when a value has a time of day (approvals).
    Each distinct value is formatted once: a few thousand days stand for millions of rows.
    """
    s = pd.Series(pd.to_datetime(values))
    codes, distinct = pd.factorize(s)  # NaT: code -1, not among `distinct`
    days = pd.Series(distinct)
    timed = bool((days != days.dt.normalize()).any())
    text = days.dt.strftime("%Y-%m-%d %H:%M:%S" if timed else "%Y-%m-%d").to_numpy(object)
    out = np.full(len(s), None, dtype=object)
    known = codes >= 0
    out[known] = text[codes[known]]
    return pd.Series(out, index=s.index, dtype=object)


def _for_insert(frame: pd.DataFrame) -> pd.DataFrame:
    """Returns the frame with dates as ISO text, booleans as bool and missing ids as None."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = _iso(out[col])
        elif pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].astype(bool)
        elif pd.api.types.is_float_dtype(out[col]) and col.endswith("_id"):
            out[col] = out[col].astype("Int64").astype(object).where(out[col].notna(), None)
    return out


def generate_demo(
    engine: Engine,
    scale: str | int,
    seed: int,
    progress: Progress | None = None,
    pattern: DemoPattern = DEFAULT_PATTERN,
) -> dict[str, int]:
    """Replaces the database's content with the demo company; returns rows written per table.

    Runs in one transaction: on any error nothing is written. Rollups are rebuilt after.
    Into a SQLite file without tables (a new demo database), the company is built in a file
    beside it, written without a journal, and moved into its place once complete
    (_build_beside): on any error the file is left as it was. On PostgreSQL each table is
    written while the later ones are generated (_write_handed).
    """
    report = progress or (
        lambda fraction, message: logger.info("%3.0f%% %s", fraction * 100, message)
    )
    report(0.0, "Generating the demo company")

    def generate(progress: Progress, ready: Callable[[str, pd.DataFrame], None]) -> object:
        return build_demo_frames(scale, seed, progress=progress, pattern=pattern, ready=ready)

    new_file = sqlite_file_without_tables(engine)
    if new_file is not None:
        return _build_beside(engine, new_file, generate, report)
    if engine.dialect.name == "postgresql":
        # COPY's rows are stored by the server: this process mostly waits meanwhile. The
        # foreign keys are checked when restore_constraints adds them back (checked=False).
        counts = _write_handed(engine, generate, report)
    else:
        frames = build_demo_frames(scale, seed, progress=report, pattern=pattern)
        counts = _load(engine, frames, report)
        frames.clear()  # written: the rollups read the database (their memory is theirs now)
    _summarise(engine, report)
    return counts


def _loaded_indexes() -> list[Index]:
    """Returns the secondary indexes of the tables the demo writes (built after the rows)."""
    return [i for name in LOAD_ORDER for i in schema.metadata.tables[name].indexes]


def unmatched_references(
    frames: Mapping[str, pd.DataFrame], names: Iterable[str] = LOAD_ORDER
) -> list[str]:
    """Returns each foreign key of the tables `names` with values its parent rows lack.

    The frames' own check of what SQLite's foreign keys check row by row on insert: one
    set lookup per column (a description of each broken key; [] when all match).
    """
    broken = []
    for name in names:
        for fk in schema.metadata.tables[name].foreign_key_constraints:
            (column,) = (c.name for c in fk.columns)
            (element,) = fk.elements
            parent = frames[fk.referred_table.name][element.column.name]
            values = frames[name][column].dropna()
            missing = ~values.isin(parent)
            if missing.any():
                sample = values[missing].unique()[:5].tolist()
                broken.append(
                    f"{name}.{column}: {int(missing.sum())} values not in "
                    f"{fk.referred_table.name}.{element.column.name} ({sample})"
                )
    return broken


def _load(
    engine: Engine,
    frames: Mapping[str, pd.DataFrame],
    report: Progress,
    *,
    indexes: bool = True,
    checked: bool = False,
) -> dict[str, int]:
    """Writes the frames into the database in one transaction; returns rows per table.

    `indexes=False` leaves the tables' secondary indexes to the caller (_build_beside).
    `checked`: each frame's references are checked here before it is written
    (unmatched_references), so SQLite does not look up every row's parents again as it
    inserts it (a fifth of the writing's CPU). `frames` may be a _Handover: each table is
    written once it is generated.
    """
    ensure_current_schema(engine)  # the demo writes this version's columns
    counts: dict[str, int] = {}
    handed = isinstance(frames, _Handover)  # sizes unknown ahead: progress by table
    total = len(LOAD_ORDER) if handed else sum(len(frames[name]) for name in LOAD_ORDER)
    done = 0
    loaded = [schema.metadata.tables[n] for n in LOAD_ORDER]
    with engine.begin() as conn:
        if checked and conn.dialect.name == "sqlite":
            # before the first write: SQLite ignores the pragma inside a transaction
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            if conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one():
                raise RuntimeError("SQLite kept checking foreign keys (inside a transaction?)")
        postgres_work_mem(conn)  # PostgreSQL's index builds and constraint checks
        empty_tables(conn, [t for t in schema.metadata.sorted_tables if t.name != "salesops_meta"])
        # Indexes (and on PostgreSQL foreign keys and unique constraints) are built once
        # after the load: far cheaper than maintaining and checking them row by row.
        for index in _loaded_indexes():
            index.drop(conn, checkfirst=True)
        constraints = set_aside_constraints(conn, loaded)
        for table in loaded:
            name = table.name
            frame = frames[name]
            if checked and (broken := unmatched_references(frames, [name])):
                raise ValueError("The demo's rows refer to missing rows: " + "; ".join(broken))
            report(0.1 + 0.75 * done / total, f"Writing {name} ({len(frame):,} rows)")
            counts[name] = _write(conn, table, _for_insert(frame))
            done += 1 if handed else len(frame)
        if indexes:
            report(0.86, "Building indexes")
            create_indexes(conn, _loaded_indexes())
        restore_constraints(conn, constraints)
        reset_sequences(conn, loaded)
        analyze(conn, loaded)
    return counts


def _write(conn: Connection, table: Table, frame: pd.DataFrame) -> int:
    """Writes a frame into a table emptied in this transaction; returns rows written.

    PostgreSQL through Arrow's text (salesops.demo.pg_copy), SQLite with bulk_insert.
    """
    if conn.dialect.name == "postgresql":
        return copy_frame(conn, table, frame, freeze=True)
    return bulk_insert(conn, table, frame, freeze=True)


def _summarise(engine: Engine, report: Progress, ahead: Helper | None = None) -> None:
    """Rebuilds the rollups, then stores what pages show first (forecasts, Overview).

    `ahead`: the rollup helper, started already (see _index_and_summarise).
    """
    from salesops.config import load_settings
    from salesops.db.rollups import refresh_rollups
    from salesops.forecast.stored import store_page_forecasts

    report(0.92, "Building rollups")
    refresh_rollups(engine, helper=True if ahead is None else ahead)
    report(0.96, "Fitting the forecasts pages show first")
    report(0.96, store_page_forecasts(engine, load_settings())[1])
    report(1.0, "Demo company ready")


def _index_and_summarise(engine: Engine, report: Progress) -> None:
    """Builds the written tables' indexes with the rollup helper started, then _summarise.

    The tables are committed (in WAL mode, so the helper's connection reads them while this
    one writes the indexes): the helper's rollups read base tables only, and the index
    builds and the helper's first rollups each take a core (salesops.db.rollup_helper:
    rollups whose plan would use an index wait for them).
    """
    ahead = start_ahead(engine)
    try:
        report(0.86, "Building indexes")
        with engine.begin() as conn:
            create_indexes(conn, _loaded_indexes())
        if ahead is not None:
            ahead.indexes_built()
        _summarise(engine, report, ahead)
    finally:
        if ahead is not None:
            ahead.clean()


def _build_beside(
    engine: Engine,
    target: Path,
    generate: Callable[[Progress, Callable[[str, pd.DataFrame], None]], object],
    report: Progress,
) -> dict[str, int]:
    """Builds the demo beside `target` (a SQLite file with no table), then puts it in place.

    Returns rows written per table. `generate(progress, ready)` generates the frames,
    handing each to `ready` once final: a writer thread writes each table meanwhile
    (_write_handed; sqlite3 lets other threads run while SQLite steps). The tables are
    written without a journal (make_engine's `unjournaled`: each page once, not twice
    through the WAL) and committed; their indexes and the rollups, whose helper reads while
    the main connection writes, in WAL mode as usual (_index_and_summarise). On any error
    the new file is deleted and `target` is untouched. If another process opened `target`
    meanwhile, the finished database is copied into it (SQLite's backup) instead of
    replacing the file under that connection.
    """
    building = target.with_name(f".{target.name}.building-{os.getpid()}")
    remove_sqlite_file(building)
    url = f"sqlite:///{building}"
    try:
        loader = make_engine(url, unjournaled=True)
        try:
            counts = _write_handed(loader, generate, report, indexes=False, checked=True)
        finally:
            loader.dispose()
        built = make_engine(url)  # WAL again: a journal mode of the file, set on opening
        try:
            _index_and_summarise(built, report)
        finally:
            built.dispose()  # the last connection checkpoints the WAL into the file
        engine.dispose()
        if in_use_elsewhere(target):
            _copy_into(building, target)
            remove_sqlite_file(building)
        else:
            os.replace(building, target)
    except BaseException:
        remove_sqlite_file(building)
        raise
    return counts


def _write_handed(
    loader: Engine,
    generate: Callable[[Progress, Callable[[str, pd.DataFrame], None]], object],
    report: Progress,
    *,
    indexes: bool = True,
    checked: bool = False,
) -> dict[str, int]:
    """Generates the frames on this thread while another writes them (_load); rows per table.

    `indexes`, `checked`: as _load's. The writer's progress messages are reported on this
    thread (a page's progress bar belongs to it): between generation's own, then as they
    come. If generation fails, the writer's transaction rolls back before this raises.
    """
    handover = _Handover()
    relayed: queue.Queue[tuple[float, str] | None] = queue.Queue()
    outcome: dict[str, object] = {}

    def write() -> None:
        try:
            outcome["counts"] = _load(
                loader,
                handover,
                lambda fraction, message: relayed.put((fraction, message)),
                indexes=indexes,
                checked=checked,
            )
        except BaseException as exc:  # raised on the caller's thread below
            outcome["error"] = exc
        finally:
            relayed.put(None)

    ended = threading.Event()  # the writer's last message (None) was taken

    def relay(wait: bool = False) -> None:
        """Reports the writer's messages so far (`wait`: until it has ended)."""
        while not ended.is_set():
            try:
                item = relayed.get(block=wait)
            except queue.Empty:
                return
            if item is None:
                ended.set()
            else:
                report(*item)

    writer = threading.Thread(target=write, name="demo-writer", daemon=True)
    writer.start()

    def progress(fraction: float, message: str) -> None:
        relay()
        if "error" in outcome:  # the writer failed: generating the rest is in vain
            raise outcome["error"]  # type: ignore[misc]
        report(fraction, message)

    try:
        generate(progress, handover.put)
    except BaseException:
        handover.abandon()  # the writer stops at its next table and rolls back
        writer.join()
        raise
    relay(wait=True)
    writer.join()
    handover.clear()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["counts"]  # type: ignore[return-value]


def _copy_into(source: Path, target: Path) -> None:
    """Copies SQLite database `source` over `target` page by page (SQLite's backup API)."""
    import sqlite3

    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        dst.execute("PRAGMA busy_timeout=5000")
        src.backup(dst)
