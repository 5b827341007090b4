"""Validation: string chunks in, typed rows plus every row-level problem out. No database.

Row numbers are spreadsheet row numbers: the header is row 1 and the first data row is
row 2, which is what Excel, Numbers and LibreOffice show beside the row. A problem names the
file, that row, the column header as written in the file, the offending value and what was
expected. Nothing here guesses: ambiguous day/month dates across a file stop validation and
ask for a choice; amounts follow one decimal convention per file, detected or set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from salesops.importing.layouts import (
    AMOUNT_TARGETS,
    BOOLEAN_TRUE,
    DATE_TARGETS,
    INTEGER_TARGETS,
    OUTCOMES,
    Layout,
    StageRule,
)
from salesops.importing.reading import FileFormat

ERROR = "error"
WARNING = "warning"
MAX_STORED_ISSUES = 20_000
DAY_FIRST, MONTH_FIRST = "%d/%m/%Y", "%m/%d/%Y"
DATE_FORMAT_LABELS = {
    "%Y-%m-%d": "ISO (YYYY-MM-DD)",
    "%Y-%m-%d %H:%M:%S": "ISO date-time",
    "%m/%d/%Y": "month/day/year (US)",
    "%d/%m/%Y": "day/month/year",
    "%d.%m.%Y": "day.month.year",
}
CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "R$": "BRL"}
_CURRENCY_RE = r"(R\$|[$€£¥]|\b[A-Za-z]{3}\b)"
_NUMBER_PATTERNS = {
    # decimal "." : 1234.5 / 1,234.50 ; decimal "," : 1234,5 / 1.234,50 / 1 234,50
    ".": re.compile(r"^(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$"),
    ",": re.compile(r"^(\d+|\d{1,3}(\.\d{3})+)(,\d+)?$"),
}


@dataclass(frozen=True)
class RowIssue:
    """One problem: file, spreadsheet row (None = whole file), column, value, what was expected."""

    file: str
    row: int | None
    column: str
    value: str
    expected: str
    severity: str = ERROR

    def sentence(self) -> str:
        """Returns the problem as one sentence: 'f.csv row 7, Close Date: "x" — expected ...'."""
        if self.row is None and not self.column and not self.value:
            return self.expected  # a whole-file rejection is already a full sentence
        where = f"{self.file} row {self.row}" if self.row is not None else self.file
        column = f", {self.column}" if self.column else ""
        value = f' "{self.value}"' if self.value != "" else " (empty)"
        if self.row is None and not self.value:
            value = ""
        return f"{where}{column}:{value} — expected {self.expected}"


@dataclass(frozen=True)
class ValidationContext:
    """What validation needs from outside the file: as-of date, currency, known stages, leads.

    `known_stages` maps stage names already in the database to their outcome; `lead_created`
    maps lead external ids (same source) to their created date, for layouts whose deals start
    at their lead; `duplicates` is "error" (default) or "last" (last row wins, with a warning).
    """

    as_of: date | None = None
    currency: str = "USD"
    known_stages: Mapping[str, str] = field(default_factory=dict)
    lead_created: Mapping[str, date] = field(default_factory=dict)
    duplicates: str = "error"


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
    rows: int = 0
    skip_rows: frozenset[int] = frozenset()
    duplicate_of: dict[int, int] = field(default_factory=dict)
    file_issues: list[RowIssue] = field(default_factory=list)

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


# --------------------------------------------------------------------------- dates


def _is_iso(fmt: str) -> bool:
    return fmt.startswith("%Y-")


def parse_dates(values: pd.Series, fmt: str) -> pd.Series:
    """Returns UTC calendar dates (datetime64 at midnight) for `values`; NaT where unparseable.

    ISO formats accept any ISO 8601 date or date-time (with or without a timezone; aware
    values are converted to UTC first). Other formats read the date part before any time.
    """
    text = values.astype("str").str.strip()
    if _is_iso(fmt):
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
    else:
        has_time = text.str.contains(" ", regex=False).fillna(False)
        date_part = text.str.split(" ", n=1).str[0] if has_time.any() else text
        parsed = pd.to_datetime(date_part, format=fmt, errors="coerce", utc=True)
    return parsed.dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")


@dataclass
class DateEvidence:
    """Per candidate format, how many non-empty date values it parses (accumulated over chunks)."""

    formats: tuple[str, ...]
    total: int = 0
    parsed: dict[str, int] = field(default_factory=dict)
    example_ambiguous: str | None = None
    latest: pd.Timestamp | None = None

    def add(self, values: pd.Series) -> None:
        """Counts which candidate formats parse each non-empty value in `values`."""
        values = values.dropna()
        values = values[values.astype("str").str.strip() != ""]
        if values.empty:
            return
        self.total += len(values)
        oks = {}
        for fmt in self.formats:
            parsed = parse_dates(values, fmt)
            oks[fmt] = parsed.notna()
            self.parsed[fmt] = self.parsed.get(fmt, 0) + int(oks[fmt].sum())
            latest = parsed.max()
            if pd.notna(latest) and (self.latest is None or latest > self.latest):
                self.latest = latest
        if self.example_ambiguous is None and DAY_FIRST in oks and MONTH_FIRST in oks:
            both = oks[DAY_FIRST] & oks[MONTH_FIRST]
            differs = both & (parse_dates(values, DAY_FIRST) != parse_dates(values, MONTH_FIRST))
            if differs.any():
                self.example_ambiguous = str(values[differs].iloc[0])

    def choose(self) -> tuple[str | None, str | None]:
        """Returns (format, None) or (None, reason) when day/month order cannot be told apart."""
        if self.total == 0:
            return self.formats[0], None
        full = [f for f in self.formats if self.parsed.get(f, 0) == self.total]
        if len(full) == 1:
            return full[0], None
        if {DAY_FIRST, MONTH_FIRST} <= set(full) and self.example_ambiguous is not None:
            return None, (
                f"dates such as {self.example_ambiguous} read both as day/month and "
                "month/day: choose the date format"
            )
        if full:
            return full[0], None
        ranked = sorted(self.formats, key=lambda f: -self.parsed.get(f, 0))
        tie = len(ranked) > 1 and self.parsed.get(ranked[0], 0) == self.parsed.get(ranked[1], 0)
        if tie and {ranked[0], ranked[1]} == {DAY_FIRST, MONTH_FIRST}:
            return None, "dates mix day/month and month/day orders: choose the date format"
        return ranked[0], None


# --------------------------------------------------------------------------- numbers


def _strip_currency(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Returns (number text without currency/space/apostrophes, ISO currency found or NA)."""
    token = text.str.extract(_CURRENCY_RE, expand=False)
    currency = token.map(lambda t: CURRENCY_SYMBOLS.get(t, str(t).upper()), na_action="ignore")
    number = text.str.replace(_CURRENCY_RE, "", regex=True)
    number = number.str.replace(r"[\s\u00a0\u202f']", "", regex=True)
    return number, currency


@dataclass
class NumberEvidence:
    """Evidence for the decimal separator in amount columns (accumulated over chunks)."""

    comma_decimal: int = 0
    dot_decimal: int = 0

    def add(self, values: pd.Series) -> None:
        """Counts values that can only be read with a decimal comma, or only with a decimal dot."""
        values = values.dropna().astype("str").str.strip()
        number, _ = _strip_currency(values.str.strip("()-"))
        both = number.str.contains(",", regex=False) & number.str.contains(".", regex=False)
        last_comma = number.str.rfind(",") > number.str.rfind(".")
        self.comma_decimal += int((both & last_comma).sum())
        self.dot_decimal += int((both & ~last_comma).sum())
        only_comma = number.str.contains(",", regex=False) & ~both
        comma_not_thousands = only_comma & ~number.str.fullmatch(r"\d{1,3}(,\d{3})+")
        self.comma_decimal += int(comma_not_thousands.sum())
        only_dot = number.str.contains(".", regex=False) & ~both
        many_dots = only_dot & number.str.fullmatch(r"\d{1,3}(\.\d{3}){2,}")
        self.comma_decimal += int(many_dots.sum())
        self.dot_decimal += int((only_dot & ~number.str.fullmatch(r"\d{1,3}(\.\d{3})+")).sum())

    def choose(self, delimiter: str) -> str:
        """Returns the decimal separator: the majority, else "," for ;-files, else "."."""
        if self.comma_decimal > self.dot_decimal:
            return ","
        if self.dot_decimal > self.comma_decimal:
            return "."
        return "," if delimiter == ";" else "."


def parse_amounts(values: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Returns (amount float64 or NaN, bad-value mask, currency found in the value or NA).

    "(1,234)" and "-1,234" are negative; currency symbols/codes and spaces are stripped;
    with decimal ",", "." and spaces are thousands separators ("1.234,50" -> 1234.5).
    """
    text = values.astype("str").str.strip()
    present = values.notna() & (text != "")
    negative = text.str.fullmatch(r"\(.*\)") | text.str.startswith("-")
    inner = text.str.replace(r"^\((.*)\)$", r"\1", regex=True).str.lstrip("-").str.strip()
    number, currency = _strip_currency(inner)
    number = number.str.lstrip("-")
    well_formed = number.str.fullmatch(_NUMBER_PATTERNS[decimal].pattern).fillna(False)
    if decimal == ",":
        canonical = number.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        canonical = number.str.replace(",", "", regex=False)
    amount = pd.to_numeric(canonical.where(well_formed), errors="coerce").astype("float64")
    amount = amount.where(~negative.fillna(False), -amount)
    bad = present & amount.isna()
    return amount.where(present), bad, currency.where(present)


# --------------------------------------------------------------------------- scan


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
    if forced_date_format:
        plan.date_format = forced_date_format
    else:
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
    plan.decimal = forced_decimal or numbers.choose(plan.fmt.delimiter)
    plan.thousands = forced_thousands or ("." if plan.decimal == "," else ",")
    dated_by_file = any(v == "as_of" for v in plan.layout.options.values())
    if context.as_of is not None:
        plan.as_of = context.as_of
    elif dated_by_file and dates.latest is not None and pd.notna(dates.latest):
        # Layouts that date rows at the as-of date use the file's own latest date; the
        # others keep today's date (when a re-import's changes are recorded as seen).
        plan.as_of = dates.latest.date()
    if ids:
        all_ids = pd.concat(ids)
        all_ids = all_ids[all_ids.notna() & (all_ids != "")]
        repeated = all_ids[all_ids.duplicated(keep=False)]
        if not repeated.empty:
            frame = pd.DataFrame({"id": repeated.to_numpy(), "row": repeated.index.to_numpy()})
            first = frame.groupby("id")["row"].transform("min")
            last = frame.groupby("id")["row"].transform("max")
            if context.duplicates == "last":
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


# --------------------------------------------------------------------------- rows


class _Collector:
    def __init__(self, plan: FilePlan, chunk_index: pd.Index) -> None:
        self.plan = plan
        self.issues: list[RowIssue] = []
        self.bad = pd.Series(False, index=chunk_index)
        self.failed: dict[str, pd.Series] = {}

    def add(
        self,
        mask: pd.Series,
        target: str,
        values: pd.Series | None,
        expected: str | pd.Series,
        severity: str = ERROR,
    ) -> None:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        column = self.plan.raw_header(target)
        rows = mask[mask].index
        shown = values.reindex(rows) if values is not None else pd.Series("", index=rows)
        expectations = (
            expected.reindex(rows).astype("str")
            if isinstance(expected, pd.Series)
            else pd.Series(expected, index=rows)
        )
        for row, value, wanted in zip(rows, shown, expectations, strict=True):
            text = "" if value is None or value is pd.NA or value != value else value
            self.issues.append(
                RowIssue(self.plan.file, int(row), column, str(text), wanted, severity)
            )
        if severity == ERROR:
            self.bad |= mask
            previous = self.failed.get(target)
            self.failed[target] = mask if previous is None else (previous | mask)

    def failed_on(self, target: str) -> pd.Series:
        """Returns the mask of rows already reported for `target`."""
        return self.failed.get(target, pd.Series(False, index=self.bad.index))


def _text(chunk: pd.DataFrame, plan: FilePlan, target: str) -> pd.Series:
    column = plan.column_map.get(target)
    if column is None:
        return pd.Series(pd.NA, index=chunk.index, dtype="object")
    values = chunk[column].astype("str").str.strip()
    return values.where(chunk[column].notna() & (values != ""))


def _stage_rules(layout: Layout, context: ValidationContext) -> dict[str, StageRule]:
    from salesops.importing.reading import normalise_header

    rules = {normalise_header(k): v for k, v in layout.stages.items()}
    for order, (name, outcome) in enumerate(context.known_stages.items(), start=1000):
        rules.setdefault(
            normalise_header(name), StageRule(name, outcome, 0.5 if outcome == "open" else 0, order)
        )
    return rules


def validate_chunk(
    plan: FilePlan, chunk: pd.DataFrame, context: ValidationContext
) -> tuple[pd.DataFrame, list[RowIssue]]:
    """Returns (typed rows, problems) for one raw chunk; typed rows carry `_row` and `_valid`.

    Typed columns: the entity's targets (strings stripped, dates datetime64, amounts float64,
    integers Int64) plus `stage`/`outcome`/`probability`/`sort_order` for opportunities.
    Rows skipped by the duplicate rule are dropped (with a warning).
    """
    layout = plan.layout
    found = _Collector(plan, chunk.index)
    out = pd.DataFrame(index=chunk.index)
    out["_row"] = chunk.index.astype("int64")
    fmt = plan.date_format or layout.date_formats[0]
    for target in plan.column_map:
        raw = _text(chunk, plan, target)
        if target in DATE_TARGETS:
            parsed = parse_dates(raw.fillna(""), fmt)
            label = DATE_FORMAT_LABELS.get(fmt, fmt)
            found.add(raw.notna() & parsed.isna(), target, raw, f"a date in {label} format")
            out[target] = parsed
        elif target in AMOUNT_TARGETS:
            amount, bad, currency = parse_amounts(raw, plan.decimal)
            example = "1.234,50" if plan.decimal == "," else "1,234.50"
            found.add(bad, target, raw, f"a number such as {example}")
            found.add(amount < 0, target, raw, "an amount of 0 or more (negatives are refunds)")
            other = currency.notna() & (currency != context.currency.upper())
            found.add(other, target, raw, f"amounts in {context.currency} (the database currency)")
            out[target] = amount
        elif target in INTEGER_TARGETS:
            number = pd.to_numeric(raw.str.replace(",", "", regex=False), errors="coerce")
            whole = number.notna() & (number == np.floor(number.fillna(0)))
            found.add(raw.notna() & ~whole, target, raw, "a whole number")
            found.add(whole & (number < 0), target, raw, "a number of 0 or more")
            out[target] = number.where(whole).astype("Int64")
        else:
            out[target] = raw
    if "currency" in out:
        cur = out["currency"].str.upper()
        found.add(
            cur.notna() & (cur != context.currency.upper()),
            "currency",
            out["currency"],
            f"{context.currency} (one currency per database; convert before importing)",
        )
    if "external_id" in out:
        found.add(out["external_id"].isna(), "external_id", out["external_id"], "an id")
    for row, first in plan.duplicate_of.items():
        if row in chunk.index:
            rule_last = context.duplicates == "last"
            severity = WARNING if rule_last else ERROR
            expected = (
                f"a unique id (row {first} has the same id; this earlier row is skipped)"
                if rule_last
                else f"a unique id (row {first} has the same id)"
            )
            mask = pd.Series(chunk.index == row, index=chunk.index)
            found.add(mask, "external_id", out.get("external_id"), expected, severity)
    entity_check = {
        "opportunities": _check_opportunities,
        "leads": _check_leads,
        "accounts": _check_named,
        "reps": _check_named,
    }[layout.entity]
    out = entity_check(plan, out, found, context)
    out["_valid"] = ~found.bad.reindex(out.index, fill_value=False)
    if plan.skip_rows:
        out = out[~out["_row"].isin(plan.skip_rows)]
    found.issues.sort(key=lambda issue: issue.row if issue.row is not None else 0)
    return out, found.issues


def _check_named(
    plan: FilePlan, out: pd.DataFrame, found: _Collector, context: ValidationContext
) -> pd.DataFrame:
    if "name" not in out:
        out["name"] = out.get("external_id")
    found.add(out["name"].isna(), "name", out["name"], "a name")
    return out


def _check_leads(
    plan: FilePlan, out: pd.DataFrame, found: _Collector, context: ValidationContext
) -> pd.DataFrame:
    if "created_at" not in out:
        out["created_at"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    missing = out["created_at"].isna() & ~found.failed_on("created_at")
    found.add(missing, "created_at", None, "a created date (required for every lead)")
    converted = pd.Series(False, index=out.index)
    if "converted" in out:
        converted = out["converted"].str.casefold().isin(BOOLEAN_TRUE).fillna(False)
    if "converted_at" in out:
        converted |= out["converted_at"].notna()
        before = out["converted_at"] < out["created_at"]
        found.add(
            before,
            "converted_at",
            out["converted_at"].dt.strftime("%Y-%m-%d"),
            "a conversion date on or after the created date",
        )
    else:
        out["converted_at"] = pd.NaT
    if "status" not in out:
        out["status"] = pd.Series(pd.NA, index=out.index, dtype="object")
    out["status"] = out["status"].where(~converted | out["status"].notna(), "converted")
    out["converted"] = converted
    return out


def _check_opportunities(
    plan: FilePlan, out: pd.DataFrame, found: _Collector, context: ValidationContext
) -> pd.DataFrame:
    layout = plan.layout
    options = layout.options
    rules = _stage_rules(layout, context)
    from salesops.importing.reading import normalise_header

    index = out.index
    stage_raw = out["stage"] if "stage" in out else pd.Series(pd.NA, index=index, dtype="object")
    default_outcome = options.get("outcome_default")
    if default_outcome and "stage" not in out:
        rule = next(iter(layout.stages.values()))
        stage_raw = pd.Series(rule.stage, index=index, dtype="object")
    distinct = stage_raw.dropna().unique()
    rule_of = {v: rules.get(normalise_header(v)) for v in distinct}
    matched = stage_raw.map(rule_of, na_action="ignore").astype(object)
    outcome_from_column = None
    if "outcome" in out and layout.outcome_values:
        values = {normalise_header(k): v for k, v in layout.outcome_values.items()}
        outcome_from_column = out["outcome"].map(
            lambda v: values.get(normalise_header(v)), na_action="ignore"
        )
        if "" in values:  # the mapping gives blank outcome cells a meaning (usually "open")
            outcome_from_column = outcome_from_column.where(out["outcome"].notna(), values[""])
        found.add(
            out["outcome"].notna() & outcome_from_column.isna(),
            "outcome",
            out["outcome"],
            f"one of {', '.join(layout.outcome_values)}",
        )
    elif "outcome" in out:
        outcome_from_column = (
            out["outcome"].str.casefold().where(out["outcome"].str.casefold().isin(OUTCOMES))
        )
        found.add(
            out["outcome"].notna() & outcome_from_column.isna(),
            "outcome",
            out["outcome"],
            "open, won or lost",
        )
    unknown = stage_raw.notna() & matched.isna()
    if outcome_from_column is not None:
        # With an explicit outcome column, new stage names are accepted and created.
        unknown &= outcome_from_column.isna()
    names = ", ".join(dict.fromkeys(r.stage for r in layout.stages.values())) or "a known stage"
    found.add(unknown, "stage", stage_raw, f"a known stage ({names})")
    found.add(stage_raw.isna(), "stage", stage_raw, "a stage")
    out["stage"] = matched.map(lambda r: r.stage, na_action="ignore").fillna(stage_raw)
    outcome = matched.map(lambda r: r.outcome, na_action="ignore")
    if outcome_from_column is not None:
        outcome = outcome_from_column.fillna(outcome)
    if default_outcome:
        outcome = outcome.fillna(default_outcome)
    out["outcome"] = outcome
    out["probability"] = matched.map(lambda r: r.probability, na_action="ignore").astype("float64")
    out["sort_order"] = matched.map(lambda r: r.sort_order, na_action="ignore").astype("Int64")
    closed = out["outcome"].isin(["won", "lost"])
    for target in ("created_at", "closed_at", "expected_close_date"):
        if target not in out:
            out[target] = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if options.get("closed_at_from_expected"):
        out["closed_at"] = out["closed_at"].where(
            out["closed_at"].notna() | ~closed, out["expected_close_date"]
        )
    as_of = pd.Timestamp(plan.as_of)
    if options.get("closed_at_default") == "as_of":
        out["closed_at"] = out["closed_at"].where(out["closed_at"].notna() | ~closed, as_of)
    # An open deal has no close date, whatever the export says.
    out["closed_at"] = out["closed_at"].where(closed)
    if "cycle_days" in out:
        days = pd.to_timedelta(out["cycle_days"].astype("float64"), unit="D")
        derived = out["closed_at"] - days
        out["created_at"] = out["created_at"].where(out["created_at"].notna(), derived)
    if options.get("created_at_from_lead"):
        lead_ids = out.get("lead_external_id")
        lookup = {k: pd.Timestamp(v) for k, v in context.lead_created.items()}
        from_lead = lead_ids.map(lambda k: lookup.get(k), na_action="ignore")
        found.add(
            lead_ids.notna() & from_lead.isna(),
            "lead_external_id",
            lead_ids,
            "a lead imported earlier or in the same batch (import the leads file first)",
        )
        out["created_at"] = pd.to_datetime(from_lead).astype("datetime64[ns]")
    fallback = options.get("created_at_fallback") == "as_of"
    if fallback:
        undated = out["created_at"].isna() & ~closed & ~found.failed_on("created_at")
        if undated.any():
            found.issues.append(
                RowIssue(
                    plan.file,
                    None,
                    plan.raw_header("created_at"),
                    "",
                    f"a date: {int(undated.sum())} open deals have none and are dated at the "
                    f"as-of date {plan.as_of.isoformat()}",
                    WARNING,
                )
            )
            out["created_at"] = out["created_at"].where(~undated, as_of)
    missing_created = out["created_at"].isna()
    for source_target in ("created_at", "lead_external_id", "cycle_days", "closed_at"):
        missing_created &= ~found.failed_on(source_target)
    found.add(missing_created, "created_at", None, "a created date (required for every deal)")
    close_target = "closed_at" if "closed_at" in plan.column_map else "expected_close_date"
    no_close = closed & out["closed_at"].isna()
    no_close &= ~found.failed_on("closed_at") & ~found.failed_on("expected_close_date")
    found.add(no_close, close_target, None, "a close date for a won or lost deal")
    before = out["closed_at"].notna() & out["created_at"].notna()
    before &= out["closed_at"] < out["created_at"]
    shown = out["closed_at"].dt.strftime("%Y-%m-%d")
    expected = "a close date on or after the created date " + out["created_at"].dt.strftime(
        "%Y-%m-%d"
    )
    found.add(before, close_target, shown, expected)
    if layout.options.get("rep_per_territory") and "territory" in out:
        out["rep"] = out["territory"].map(lambda t: f"{t} team", na_action="ignore")
    return out


def summarise(issues: Iterable[RowIssue]) -> tuple[int, int]:
    """Returns (errors, warnings) counted over `issues`."""
    errors = warnings = 0
    for issue in issues:
        if issue.severity == ERROR:
            errors += 1
        else:
            warnings += 1
    return errors, warnings
