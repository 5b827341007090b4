"""Portable SQL date expressions: one construct, compiled per dialect.

SQLite stores dates as ISO text, PostgreSQL as DATE; these constructs let the
repository bucket and subtract dates without writing dialect SQL in queries.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class month_start(FunctionElement):
    """First day of the month of a date expression."""

    type = Date()
    inherit_cache = True
    name = "month_start"


class week_start(FunctionElement):
    """Monday of the ISO week of a date expression."""

    type = Date()
    inherit_cache = True
    name = "week_start"


class days_between(FunctionElement):
    """Days from the first date expression to the second (second - first), as a number."""

    type = Float()
    inherit_cache = True
    name = "days_between"


class hours_between(FunctionElement):
    """Hours from the first timestamp expression to the second (second - first), as a number."""

    type = Float()
    inherit_cache = True
    name = "hours_between"


class unindexed(FunctionElement):
    """The same value, in a form SQLite's planner will not answer from an index (`+x`).

    For a full pass over a table, where a range on an index over almost every row would cost
    one row lookup per entry (twice the CPU of a scan on SQLite, which keeps no statistics
    telling it so). PostgreSQL gets the expression as it is (its planner knows).
    """

    inherit_cache = True
    name = "unindexed"

    def __init__(self, expression: Any) -> None:
        super().__init__(expression)
        self.type = expression.type


@compiles(unindexed)
def _unindexed_default(element: unindexed, compiler: Any, **kw: Any) -> str:
    (arg,) = list(element.clauses)
    return str(compiler.process(arg, **kw))


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: Any, **kw: Any) -> str:
    (arg,) = list(element.clauses)
    return f"+{compiler.process(arg, **kw)}"  # unary plus: the same value, any type


@compiles(month_start)
def _month_start_default(element: month_start, compiler: Any, **kw: Any) -> str:
    (arg,) = list(element.clauses)
    return f"CAST(date_trunc('month', {compiler.process(arg, **kw)}) AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element: month_start, compiler: Any, **kw: Any) -> str:
    (arg,) = list(element.clauses)
    return f"date({compiler.process(arg, **kw)}, 'start of month')"


@compiles(week_start)
def _week_start_default(element: week_start, compiler: Any, **kw: Any) -> str:
    (arg,) = list(element.clauses)
    return f"CAST(date_trunc('week', {compiler.process(arg, **kw)}) AS DATE)"


@compiles(week_start, "sqlite")
def _week_start_sqlite(element: week_start, compiler: Any, **kw: Any) -> str:
    (arg,) = list(element.clauses)
    # weekday 0 = Sunday in strftime('%w'); step back to Monday.
    inner = compiler.process(arg, **kw)
    return f"date({inner}, '-' || ((CAST(strftime('%w', {inner}) AS INTEGER) + 6) % 7) || ' days')"


@compiles(days_between)
def _days_between_default(element: days_between, compiler: Any, **kw: Any) -> str:
    first, second = list(element.clauses)
    return f"({compiler.process(second, **kw)} - {compiler.process(first, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    first, second = list(element.clauses)
    return (
        f"(julianday({compiler.process(second, **kw)}) - "
        f"julianday({compiler.process(first, **kw)}))"
    )


@compiles(hours_between)
def _hours_between_default(element: hours_between, compiler: Any, **kw: Any) -> str:
    first, second = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(second, **kw)} - "
        f"{compiler.process(first, **kw)})) / 3600.0)"
    )


@compiles(hours_between, "sqlite")
def _hours_between_sqlite(element: hours_between, compiler: Any, **kw: Any) -> str:
    first, second = list(element.clauses)
    return (
        f"((julianday({compiler.process(second, **kw)}) - "
        f"julianday({compiler.process(first, **kw)})) * 24.0)"
    )
