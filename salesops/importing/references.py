"""Rows an imported row points at: territories, reps, accounts, leads and deals, by name or id.

A deal names its account and owner; a missing one is created (external_id = the name) so
the deal can be written, and counted as a created reference. Ids found are cached for the
rest of the import.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, Table, select

from salesops.db import schema as s
from salesops.importing.records import in_batches, plain_value
from salesops.importing.statements import among, among_batches, insert_ignore


class References:
    """Looks up (and creates) referenced rows on one connection, caching what it found."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._ids: dict[tuple[str, str, str], dict[str, int]] = {}

    def lookup(self, table: Table, source: str, key: str, values: list[str]) -> dict[str, int]:
        """Returns {value: id} for rows of `source` whose `key` column is in `values`."""
        found: dict[str, int] = {}
        column = table.c[key]
        for part in among_batches(self.conn, values):
            where = (table.c.source == source, among(self.conn, column, part))
            stmt = select(column, table.c.id).where(*where)
            for value, row_id in self.conn.execute(stmt):
                found.setdefault(value, row_id)
        return found

    def forget(self, table: Table, source: str, by: str) -> None:
        """Drops the cached ids of `table` by `by` (after the table itself was imported)."""
        self._ids.pop((table.name, source, by), None)

    def ensure(
        self,
        table: Table,
        source: str,
        names: Iterable[str],
        by: str,
        created: dict[str, int],
        extra: dict[str, dict[str, object]] | None = None,
    ) -> dict[str, int]:
        """Returns {name or external id: id}, creating missing rows (external_id = the value).

        Rows created are counted in `created` under the table's name.
        """
        cache = self._ids.setdefault((table.name, source, by), {})
        wanted = sorted({n for n in names if n is not None and n not in cache})
        if not wanted:
            return cache
        cache.update(self.lookup(table, source, by, wanted))
        missing = [n for n in wanted if n not in cache]
        if missing:
            rows: list[dict[str, object]] = []
            for value in missing:
                row: dict[str, object] = {"source": source, "external_id": value, "name": value}
                row.update((extra or {}).get(value, {}))
                rows.append(row)
            keys = {k for row in rows for k in row}
            rows = [{k: row.get(k) for k in keys} for row in rows]  # executemany: same keys
            self.conn.execute(insert_ignore(self.conn, table, ["source", "external_id"]), rows)
            cache.update(self.lookup(table, source, "external_id", missing))
            created[table.name] = created.get(table.name, 0) + len(missing)
        return cache

    def territory_ids(self, source: str, names: pd.Series, created: dict[str, int]) -> pd.Series:
        """Returns the territory id of each name (Int64), creating unknown territories."""
        mapping = self.ensure(s.territories, source, names.dropna().unique(), "name", created)
        return names.map(mapping, na_action="ignore").astype("Int64")

    def rep_ids(
        self,
        source: str,
        names: pd.Series,
        by: str,
        created: dict[str, int],
        territory: pd.Series | None = None,
        labels: pd.Series | None = None,
    ) -> pd.Series:
        """Returns the rep id of each name or external id (Int64), creating unknown reps.

        With `territory`, a created rep is placed in the territory named beside it; with
        `labels` (names beside external ids), a created rep is named, not called by its id.
        """
        extra = _labelled(names, labels)
        if territory is not None:
            pairs = pd.DataFrame({"rep": names, "territory": territory}).dropna().drop_duplicates()
            t_ids = self.territory_ids(source, pairs["territory"], created)
            for rep, t_id in zip(pairs["rep"], t_ids, strict=True):
                extra.setdefault(rep, {})["territory_id"] = plain_value(t_id)
        mapping = self.ensure(s.reps, source, names.dropna().unique(), by, created, extra)
        return names.map(mapping, na_action="ignore").astype("Int64")

    def account_ids(
        self,
        source: str,
        names: pd.Series,
        by: str,
        created: dict[str, int],
        labels: pd.Series | None = None,
        any_source: bool = False,
    ) -> pd.Series:
        """Returns the account id of each name or external id (Int64), creating unknown ones.

        With `labels` (names beside external ids), a created account is named, not its id.
        With `any_source`, an external id `source` lacks but exactly one account of another
        source has (a CRM account id in a salesops template) is that account, not a new one.
        """
        extra = _labelled(names, labels)
        wanted = names.dropna().unique()
        elsewhere: dict[str, int] = {}
        if any_source and by == "external_id":
            mine = self.lookup(s.accounts, source, by, list(wanted))
            elsewhere = self._other_source_ids(source, [v for v in wanted if v not in mine])
        rest = [v for v in wanted if v not in elsewhere]
        mapping = {**self.ensure(s.accounts, source, rest, by, created, extra), **elsewhere}
        return names.map(mapping, na_action="ignore").astype("Int64")

    def _other_source_ids(self, source: str, values: list[str]) -> dict[str, int]:
        """Returns {external id: account id} of the values one other source's account has."""
        a = s.accounts.c
        seen: dict[str, list[int]] = {}
        for part in in_batches(values):
            stmt = select(a.external_id, a.id).where(a.source != source, a.external_id.in_(part))
            for value, row_id in self.conn.execute(stmt):
                seen.setdefault(value, []).append(row_id)
        return {value: ids[0] for value, ids in seen.items() if len(ids) == 1}


def _labelled(keys: pd.Series, labels: pd.Series | None) -> dict[str, dict[str, object]]:
    """Returns {key: {"name": label}} for keys with a label beside them (first label wins)."""
    if labels is None:
        return {}
    pairs = pd.DataFrame({"key": keys, "name": labels}).dropna().drop_duplicates("key")
    return {k: {"name": n} for k, n in zip(pairs["key"], pairs["name"], strict=True)}
