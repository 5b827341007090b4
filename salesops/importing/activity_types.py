"""The activity-type list: each type's category (selling or not) and back-office flag.

Imports add the types they meet (salesops.importing.entity_checks.default_category); an
admin corrects them on the Data page. A change is checked whole, written in one
transaction with its audit entry, or refused with one sentence.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, bindparam, update

from salesops.access import audit
from salesops.db import schema as s

CATEGORIES = ("selling", "non_selling")


class ActivityTypesError(ValueError):
    """An activity-type change that cannot be saved; the message says why."""


def save_activity_types(engine: Engine, edited: pd.DataFrame, actor: str) -> int:
    """Saves the categories and back-office flags of existing types; returns how many changed.

    Requires `edited` with columns activity, category, is_back_office. A category other
    than selling or non_selling, or an activity not defined, is refused (nothing written).
    """
    bad = edited[~edited["category"].isin(CATEGORIES)]
    if not bad.empty:
        raise ActivityTypesError(
            f"{bad['activity'].iloc[0]!r}: the category must be selling or non_selling, "
            f"not {bad['category'].iloc[0]!r}."
        )
    at = s.activity_types.c
    with engine.begin() as conn:
        stored = pd.read_sql_query(s.activity_types.select(), conn).set_index("activity")
        unknown = sorted(set(edited["activity"]) - set(stored.index))
        if unknown:
            raise ActivityTypesError(f"{unknown[0]!r} is not an activity type.")
        before = stored.loc[edited["activity"]]
        moved = edited[
            (before["category"].to_numpy() != edited["category"].to_numpy())
            | (before["is_back_office"].astype(bool).to_numpy()
               != edited["is_back_office"].astype(bool).to_numpy())
        ]  # fmt: skip
        if moved.empty:
            return 0
        params = [
            {"a": a, "c": c, "b": bool(b)}
            for a, c, b in moved[["activity", "category", "is_back_office"]].itertuples(
                index=False, name=None
            )
        ]
        conn.execute(
            update(s.activity_types)
            .where(at.activity == bindparam("a"))
            .values(category=bindparam("c"), is_back_office=bindparam("b")),
            params,
        )
        detail = "; ".join(f"{p['a']}: {p['c']}{', back office' if p['b'] else ''}" for p in params)
        audit.record(conn, actor, audit.ACTIVITY_TYPES_CHANGED, "activity types", detail)
    return len(params)
