"""What the database already holds that an import needs: stages, lead dates, row counts."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, Select, func, select

from salesops.db import schema as s
from salesops.importing.key_dates import KeyDates

# rows read at a time when loading every lead's or deal's created date
_DATES_BATCH = 100_000


def _key_dates(engine: Engine, stmt: Select) -> KeyDates:
    """Returns {key: date} of a two-column select, read in batches into KeyDates."""
    found = KeyDates()
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=_DATES_BATCH).execute(stmt)
        for rows in result.partitions():
            frame = pd.DataFrame.from_records(rows, columns=["key", "day"])
            found.add(frame["key"].astype("str"), frame["day"])
    return found


def known_stages(engine: Engine) -> dict[str, str]:
    """Returns {stage name: outcome} for the stages already in the database."""
    st = s.stages.c
    with engine.connect() as conn:
        rows = conn.execute(select(st.name, st.is_closed, st.is_won)).all()
    return {name: ("won" if won else "lost") if closed else "open" for name, closed, won in rows}


def lead_created_dates(engine: Engine, source: str) -> KeyDates:
    """Returns {lead external_id: created_at} for one source (for deals dated by their lead)."""
    lead = s.leads.c
    return _key_dates(
        engine,
        select(lead.external_id, lead.created_at).where(
            lead.source == source, lead.external_id.is_not(None)
        ),
    )


def deal_created_dates(engine: Engine, source: str) -> KeyDates:
    """Returns {deal external_id: created_at} for one source (for history rows)."""
    opp = s.opportunities.c
    return _key_dates(
        engine,
        select(opp.external_id, opp.created_at).where(
            opp.source == source, opp.external_id.is_not(None)
        ),
    )


def known_names(engine: Engine, *, orders: bool = True) -> dict[str, frozenset[str]]:
    """Returns the rep names and ids, order ids and activity types already in the database.

    `orders=False` leaves the order ids out (empty): reading millions costs seconds, and
    only files that update orders need them.
    """
    r, o, a = s.reps.c, s.orders.c, s.activity_types.c
    with engine.connect() as conn:
        reps = conn.execute(select(r.name, r.external_id)).all()
        order_ids: frozenset[str] = frozenset()
        if orders:
            stmt = select(o.external_id).where(o.external_id.is_not(None))
            order_ids = frozenset(conn.execute(stmt).scalars())
        types = conn.execute(select(a.activity)).scalars()
        return {
            "reps": frozenset(v for row in reps for v in row if v is not None),
            "orders": order_ids,
            "activity_types": frozenset(types),
        }


def table_counts(engine: Engine) -> dict[str, int]:
    """Returns the number of rows in each table an import writes (for before/after checks)."""
    tables = [
        s.territories,
        s.reps,
        s.accounts,
        s.leads,
        s.opportunities,
        s.opportunity_history,
        s.stages,
        s.orders,
        s.quotas,
        s.acquisition_spend,
        s.activities,
        s.activity_types,
        s.import_batches,
    ]
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables
        }
