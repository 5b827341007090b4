"""Queries behind the quarter call: point-in-time pipeline snapshots and won amounts by day.

Everything reads rollup_history_spans (see schema.rollup_history_spans), never today's
values of a deal: a snapshot at instant t holds the rows current at t (dated before t, the
deal's next row dated t or later), and an amount counts as won on the date of its won row.
`until` bounds every row read, so a call as of a date uses only what the database knew then.

Scope is a set of reps (team, territory or rep, resolved by the caller); `by` groups the
rows by the rep's territory or manager (the roll-up), or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    String,
    case,
    cast,
    func,
    literal,
    select,
)

from salesops.db import schema as s
from salesops.repository.base import EVERYTHING, RepositoryBase, Scope
from salesops.repository.frames import DATE, FLOAT, INT, STR
from salesops.repository.pipeline_review import CLOSED_OUTCOMES, _scope_clause, _span_rows

CALL_UNITS = ("territory", "team")
SNAPSHOT_ROW = {
    "instant": INT,
    "unit": STR,
    "stage": STR,
    "forecast_category": STR,
    "close_bucket": STR,
    "deals": INT,
    "open_amount": FLOAT,
    "won_amount": FLOAT,
    "won_deals": INT,
}
WON_DAY_ROW = {"unit": STR, "day": DATE, "won_amount": FLOAT}
OVERDUE_LONG_DAYS = 30  # an expected close this long gone is a stale date
NEXT_QUARTER_DAYS = 92
ALL_CLASSES = (s.CLOSED_FOR_GOOD, s.OPEN_ENDED, *s.HISTORY_SPAN_BOUNDS)


def _unit(by: str | None) -> ColumnElement:
    """Returns the roll-up key of a deal's rep (as text), or '' for the whole scope."""
    r = s.reps.c
    if by is None:
        return literal("", String).label("unit")
    if by == "territory":
        return cast(r.territory_id, String).label("unit")
    if by == "team":
        return func.coalesce(r.manager, "").label("unit")
    raise ValueError(f"Unknown roll-up {by!r}: use one of {', '.join(CALL_UNITS)}.")


def _won_rows(start: date, end: date) -> Select:
    """Returns (opportunity_id, amount) of the won rows dated in [start, end).

    Every length class is one range of the clustered table (a won row may be a deal's last
    row or, when it was reopened later, an earlier one).
    """
    sp = s.rollup_history_spans.c
    return select(sp.opportunity_id, cast(sp.amount, Float).label("amount")).where(
        sp.length_bound.in_(ALL_CLASSES),
        sp.valid_from >= start,
        sp.valid_from < end,
        sp.outcome == "won",
    )


def _close_bucket(expected: ColumnElement, instant: date, quarter_end: date) -> ColumnElement:
    """Returns where a deal's expected close falls from the instant (see CLOSE_BUCKETS)."""
    half = instant + (quarter_end - instant) / 2
    return case(
        (expected.is_(None), "none"),
        (expected < instant - timedelta(days=OVERDUE_LONG_DAYS), "overdue_long"),
        (expected < instant, "overdue"),
        (expected < half, "quarter_near"),
        (expected < quarter_end, "quarter_late"),
        (expected < quarter_end + timedelta(days=NEXT_QUARTER_DAYS), "next_quarter"),
        else_="later",
    )


def _snapshot(
    index: int, instant: date, quarter_end: date, until: date, by: str | None, scope: Scope
) -> Select:
    """Returns one snapshot's open pipeline grouped, with what of it was won by quarter end."""
    sp = s.rollup_history_spans.c
    open_rows = _span_rows(
        instant,
        instant,
        sp.outcome.not_in(CLOSED_OUTCOMES),
        scope,
        sp.opportunity_id,
        sp.stage,
        sp.forecast_category,
        cast(sp.amount, Float).label("amount"),
        sp.expected_close_date,
    ).subquery("open_rows")
    won = _won_rows(instant, min(quarter_end, until)).subquery("won")
    won_by_deal = (
        select(won.c.opportunity_id, func.sum(won.c.amount).label("won"))
        .group_by(won.c.opportunity_id)
        .subquery("won_by_deal")
    )
    o, r = s.opportunities, s.reps
    unit = _unit(by)
    bucket = _close_bucket(open_rows.c.expected_close_date, instant, quarter_end).label("bucket")
    keys: list[ColumnElement] = [open_rows.c.stage, open_rows.c.forecast_category, bucket]
    if by is not None:
        keys.insert(0, unit)
    joined = open_rows.outerjoin(
        won_by_deal, won_by_deal.c.opportunity_id == open_rows.c.opportunity_id
    )
    if by is not None:  # the rep's territory or manager: one lookup per open deal
        joined = joined.join(o, o.c.id == open_rows.c.opportunity_id).outerjoin(
            r, r.c.id == o.c.rep_id
        )
    return (
        select(
            literal(index).label("instant"),
            *([] if by is not None else [unit]),
            *keys,
            func.count(),
            func.coalesce(func.sum(open_rows.c.amount), 0.0),
            func.coalesce(func.sum(won_by_deal.c.won), 0.0),
            func.count(won_by_deal.c.won),
        )
        .select_from(joined)
        .group_by(*keys)
    )


class CallQueries(RepositoryBase):
    """Named queries for the quarter call (salesops.call)."""

    def call_snapshots(
        self,
        instants: Sequence[tuple[date, date]],
        until: date,
        by: str | None = None,
        scope: Scope = EVERYTHING,
    ) -> pd.DataFrame:
        """Returns the open pipeline at each instant, grouped, and what of it was won in time.

        `instants` are (instant, quarter_end) pairs. For each, the deals open at the instant
        (their row current then), grouped by unit (see `by`), stage, forecast_category and
        close_bucket (none, overdue: expected before the instant, quarter: before
        quarter_end, later), with the amount of won rows those deals have dated in
        [instant, min(quarter_end, until)). Columns: instant (index into `instants`), unit,
        stage, forecast_category, close_bucket, deals, open_amount, won_amount.
        """
        if not instants:
            return pd.DataFrame({n: pd.Series(dtype=object) for n in SNAPSHOT_ROW})
        selects = [
            _snapshot(i, min(instant, until), quarter_end, until, by, scope)
            for i, (instant, quarter_end) in enumerate(instants)
        ]
        # One statement per instant: as one UNION ALL, PostgreSQL misestimates the won
        # subqueries and its plan runs for minutes at the large scale (1 s per snapshot alone).
        frame = pd.concat([self._frame(one, SNAPSHOT_ROW) for one in selects], ignore_index=True)
        return frame.sort_values(
            ["instant", "unit", "stage", "forecast_category", "close_bucket"],
            ignore_index=True,
        )

    def call_won_by_day(
        self, start: date, until: date, by: str | None = None, scope: Scope = EVERYTHING
    ) -> pd.DataFrame:
        """Returns the amount won per day and unit, by won rows dated in [start, until).

        Columns: unit, day, won_amount; ordered by unit and day.
        """
        sp = s.rollup_history_spans.c
        rows = (
            select(
                sp.opportunity_id,
                sp.valid_from.label("day"),
                cast(sp.amount, Float).label("amount"),
            )
            .where(
                sp.length_bound.in_(ALL_CLASSES),
                sp.valid_from >= start,
                sp.valid_from < until,
                sp.outcome == "won",
            )
            .subquery("won_rows")
        )
        unit = _unit(by)
        stmt = select(unit, rows.c.day, func.coalesce(func.sum(rows.c.amount), 0.0))
        if by is not None or not scope.is_everything:
            o, r = s.opportunities, s.reps
            stmt = stmt.select_from(
                rows.join(o, o.c.id == rows.c.opportunity_id).outerjoin(r, r.c.id == o.c.rep_id)
            ).where(_scope_clause(scope))
        stmt = stmt.group_by(unit, rows.c.day).order_by(unit, rows.c.day)
        return self._frame(stmt, WON_DAY_ROW)
