"""Refreshing a rollup by partition: only the months (or weeks) an import's rows fall in.

A partitioned rollup groups by the month (or week) of a date of one base table, its
driving table (closed deals by close month, leads by created month, orders by order
month): each of its rows is computed from base rows of one partition only. After an
import, the partitions whose rows may differ are those of

- the driving table's changed rows, before the import (the change log's before-images:
  a close date moved from March to May changes both months) and after it, and
- every driving row joined to a changed row of another table the select reads (an
  account moved to another territory changes the months of its deals), found by the
  select's own FROM clause restricted to the changed rows' ids.

Those partitions' rows are deleted and the select, restricted to the partitions' date
ranges, is inserted again: the same rows a full rebuild writes for them, and the other
partitions' rows are left as they are. When the change log cannot list the rows (too
many changed), a changed table has deleted rows the rollup cannot trace, or the
partitions are a large share of the rollup's, the rollup is rebuilt in full instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    FromClause,
    Table,
    and_,
    delete,
    false,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.sql.selectable import GenerativeSelect, Join

from salesops.db import schema as s

ID_BATCH = 900  # ids per IN list (SQLite allows 32k bound parameters, PostgreSQL 65k)
PARTITION_SHARE = 0.5  # from this share of a rollup's partitions on, rebuild it in full
MAX_CHANGES_READ = 100_000  # at most this many updated or deleted rows are read back per import

Restrict = Callable[[ColumnElement[bool]], GenerativeSelect]


@dataclass
class RowChanges:
    """The rows an import changed, per table.

    That is the id range it inserted and the rows it updated or deleted, as they were
    before (a row changed twice: its first before-image).

    `listed` is False when too many rows changed to list them: no rollup is refreshed by
    partition then.
    """

    inserted: dict[str, tuple[int, int]] = field(default_factory=dict)  # (last id before, last)
    updated: dict[str, dict[int, dict[str, object]]] = field(default_factory=dict)
    deleted: dict[str, dict[int, dict[str, object]]] = field(default_factory=dict)
    listed: bool = True
    written: frozenset[str] = frozenset()  # every table written, keys added included

    @property
    def tables(self) -> frozenset[str]:
        """Returns the names of the tables with any row inserted, updated or deleted."""
        return frozenset({*self.written, *self.inserted, *self.updated, *self.deleted})

    def current(self, table: Table | FromClause) -> ColumnElement[bool]:
        """Returns "the row of `table` (or an alias of it) was inserted or updated"."""
        name = table_name(table)
        parts: list[ColumnElement[bool]] = []
        if name in self.inserted:
            first, last = self.inserted[name]
            parts.append(table.c.id.between(first + 1, last))
        ids = sorted(self.updated.get(name, {}))
        parts += [table.c.id.in_(batch) for batch in id_batches(ids)]
        return or_(false(), *parts)

    def count(self, table: str) -> int:
        """Returns how many of the table's rows were inserted, updated or deleted (at most)."""
        first, last = self.inserted.get(table, (0, 0))
        return last - first + len(self.updated.get(table, {})) + len(self.deleted.get(table, {}))

    def before_values(self, table: str, column: str) -> Iterator[object]:
        """Yields `column` of the table's updated and deleted rows, as they were before.

        An updated row whose before-image lacks the column kept its value: not yielded.
        """
        for rows in (self.updated.get(table, {}), self.deleted.get(table, {})):
            for before in rows.values():
                if column in before:
                    yield before[column]


def load_row_changes(
    conn: Connection, run_id: int, inserted: dict[str, tuple[int, int]], written: frozenset[str]
) -> RowChanges:
    """Returns the rows import run `run_id` changed so far, from its change log.

    `inserted` is the id range each table gained, `written` every table the run wrote.
    """
    c = s.import_changes.c
    kinds = ("updated", "deleted")
    listed = conn.execute(
        select(func.count()).where(c.run_id == run_id, c.kind.in_(kinds))
    ).scalar_one()
    changes = RowChanges(inserted=dict(inserted), written=written)
    if listed > MAX_CHANGES_READ:
        changes.listed = False
        return changes
    stmt = (
        select(c.table_name, c.kind, c.row_id, c.before)
        .where(c.run_id == run_id, c.kind.in_(kinds))
        .order_by(c.id)
    )
    for table, kind, row_id, before in conn.execute(stmt):
        rows = (changes.updated if kind == "updated" else changes.deleted).setdefault(table, {})
        rows.setdefault(int(row_id), json.loads(before) if before else {})
    return changes


def table_name(table: Table | FromClause) -> str:
    """Returns the name of a table, or of an alias's table."""
    element = getattr(table, "element", table)
    return str(getattr(element, "name", ""))


T = TypeVar("T")


def id_batches(values: Sequence[T]) -> Iterator[list[T]]:
    """Returns `values` in order, in lists of at most ID_BATCH: one IN list each."""
    for first in range(0, len(values), ID_BATCH):
        yield list(values[first : first + ID_BATCH])


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    return date.fromisoformat(str(value)[:10])


GRAINS: dict[str, tuple[Callable[[date], date], Callable[[date], date]]] = {
    # grain: (the partition a date is in, the partition's first day -> the next one's)
    "month": (
        lambda d: d.replace(day=1),
        lambda m: date(m.year + m.month // 12, m.month % 12 + 1, 1),
    ),
    "week": (lambda d: d - timedelta(days=d.weekday()), lambda w: w + timedelta(days=7)),
}


@dataclass(frozen=True)
class Partitioning:
    """How a rollup splits into partitions, and how to fill one partition's rows.

    `key` is the rollup column holding the partition: the `grain` ("month" or "week") of
    `column`, a date of the driving table. `restrict(condition)` returns the rollup's select
    limited to base rows where `condition` (on `column`) holds. `join` is the FROM clause
    linking the driving table to every other table the select reads (by default the
    select's own, when it has one). `links` name, per table whose deleted rows count,
    the column of its before-image that holds the driving row's id. `extra_keys` adds
    partitions the changed rows reach in other ways (a customer's first won deal).
    """

    key: str
    column: Column
    grain: str
    restrict: Restrict
    join: FromClause | None = None
    links: tuple[tuple[str, str], ...] = ()
    extra_keys: Callable[[Connection, RowChanges], set[date | None]] | None = None

    def from_clause(self, stmt: GenerativeSelect) -> FromClause:
        """Returns the FROM clause joining the driving table to the tables it reads."""
        if self.join is not None:
            return self.join
        froms = stmt.get_final_froms() if hasattr(stmt, "get_final_froms") else []
        if len(froms) != 1:
            raise ValueError(f"{self.key}: the select has {len(froms)} FROM clauses; give join")
        return froms[0]

    def partition(self, value: object) -> date | None:
        """Returns the partition a date (or ISO text, or None) of `column` falls in."""
        day = _as_date(value)
        return None if day is None else GRAINS[self.grain][0](day)

    def traceable(self, changes: RowChanges, reads: frozenset[str]) -> bool:
        """Returns False when a read table lost rows the partitions cannot be traced from."""
        driving = self.column.table.name
        linked = {table for table, _ in self.links}
        return all(name == driving or name in linked for name in changes.deleted if name in reads)

    def keys(
        self, conn: Connection, stmt: GenerativeSelect, reads: frozenset[str], changes: RowChanges
    ) -> set[date | None]:
        """Returns the partitions whose rows the changes may have changed."""
        driving = self.column.table
        keys = {self.partition(v) for v in changes.before_values(driving.name, self.column.name)}
        join = self.from_clause(stmt)
        # (FROM, condition) pairs, one query each so each reads by its own index: the driving
        # table's changed rows alone; rows joined to another table's changed rows through the
        # select's joins, the one to that table made inner (its row must exist) so the planner
        # may start from the changed rows
        found: list[tuple[FromClause, ColumnElement[bool]]] = [(driving, changes.current(driving))]
        for t in tables_in(join):
            name = table_name(t)
            if name in changes.tables & reads and name != driving.name:
                found.append((inner_to(join, t), changes.current(t)))
        for table, fk in self.links:
            ids = sorted(
                {int(str(b[fk])) for b in changes.deleted.get(table, {}).values() if b.get(fk)}
            )
            found += [(driving, driving.c.id.in_(batch)) for batch in id_batches(ids)]
        for source, condition in found:
            rows = select(self.column).select_from(source).where(condition).distinct()
            keys |= {self.partition(v) for v in conn.execute(rows).scalars()}
        if self.extra_keys is not None:
            keys |= self.extra_keys(conn, changes)
        return keys

    def condition(self, keys: Iterable[date | None]) -> ColumnElement[bool]:
        """Returns "`column` falls in one of the partitions"."""
        return in_partitions(self.column, self.grain, keys)


def in_partitions(
    column: ColumnElement, grain: str, keys: Iterable[date | None]
) -> ColumnElement[bool]:
    """Returns "`column` falls in one of the partitions `keys`" (runs of them as ranges)."""
    keys = set(keys)
    following = GRAINS[grain][1]
    ranges: list[list[date]] = []
    for key in sorted(k for k in keys if k is not None):
        if ranges and ranges[-1][1] == key:
            ranges[-1][1] = following(key)
        else:
            ranges.append([key, following(key)])
    parts = [and_(column >= first, column < end) for first, end in ranges]
    if None in keys:
        parts.append(column.is_(None))
    return or_(false(), *parts)


def inner_to(join: FromClause, target: FromClause) -> FromClause:
    """Returns `join` with the join that brings in `target` made an inner join."""
    if not isinstance(join, Join):
        return join
    left = inner_to(join.left, target)
    right = inner_to(join.right, target)
    outer = join.isouter and join.right is not target
    return Join(left, right, join.onclause, isouter=outer, full=join.full)


def tables_in(join: FromClause) -> list[FromClause]:
    """Returns the tables (and aliases) a FROM clause joins, left to right."""
    if isinstance(join, Join):
        return [*tables_in(join.left), *tables_in(join.right)]
    return [join]


def refresh_partitions(
    conn: Connection, table: Table, partitioning: Partitioning, keys: set[date | None]
) -> int:
    """Replaces the rollup's rows of the partitions `keys`; returns the rows written."""
    key = table.c[partitioning.key]
    dated = sorted(k for k in keys if k is not None)
    where = [key.in_(batch) for batch in id_batches(dated)]
    if None in keys:
        where.append(key.is_(None))
    if not where:
        return 0
    conn.execute(delete(table).where(or_(*where)))
    columns = [c.name for c in table.columns]
    stmt = partitioning.restrict(partitioning.condition(keys))
    result = conn.execute(insert(table).from_select(columns, stmt))
    return result.rowcount if result.rowcount is not None else -1


def partitions_in(conn: Connection, table: Table, partitioning: Partitioning) -> int:
    """Returns how many partitions the rollup holds rows of."""
    key = table.c[partitioning.key]
    return int(conn.execute(select(func.count(func.distinct(key)))).scalar_one() or 0)


def driving_share(conn: Connection, partitioning: Partitioning, changes: RowChanges) -> float:
    """Returns the share of the driving table's rows the changes inserted, updated or deleted."""
    driving = partitioning.column.table
    changed = changes.count(driving.name)
    if not changed:
        return 0.0
    total = int(conn.execute(select(func.count()).select_from(driving)).scalar_one() or 0)
    return changed / max(total, 1)
