"""The repository's shared machinery: run a select(), return a typed frame, translate errors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Engine,
    Select,
    and_,
    inspect,
    true,
)

from salesops.config import masked_url
from salesops.db.errors import DATABASE_FAILURES, SchemaMissing, translate
from salesops.repository.frames import coerce

T = TypeVar("T")

logger = logging.getLogger(__name__)


def overdue_clause(
    outcome: ColumnElement, expected_close: ColumnElement, as_of: date
) -> ColumnElement[bool]:
    """Returns the SQL of **overdue** (`salesops.definitions`): open, closing before as_of."""
    return and_(outcome == "open", expected_close < as_of)


@dataclass(frozen=True)
class Scope:
    """Which slice of the company a query covers; empty tuples mean everything."""

    territory_ids: tuple[int, ...] = field(default_factory=tuple)
    segments: tuple[str, ...] = field(default_factory=tuple)
    rep_ids: tuple[int, ...] = field(default_factory=tuple)

    @property
    def is_everything(self) -> bool:
        """Returns True when no filter is set."""
        return not (self.territory_ids or self.segments or self.rep_ids)

    def clause(
        self,
        territory: ColumnElement | None = None,
        segment: ColumnElement | None = None,
        rep: ColumnElement | None = None,
    ) -> ColumnElement[bool]:
        """Returns a WHERE clause applying this scope to the given columns (bound parameters)."""
        parts: list[ColumnElement[bool]] = []
        if self.territory_ids and territory is not None:
            parts.append(territory.in_(self.territory_ids))
        if self.segments and segment is not None:
            parts.append(segment.in_(self.segments))
        if self.rep_ids and rep is not None:
            parts.append(rep.in_(self.rep_ids))
        return and_(true(), *parts)

    def intersect(self, other: Scope) -> Scope:
        """Returns the scope covering only what both scopes cover (an empty meet matches nothing).

        Empty tuples mean "no limit" on that dimension, so a meet with no common value is
        written as an id or segment no row has (NO_ID, NO_SEGMENT), never as an empty tuple.
        """
        return Scope(
            _meet(self.territory_ids, other.territory_ids, NO_ID),
            _meet(self.segments, other.segments, NO_SEGMENT),
            _meet(self.rep_ids, other.rep_ids, NO_ID),
        )


# Values no row has: a scope limited to them matches nothing (ids are positive).
NO_ID = -1
NO_SEGMENT = "\u2205"

EVERYTHING = Scope()
NOTHING = Scope((NO_ID,), (NO_SEGMENT,), (NO_ID,))


def _meet(mine: tuple, theirs: tuple, none: object) -> tuple:
    """Returns the values in both tuples (in `mine`'s order); an empty tuple means no limit."""
    if not mine:
        return theirs
    if not theirs:
        return mine
    allowed = set(theirs)
    both = tuple(value for value in mine if value in allowed)
    return both or (none,)


class RepositoryBase:
    """Holds the engine and the viewer's scope; `_frame` runs a select() into a typed frame.

    `visible` is what the viewer may see (EVERYTHING for the CLI and unrestricted roles):
    salesops.repository.access intersects every query's scope with it. `team` is the
    wider scope a rep's team totals may cover (TEAM_TOTALS queries); it defaults to
    `visible`.
    """

    def __init__(self, engine: Engine, visible: Scope = EVERYTHING, team: Scope | None = None):
        self.engine = engine
        self.visible = visible
        self.team = visible if team is None else team

    def _frame(self, stmt: Select | CompoundSelect, columns: Mapping[str, str]) -> pd.DataFrame:
        """Runs `stmt` and returns its rows as a frame coerced to `columns` (see frames.coerce)."""

        def fetch(conn: Connection) -> Sequence:
            result = conn.execute(stmt)
            # The driver's own tuples: coerce() converts whole columns at once, which is
            # far cheaper than SQLAlchemy building a Row and converting every value.
            rows: Sequence = result.cursor.fetchall()
            result.close()
            return rows

        return coerce(self._on_connection(fetch), columns)

    def _on_connection(self, work: Callable[[Connection], T]) -> T:
        """Returns `work(connection)`, database failures translated into one clear sentence."""
        try:
            with self.engine.connect() as conn:
                return work(conn)
        except DATABASE_FAILURES as exc:
            problem = translate(exc, self.engine.url.render_as_string(hide_password=False))
            if isinstance(problem, SchemaMissing):
                raise self._schema_missing() from exc
            raise problem from exc

    def _scalar(self, stmt: Select) -> object:
        frame = self._frame(stmt, {"value": "str"})
        return None if frame.empty else frame.iloc[0, 0]

    def _url(self) -> str:
        return masked_url(self.engine.url.render_as_string(hide_password=False))

    def _schema_missing(self) -> SchemaMissing:
        try:
            with self.engine.connect() as conn:
                has_some = "opportunities" in inspect(conn).get_table_names()
        except DATABASE_FAILURES:
            has_some = False
        if has_some:
            return SchemaMissing(
                f"Database needs migration ({self._url()} lacks tables this version of salesops "
                "uses): run `salesops db upgrade`."
            )
        return SchemaMissing(
            f"The database ({self._url()}) has no salesops tables: run `salesops db init` "
            "(or `salesops demo` for a demo company)."
        )


def as_date(value: date | pd.Timestamp) -> date:
    """Returns a plain date for a date or Timestamp (bound parameters want dates)."""
    return value.date() if isinstance(value, pd.Timestamp) else value
