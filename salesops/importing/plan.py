"""The plan of one file: everything decided before its rows are validated (the scan pass).

The scan pass reads each file once in chunks and fixes its date format, decimal separator,
as-of date and duplicate-id handling; validation then types every row against that plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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


def id_texts(plan: FilePlan, chunk: pd.DataFrame) -> pd.Series | None:
    """Returns the chunk's external ids as compared for repeats (stripped text), or None."""
    column = plan.column_map.get("external_id")
    if column is None:
        return None
    return chunk[column].astype("str").str.strip()


def hash_ids(ids: pd.Series) -> np.ndarray:
    """Returns a 64-bit hash of each id's text (equal texts, equal hashes)."""
    return pd.util.hash_pandas_object(ids, index=False).to_numpy()


class IdHashes:
    """A file's external ids as the scan pass keeps them: a 64-bit hash of each, no text.

    5M ids held as text were the largest thing a history import kept (~600 MB with their
    hash table); their hashes take 40 MB. Only when a hash repeats is the file read again
    for the text of the rows with that hash (`repeated_ids`). Missing and empty ids are left
    out.
    """

    def __init__(self) -> None:
        self._hashes: list[np.ndarray] = []

    def add(self, ids: pd.Series) -> None:
        """Keeps the hash of each present id."""
        present = ids[ids.notna() & (ids != "")]
        if len(present):
            self._hashes.append(hash_ids(present))

    def repeated(self) -> np.ndarray:
        """Returns the hashes that more than one id has (sorted): those ids may repeat."""
        if not self._hashes:
            return np.array([], dtype="uint64")
        hashes = np.concatenate(self._hashes)
        self._hashes = []
        hashes.sort()
        return np.unique(hashes[1:][hashes[1:] == hashes[:-1]])


def scan_chunk(
    plan: FilePlan,
    chunk: pd.DataFrame,
    dates: DateEvidence,
    numbers: NumberEvidence,
    ids: IdHashes,
) -> None:
    """Accumulates date/number evidence and external id hashes from one raw chunk (scan pass)."""
    plan.rows += len(chunk)
    for target, column in plan.column_map.items():
        if target in DATE_TARGETS:
            dates.add(chunk[column])
        elif target in AMOUNT_TARGETS:
            numbers.add(chunk[column])
    texts = id_texts(plan, chunk)
    if texts is not None:
        ids.add(texts)


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


def repeated_ids(
    plan: FilePlan, ids: IdHashes, reread: Callable[[], Iterable[pd.DataFrame]]
) -> pd.Series:
    """Returns the ids (indexed by row) that occur more than once, missing and empty ones aside.

    Compares 64-bit hashes first; only when some hash repeats is the file read again
    (`reread` yields its chunks as the scan did) for the text of those rows, compared
    exactly: rows whose different ids share a hash are not repeats.
    """
    shared = ids.repeated()
    if not len(shared):
        return pd.Series([], dtype="str")
    picked = []
    for chunk in reread():
        texts = id_texts(plan, chunk)
        if texts is None:
            break
        texts = texts[texts.notna() & (texts != "")]
        if len(texts):
            mine = np.isin(hash_ids(texts), shared)
            if mine.any():
                picked.append(texts[mine])
    if not picked:
        return pd.Series([], dtype="str")
    found = pd.concat(picked)
    return found[found.duplicated(keep=False)]


def _mark_duplicates(plan: FilePlan, repeated: pd.Series, duplicates: str) -> None:
    """Sets which rows repeat an id: later repeats are errors, or ("last") earlier ones skipped."""
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
    ids: IdHashes,
    reread: Callable[[], Iterable[pd.DataFrame]],
    context: ValidationContext,
    forced_date_format: str | None,
    forced_decimal: str | None,
    forced_thousands: str | None,
) -> None:
    """Fixes the plan's date format, decimal separator, as-of date and duplicate-id handling.

    `reread` reads the file's chunks again, as the scan did: only when two ids' hashes are
    the same (see repeated_ids).
    """
    _fix_date_format(plan, dates, forced_date_format)
    plan.decimal = forced_decimal or numbers.choose(plan.fmt.delimiter)
    plan.thousands = forced_thousands or ("." if plan.decimal == "," else ",")
    _fix_as_of(plan, dates, context)
    _mark_duplicates(plan, repeated_ids(plan, ids, reread), context.duplicates)
