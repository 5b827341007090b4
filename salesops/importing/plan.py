"""The plan of one file: everything decided before its rows are validated (the scan pass).

The scan pass reads each file once in chunks and fixes its date format, decimal separator,
as-of date and duplicate-id handling; validation then types every row against that plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from salesops.config import Settings
from salesops.importing.amounts import NumberEvidence
from salesops.importing.dates import DateEvidence
from salesops.importing.issues import ERROR, RowIssue
from salesops.importing.layouts import AMOUNT_TARGETS, DATE_TARGETS, Layout
from salesops.importing.reading import FileFormat


@dataclass(frozen=True)
class ValidationContext:
    """What validation needs from outside the file: as-of date, currency, known stages, leads.

    `known_stages` maps stage names already in the database to their outcome; `lead_created`
    maps lead external ids (same source) to their created date, for layouts whose deals start
    at their lead; `duplicates` is "error" (default) or "last" (last row wins, with a warning);
    `deal_created` maps deal external ids (same source) to their created date, for history;
    `known_reps` holds the names and external ids of reps (any source), for quotas and time
    logs; `known_orders` the order ids (for invoice files that update orders);
    `activity_types` the activity types already defined; `list_prices` the batch's product
    list prices by normalised product name.
    """

    as_of: date | None = None
    currency: str = Settings().currency
    known_stages: Mapping[str, str] = field(default_factory=dict)
    lead_created: Mapping[str, date] = field(default_factory=dict)
    duplicates: str = "error"
    deal_created: Mapping[str, date] = field(default_factory=dict)
    known_reps: frozenset[str] = frozenset()
    known_orders: frozenset[str] = frozenset()
    activity_types: frozenset[str] = frozenset()
    list_prices: Mapping[str, float] = field(default_factory=dict)


@dataclass
class FilePlan:
    """Everything decided about a file before row validation (from the scan pass)."""

    file: str
    layout: Layout
    fmt: FileFormat
    column_map: dict[str, str]
    unknown_columns: list[str]
    date_format: str | None
    decimal: str
    thousands: str
    as_of: date
    reason: str = ""
    rows: int = 0
    skip_rows: frozenset[int] = frozenset()
    duplicate_of: dict[int, int] = field(default_factory=dict)
    file_issues: list[RowIssue] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # values already reported once per file
    stage_entries: dict[str, str] = field(default_factory=dict)  # column -> stage entered

    def raw_header(self, target: str) -> str:
        """Returns the header as written in the file for a mapped target (or the target name)."""
        normalised = self.column_map.get(target)
        if normalised is None:
            return target
        try:
            return self.fmt.raw_columns[self.fmt.columns.index(normalised)].strip()
        except (ValueError, IndexError):
            return normalised

    @property
    def blocked(self) -> bool:
        """True when a file-level error (e.g. ambiguous dates) prevents row validation."""
        return any(i.severity == ERROR for i in self.file_issues)


def scan_chunk(
    plan: FilePlan,
    chunk: pd.DataFrame,
    dates: DateEvidence,
    numbers: NumberEvidence,
    ids: list[pd.Series],
) -> None:
    """Accumulates date/number evidence and external ids from one raw chunk (scan pass)."""
    plan.rows += len(chunk)
    for target, column in plan.column_map.items():
        if target in DATE_TARGETS:
            dates.add(chunk[column])
        elif target in AMOUNT_TARGETS:
            numbers.add(chunk[column])
    id_column = plan.column_map.get("external_id")
    if id_column is not None:
        ids.append(chunk[id_column].astype("str").str.strip())


def _fix_date_format(plan: FilePlan, dates: DateEvidence, forced: str | None) -> None:
    """Sets the plan's date format (forced, or chosen from the evidence; else a file problem)."""
    if forced:
        plan.date_format = forced
        return
    chosen, reason = dates.choose()
    plan.date_format = chosen
    if reason:
        columns = ", ".join(plan.raw_header(t) for t in plan.column_map if t in DATE_TARGETS)
        plan.file_issues.append(
            RowIssue(
                plan.file,
                None,
                columns,
                dates.example_ambiguous or "",
                f"one date order for the whole file ({reason})",
            )
        )


def _fix_as_of(plan: FilePlan, dates: DateEvidence, context: ValidationContext) -> None:
    """Sets the plan's as-of date: the one given, else the file's latest date if it dates rows."""
    dated_by_file = any(v == "as_of" for v in plan.layout.options.values())
    if context.as_of is not None:
        plan.as_of = context.as_of
    elif dated_by_file and dates.latest is not None and pd.notna(dates.latest):
        # Layouts that date rows at the as-of date use the file's own latest date; the
        # others keep today's date (when a re-import's changes are recorded as seen).
        plan.as_of = dates.latest.date()


def _repeated_ids(ids: list[pd.Series]) -> pd.Series:
    """Returns the ids (indexed by row) that occur more than once, missing and empty ones aside.

    Compares 64-bit hashes first and the text only of rows whose hash repeats: a whole
    column's exact `duplicated` held ~1 GB of hash table for 5M ids.
    """
    parts = [part[part.notna() & (part != "")] for part in ids]
    hashes = np.concatenate(
        [pd.util.hash_pandas_object(p, index=False).to_numpy() for p in parts if len(p)]
        or [np.array([], dtype="uint64")]
    )
    order = np.argsort(hashes, kind="stable")
    same = hashes[order][1:] == hashes[order][:-1]
    candidate = np.zeros(len(hashes), dtype=bool)
    candidate[order[1:][same]] = True
    candidate[order[:-1][same]] = True
    if not candidate.any():
        return pd.Series([], dtype="str")
    picked, start = [], 0
    for part in parts:
        mine = candidate[start : start + len(part)]
        start += len(part)
        if mine.any():
            picked.append(part[mine])
    texts = pd.concat(picked)
    return texts[texts.duplicated(keep=False)]


def _mark_duplicates(plan: FilePlan, ids: list[pd.Series], duplicates: str) -> None:
    """Sets which rows repeat an id: later repeats are errors, or ("last") earlier ones skipped."""
    if not ids:
        return
    repeated = _repeated_ids(ids)
    if repeated.empty:
        return
    frame = pd.DataFrame({"id": repeated.to_numpy(), "row": repeated.index.to_numpy()})
    first = frame.groupby("id")["row"].transform("min")
    last = frame.groupby("id")["row"].transform("max")
    if duplicates == "last":
        dropped = frame[frame["row"] != last]
        plan.skip_rows = frozenset(int(r) for r in dropped["row"])
        plan.duplicate_of = dict(
            zip(dropped["row"].astype(int), last[dropped.index].astype(int), strict=True)
        )
    else:
        later = frame[frame["row"] != first]
        plan.duplicate_of = dict(
            zip(later["row"].astype(int), first[later.index].astype(int), strict=True)
        )


def finish_scan(
    plan: FilePlan,
    dates: DateEvidence,
    numbers: NumberEvidence,
    ids: list[pd.Series],
    context: ValidationContext,
    forced_date_format: str | None,
    forced_decimal: str | None,
    forced_thousands: str | None,
) -> None:
    """Fixes the plan's date format, decimal separator, as-of date and duplicate-id handling."""
    _fix_date_format(plan, dates, forced_date_format)
    plan.decimal = forced_decimal or numbers.choose(plan.fmt.delimiter)
    plan.thousands = forced_thousands or ("." if plan.decimal == "," else ",")
    _fix_as_of(plan, dates, context)
    _mark_duplicates(plan, ids, context.duplicates)
