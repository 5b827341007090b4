"""Accounts without a territory take the territory of the reps who hold most of their deals.

Some exports carry no sales territory for their accounts (Maven's accounts.csv has only the
customer's HQ country). When a layout asks for it (option `territory_from_deals`), the end
of an import gives each account of that source still without a territory the territory of
the reps who hold most of its deals (ties: the lowest territory id), on the import's
connection: it commits or rolls back with the rows, is logged so `--undo` restores it, and
the rollups refreshed after it see the accounts' final territory. An account that already
has a territory keeps it; one with no deals by a rep with a territory stays without one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, bindparam, func, select, update

from salesops.db import schema as s
from salesops.importing.change_log import ChangeLog
from salesops.importing.records import in_batches

OPTION = "territory_from_deals"


def territory_by_deals(counts: pd.DataFrame) -> pd.Series:
    """Returns each account's territory: the one whose reps hold most of its deals.

    Requires columns account_id, territory_id, deals (deals on the account held by reps of
    that territory; rows without a territory are ignored). Ties go to the lowest territory
    id. Returns an int64 Series of territory ids indexed by account_id (sorted); accounts
    with no deal in any territory are absent.
    """
    held = counts.dropna(subset=["account_id", "territory_id"])
    held = held[held["deals"] > 0]
    if held.empty:
        return pd.Series(dtype="int64", index=pd.Index([], dtype="int64", name="account_id"))
    ranked = held.astype({"account_id": "int64", "territory_id": "int64"}).sort_values(
        ["account_id", "deals", "territory_id"], ascending=[True, False, True], kind="stable"
    )
    first = ranked.drop_duplicates("account_id")
    return first.set_index("account_id")["territory_id"].rename("territory_id")


@dataclass(frozen=True)
class InferredTerritories:
    """What inferring accounts' territories did for one source."""

    given: int  # accounts that took a territory from their deals
    without: int  # accounts of the source still without a territory

    def sentence(self) -> str:
        """Returns the import report's note (empty when no account lacked a territory)."""
        if not self.given and not self.without:
            return ""
        took = (
            f"{self.given:,} account{'s' if self.given != 1 else ''} without a territory took "
            "the territory of the reps holding most of their deals"
        )
        if not self.without:
            return f"{took}; every account now has a territory."
        return (
            f"{took}; {self.without:,} still {'have' if self.without != 1 else 'has'} none "
            "(no deal by a rep with a territory)."
        )


def _deal_counts(conn: Connection, source: str) -> pd.DataFrame:
    """Returns account_id, territory_id, deals for the source's accounts without a territory."""
    a, o, r = s.accounts.c, s.opportunities.c, s.reps.c
    stmt = (
        select(o.account_id, r.territory_id, func.count())
        .select_from(
            s.opportunities.join(s.accounts, a.id == o.account_id).join(s.reps, r.id == o.rep_id)
        )
        .where(a.source == source, a.territory_id.is_(None), r.territory_id.is_not(None))
        .group_by(o.account_id, r.territory_id)
    )
    rows = [tuple(row) for row in conn.execute(stmt)]
    return pd.DataFrame.from_records(rows, columns=["account_id", "territory_id", "deals"])


def _without_territory(conn: Connection, source: str) -> int:
    a = s.accounts.c
    stmt = select(func.count()).where(a.source == source, a.territory_id.is_(None))
    return int(conn.execute(stmt).scalar_one())


def infer_account_territories(conn: Connection, log: ChangeLog, source: str) -> InferredTerritories:
    """Gives the source's accounts without a territory the territory of their deals' reps.

    Runs on the import's connection (inside its transaction); the accounts' previous
    territory (none) is logged so undoing the import restores it. Returns the counts.
    """
    chosen = territory_by_deals(_deal_counts(conn, source))
    if not chosen.empty:
        ids = [int(i) for i in chosen.index]
        log.updated(s.accounts, log.rows_before(s.accounts, ids, ["territory_id"]))
        a = s.accounts
        stmt = (
            update(a)
            .where(a.c.id == bindparam("account"))
            .values(territory_id=bindparam("territory"))
        )
        pairs = list(zip(ids, (int(t) for t in chosen), strict=True))
        for part in in_batches(pairs):
            conn.execute(stmt, [{"account": acc, "territory": terr} for acc, terr in part])
    return InferredTerritories(len(chosen), _without_territory(conn, source))
