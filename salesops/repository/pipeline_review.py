"""Queries behind the weekly pipeline review: point-in-time history rows, deals, quotas.

The review never reads today's values of an open deal: it reads opportunity_history.
For a week [start, end) it needs each relevant deal's opening row (its last row before
`start`) and the week's own rows; the closing snapshot follows from those two. A deal is
relevant when its opening row is open or it has a row in the week (a deal already won or
lost at the opening that does not move all week shows in no total and no list).

Both come from rollup_history_spans, where each history row carries its span (valid_from =
changed_at, valid_to = the deal's next change) and a length class: the week's rows and the
rows current at `start` in class b all begin in [start - b, end), one contiguous range of the
clustered table per class (see schema.rollup_history_spans). No query scans or groups the
whole history. Scope is a set of reps (team, territory or rep, resolved by the caller).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    Select,
    and_,
    cast,
    func,
    or_,
    select,
    true,
    union_all,
)

from salesops.db import schema as s
from salesops.db.rollups_review import stage_stays_select
from salesops.repository.base import EVERYTHING, RepositoryBase, Scope
from salesops.repository.frames import DATE, FLOAT, INT, STR

HISTORY_ROW = {
    "id": INT,
    "opportunity_id": INT,
    "changed_at": DATE,
    "stage": STR,
    "outcome": STR,
    "amount": FLOAT,
    "expected_close_date": DATE,
    "forecast_category": STR,
}
DEAL_ATTRIBUTES = {
    "opportunity_id": INT,
    "name": STR,
    "rep_id": INT,
    "rep": STR,
    "territory_id": INT,
    "territory": STR,
}
WATERFALL_COLUMNS = ("opportunity_id", "changed_at", "outcome", "amount", "expected_close_date")
ID_CHUNK = 5_000  # bound ids per IN list (SQLite allows 32,766 since 3.32)
CLOSED_OUTCOMES = ("won", "lost")
STAY_SOURCES = ("rollup", "raw")


def _scope_clause(scope: Scope) -> ColumnElement[bool]:
    """Scope on the deal's rep (the review groups people); territories mean the reps' own."""
    o, r = s.opportunities.c, s.reps.c
    parts: list[ColumnElement[bool]] = []
    if scope.rep_ids:
        parts.append(o.rep_id.in_(scope.rep_ids))
    if scope.territory_ids:
        parts.append(o.rep_id.in_(select(r.id).where(r.territory_id.in_(scope.territory_ids))))
    return and_(true(), *parts)


def _deal_in_scope(deal: ColumnElement, scope: Scope) -> ColumnElement[bool]:
    """Returns "the deal `deal` is in scope"; nothing to check for the whole company.

    Every history row's deal exists (a foreign key), so without reps or territories the
    IN (SELECT id FROM opportunities) would only cost a pass over a million ids per read.
    """
    if not (scope.rep_ids or scope.territory_ids):
        return true()
    return deal.in_(select(s.opportunities.c.id).where(_scope_clause(scope)))


def _span_rows(
    start: date, until: date, keep: ColumnElement[bool], scope: Scope, *columns: ColumnElement
) -> Select:
    """Returns the spans dated before `until`, current at `start` or from it on, kept by `keep`.

    A UNION ALL over the length classes, then the scope (one join to the deals, however
    many classes). A span of class b current at `start` began in [start - b, start): one
    contiguous range of the clustered table per class (open-ended spans: any start; a
    deal's closing row: only rows dated from `start`).
    """
    sp = s.rollup_history_spans.c
    current_at_start = or_(sp.valid_from >= start, sp.valid_to.is_(None), sp.valid_to >= start)
    firsts: dict[int, date | None] = {s.CLOSED_FOR_GOOD: start, s.OPEN_ENDED: None}
    firsts |= {bound: start - timedelta(days=bound) for bound in s.HISTORY_SPAN_BOUNDS}
    rows = union_all(
        *(
            select(*columns, sp.opportunity_id.label("deal")).where(
                sp.length_bound == bound,
                true() if first is None else sp.valid_from >= first,
                sp.valid_from < until,
                current_at_start,
                keep,
            )
            for bound, first in firsts.items()
        )
    ).subquery("spans")
    stmt = select(*(rows.c[c.name] for c in columns))
    if scope.rep_ids or scope.territory_ids:
        o = s.opportunities
        stmt = stmt.select_from(rows.join(o, o.c.id == rows.c.deal)).where(_scope_clause(scope))
    return stmt


def _span_history_columns(*names: str) -> list[ColumnElement]:
    """Returns span columns named as opportunity_history's (amount as a float)."""
    sp = s.rollup_history_spans.c
    named = {
        "id": sp.history_id.label("id"),
        "opportunity_id": sp.opportunity_id,
        "changed_at": sp.valid_from.label("changed_at"),
        "stage": sp.stage,
        "outcome": sp.outcome,
        # float8 from the server: no Decimal per row on PostgreSQL (the value is the same).
        "amount": cast(sp.amount, Float).label("amount"),
        "expected_close_date": sp.expected_close_date,
        "forecast_category": sp.forecast_category,
    }
    return [named[n] for n in names]


def _review_rows(start: date, end: date, scope: Scope) -> Select:
    """Returns the week's rows and its relevant opening rows, columns as HISTORY_ROW.

    An opening row (dated before `start`) is kept when the deal is open or changes in the
    week; a deal already won or lost that does not move all week is left out.
    """
    sp = s.rollup_history_spans.c
    keep = or_(sp.valid_from >= start, sp.outcome.not_in(CLOSED_OUTCOMES), sp.valid_to < end)
    return _span_rows(start, end, keep, scope, *_span_history_columns(*HISTORY_ROW))


def _unchanged_all_week(start: date, end: date) -> ColumnElement[bool]:
    sp = s.rollup_history_spans.c
    return and_(sp.valid_from < start, or_(sp.valid_to.is_(None), sp.valid_to >= end))


def _history_columns() -> list:
    h = s.opportunity_history.c
    return [
        h.id,
        h.opportunity_id,
        h.changed_at,
        h.stage,
        h.outcome,
        h.amount,
        h.expected_close_date,
        h.forecast_category,
    ]


def _last_rows_before(instant: date, deals: Select) -> Select:
    """Each deal's last history row with changed_at < instant (ties: every tied row)."""
    h = s.opportunity_history
    last = (
        select(h.c.opportunity_id, func.max(h.c.changed_at).label("last_change"))
        .where(h.c.changed_at < instant, h.c.opportunity_id.in_(deals))
        .group_by(h.c.opportunity_id)
        .subquery("last")
    )
    return select(*_history_columns()).select_from(
        h.join(
            last,
            and_(
                h.c.opportunity_id == last.c.opportunity_id,
                h.c.changed_at == last.c.last_change,
            ),
        )
    )


class PipelineReviewQueries(RepositoryBase):
    """Named queries for the weekly pipeline review."""

    def history_as_of(self, instant: date, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns each deal's last history row dated before `instant` (the snapshot rows).

        Rows sharing the last date all come back (in id order); the snapshot takes the last.
        Columns: id, opportunity_id, changed_at, stage, outcome, amount,
        expected_close_date, forecast_category.
        """
        o = s.opportunities.c
        deals = select(o.id).where(_scope_clause(scope), o.created_at < instant)
        stmt = _last_rows_before(instant, deals).order_by(
            s.opportunity_history.c.opportunity_id, s.opportunity_history.c.id
        )
        return self._frame(stmt, HISTORY_ROW)

    def review_history(self, start: date, end: date, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns the history rows a week's review needs: opening rows + the week's rows.

        For every relevant deal (see the module docstring): its last row dated before
        `start`, and every row dated in [start, end). Reads rollup_history_spans, which must
        be up to date. Ordered by opportunity_id, changed_at, id. Columns as history_as_of.
        """
        rows = self._frame(_review_rows(start, end, scope), HISTORY_ROW)
        order = ["opportunity_id", "changed_at", "id"]
        return rows.sort_values(order, kind="stable", ignore_index=True)

    def review_deals(self, start: date, end: date, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns name, rep and territory of the week's relevant deals.

        The deals are those of review_history's rows. Columns: opportunity_id, name, rep_id,
        rep, territory_id, territory (the rep's); ordered by opportunity_id.
        """
        o, r, t = s.opportunities.c, s.reps, s.territories
        rows = _review_rows(start, end, EVERYTHING).subquery("rows")
        deals = self._frame(
            select(o.id, o.name, o.rep_id).where(
                o.id.in_(select(rows.c.opportunity_id)), _scope_clause(scope)
            ),
            {"opportunity_id": INT, "name": STR, "rep_id": INT},
        )
        # Rep and territory names from the small reps table, not once per deal.
        reps = self._frame(
            select(r.c.id, r.c.name, r.c.territory_id, t.c.name).select_from(
                r.outerjoin(t, t.c.id == r.c.territory_id)
            ),
            {"rep_id": INT, "rep": STR, "territory_id": INT, "territory": STR},
        )
        out = deals.merge(reps, on="rep_id", how="left").sort_values("opportunity_id")
        for name in ("rep", "territory"):
            out[name] = out[name].astype(object).where(out[name].notna(), None)
        return out[list(DEAL_ATTRIBUTES)].reset_index(drop=True)

    def waterfall_history(self, start: date, end: date, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns the rows behind a week's waterfall, except those of deals steady all week.

        The rows of review_history less those of deals with no row in the week whose
        opening row is plainly open, won or lost: such a deal moves nothing; it counts in
        the opening and closing pipeline when it is open with an expected close in the
        review quarter, and steady_pipeline_amounts returns those. Columns: id,
        opportunity_id, changed_at, outcome, amount, expected_close_date; ordered as
        review_history.
        """
        sp = s.rollup_history_spans.c
        plain = sp.outcome.in_(("open", *CLOSED_OUTCOMES))
        keep = or_(~_unchanged_all_week(start, end), ~plain)
        columns = {n: HISTORY_ROW[n] for n in ("id", *WATERFALL_COLUMNS)}
        stmt = _span_rows(start, end, keep, scope, *_span_history_columns(*columns))
        rows = self._frame(stmt, columns)
        return rows.sort_values(["opportunity_id", "changed_at", "id"], ignore_index=True)

    def steady_pipeline_amounts(
        self, start: date, end: date, quarter: tuple[date, date], scope: Scope = EVERYTHING
    ) -> pd.DataFrame:
        """Returns the amount of each deal in the pipeline all week without a change.

        Those are the deals waterfall_history leaves out that count in the pipeline: open
        (outcome exactly "open") with an expected close in `quarter` ([start, end) dates)
        from before the week until after it. Columns: amount.
        """
        sp = s.rollup_history_spans.c
        keep = and_(
            _unchanged_all_week(start, end),
            sp.outcome == "open",
            sp.expected_close_date >= quarter[0],
            sp.expected_close_date < quarter[1],
        )
        stmt = _span_rows(start, start, keep, scope, *_span_history_columns("amount"))
        return self._frame(stmt, {"amount": FLOAT})

    def push_histories(
        self, ids: Sequence[int], until: date, scope: Scope = EVERYTHING
    ) -> pd.DataFrame:
        """Returns the whole history before `until` of the given deals, to count their pushes.

        Columns: opportunity_id, changed_at, outcome, amount, expected_close_date (what
        push counting reads), ordered by opportunity_id, changed_at, id. Deals of reps
        outside `scope` are left out.
        """
        h = s.opportunity_history.c
        in_scope = _deal_in_scope(h.opportunity_id, scope)
        columns = {n: HISTORY_ROW[n] for n in WATERFALL_COLUMNS}
        ids = sorted({int(i) for i in ids})
        frames = [
            self._frame(
                select(*(h[n] for n in columns))
                .where(
                    h.opportunity_id.in_(ids[first : first + ID_CHUNK]),
                    h.changed_at < until,
                    in_scope,
                )
                .order_by(h.opportunity_id, h.changed_at, h.id),
                columns,
            )
            for first in range(0, max(len(ids), 1), ID_CHUNK)
        ]
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def quota_by_rep(self, start: date, end: date, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns each rep's quota summed over the months starting in [start, end).

        Columns: rep_id, rep, quota.
        """
        q, r = s.quotas.c, s.reps.c
        parts = []
        if scope.rep_ids:
            parts.append(q.rep_id.in_(scope.rep_ids))
        if scope.territory_ids:
            parts.append(r.territory_id.in_(scope.territory_ids))
        stmt = (
            select(q.rep_id, r.name, func.sum(q.amount))
            .select_from(s.quotas.join(s.reps, r.id == q.rep_id))
            .where(q.period_start >= start, q.period_start < end, *parts)
            .group_by(q.rep_id, r.name)
            .order_by(r.name)
        )
        return self._frame(stmt, {"rep_id": INT, "rep": STR, "quota": FLOAT})

    def won_by_rep(self, start: date, end: date, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns the amount won per rep by deals closed in [start, end) (closed_at, amount).

        Columns: rep_id, rep, won.
        """
        o, r = s.opportunities.c, s.reps.c
        stmt = (
            select(o.rep_id, r.name, func.sum(o.amount))
            .select_from(s.opportunities.outerjoin(s.reps, r.id == o.rep_id))
            .where(
                o.outcome == "won",
                o.closed_at >= start,
                o.closed_at < end,
                _scope_clause(scope),
            )
            .group_by(o.rep_id, r.name)
            .order_by(r.name)
        )
        return self._frame(stmt, {"rep_id": INT, "rep": STR, "won": FLOAT})

    def stages(self) -> pd.DataFrame:
        """Returns the stage list. Columns: name, sort_order, probability, is_closed, is_won."""
        st = s.stages.c
        return self._frame(
            select(st.name, st.sort_order, st.probability, st.is_closed, st.is_won).order_by(
                st.sort_order
            ),
            {
                "name": STR,
                "sort_order": INT,
                "probability": FLOAT,
                "is_closed": "bool",
                "is_won": "bool",
            },
        )

    def history_bounds(self) -> dict[str, date | None]:
        """Returns the first and last changed_at in opportunity_history (None when empty)."""
        h = s.opportunity_history.c
        frame = self._frame(
            # One aggregate per SELECT: SQLite reads min or max from the index end only alone.
            select(
                select(func.min(h.changed_at)).scalar_subquery(),
                select(func.max(h.changed_at)).scalar_subquery(),
            ),
            {"first": DATE, "last": DATE},
        )
        row = frame.iloc[0]
        return {k: (row[k].date() if pd.notna(row[k]) else None) for k in ("first", "last")}

    def stage_stays(
        self, start: date, end: date, scope: Scope = EVERYTHING, source: str = "rollup"
    ) -> pd.DataFrame:
        """Returns how long deals stayed in each stage, for stays that ended in [start, end).

        A stay begins at a history row whose stage differs from the deal's previous row's
        (or at its first row) and ends at the deal's next such row, over the deal's whole
        history. From rollup_stage_stays (salesops.db.schema_review), which must be up to
        date; source="raw" reads the same stays from opportunity_history: every row before
        `end` of the deals with a row in [start, end) (a stay ends at a row). Columns:
        stage, days (whole days in the stage), stays (how many stays lasted that long);
        ordered by stage, days.
        """
        if source not in STAY_SOURCES:
            raise ValueError(f"Unknown stage stay source {source!r}: use 'rollup' or 'raw'.")
        stays: FromClause
        if source == "rollup":
            stays = s.rollup_stage_stays
            in_scope = _deal_in_scope(stays.c.opportunity_id, scope)
        else:
            h, moved = s.opportunity_history.c, s.opportunity_history.alias("moved").c
            history = select(h.id, h.opportunity_id, h.changed_at, h.stage).where(
                h.changed_at < end,
                h.opportunity_id.in_(
                    select(moved.opportunity_id).where(
                        moved.changed_at >= start, moved.changed_at < end
                    )
                ),
                _deal_in_scope(h.opportunity_id, scope),
            )
            stays = stage_stays_select(history=history).subquery("stays")
            in_scope = true()
        st = stays.c
        stmt = (
            select(st.stage, st.days, func.count().label("stays"))
            .where(st.left_at >= start, st.left_at < end, in_scope)
            .group_by(st.stage, st.days)
            .order_by(st.stage, st.days)
        )
        return self._frame(stmt, {"stage": STR, "days": INT, "stays": INT})

    def stage_entries(self, until: date, scope: Scope = EVERYTHING) -> pd.DataFrame:
        """Returns when each deal open now entered its current stage, where that is before `until`.

        From rollup_stage_entries (see salesops.db.schema_review): such a deal was in that
        stage, entered on that date, on every day from it to now, `until` included. Deals
        closed since, or whose entry is on or after `until`, are not here (their entry as
        of `until` is in their history: stage_history). Columns: opportunity_id, entered_at;
        deals of reps outside `scope` are left out.
        """
        e = s.rollup_stage_entries.c
        return self._frame(
            select(e.opportunity_id, e.entered_at).where(
                e.entered_at < until,
                _deal_in_scope(e.opportunity_id, scope),
            ),
            {"opportunity_id": INT, "entered_at": DATE},
        )

    def stage_history(
        self, ids: Sequence[int], until: date, scope: Scope = EVERYTHING
    ) -> pd.DataFrame:
        """Returns the given deals' stage at each history row before `until`.

        For when each deal entered its current stage (pipeline_review.deal_lists.
        stage_entry_dates). Columns: opportunity_id, changed_at, stage, ordered by
        opportunity_id, changed_at, id; deals of reps outside `scope` are left out.
        """
        h = s.opportunity_history.c
        columns = {"opportunity_id": INT, "changed_at": DATE, "stage": STR}
        ids = sorted({int(i) for i in ids})
        frames = [
            self._frame(
                select(h.opportunity_id, h.changed_at, h.stage)
                .where(
                    h.opportunity_id.in_(ids[first : first + ID_CHUNK]),
                    h.changed_at < until,
                    _deal_in_scope(h.opportunity_id, scope),
                )
                .order_by(h.opportunity_id, h.changed_at, h.id),
                columns,
            )
            for first in range(0, max(len(ids), 1), ID_CHUNK)
        ]
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
