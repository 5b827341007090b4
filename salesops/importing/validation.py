"""Validation: string chunks in, typed rows plus every row-level problem out. No database.

Each target column is typed by its kind (dates, amounts, whole numbers, text), ids are
checked for presence and uniqueness, then the entity's own rules run (names for reps and
accounts, dates and conversions for leads, `salesops.importing.opportunities` for deals).
Every problem is collected (see `salesops.importing.issues`), none stops the pass.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from salesops.importing.amounts import parse_amounts
from salesops.importing.dates import (
    DATE_FORMAT_LABELS,
    OUT_OF_RANGE,
    parse_dates_checked,
    parse_timestamps,
)
from salesops.importing.entity_checks import (
    check_activities,
    check_orders,
    check_quotas,
    check_spend,
)
from salesops.importing.history_rows import TIMESTAMP, check_history
from salesops.importing.hubspot_stages import read_entries
from salesops.importing.issues import ERROR, WARNING, IssueCollector, RowIssue
from salesops.importing.layouts import (
    AMOUNT_TARGETS,
    BOOLEAN_FALSE,
    BOOLEAN_TARGETS,
    BOOLEAN_TRUE,
    DATE_TARGETS,
    INTEGER_TARGETS,
    NUMBER_TARGETS,
)
from salesops.importing.limits import check_limits
from salesops.importing.opportunities import check_opportunities
from salesops.importing.parsing import RAGGED_FIELDS, RAGGED_TEXT
from salesops.importing.plan import FilePlan, ValidationContext

EntityCheck = Callable[[FilePlan, pd.DataFrame, IssueCollector, ValidationContext], pd.DataFrame]


def _text(chunk: pd.DataFrame, plan: FilePlan, target: str) -> pd.Series:
    """Returns the target's stripped text (NA where missing or blank, or when not mapped)."""
    column = plan.column_map.get(target)
    if column is None:
        return pd.Series(pd.NA, index=chunk.index, dtype="object")
    values = chunk[column].astype("str").str.strip()
    return values.where(chunk[column].notna() & (values != ""))


def _typed(
    plan: FilePlan,
    target: str,
    raw: pd.Series,
    found: IssueCollector,
    context: ValidationContext,
) -> pd.Series:
    """Returns one target column typed by its kind, recording every value that does not fit."""
    if target in DATE_TARGETS:
        fmt = plan.date_format or plan.layout.date_formats[0]
        parsed, too_far = parse_dates_checked(raw.fillna(""), fmt)
        label = DATE_FORMAT_LABELS.get(fmt, fmt)
        found.add(too_far, target, raw, OUT_OF_RANGE)
        found.add(raw.notna() & parsed.isna() & ~too_far, target, raw, f"a date in {label} format")
        return parsed
    if target in AMOUNT_TARGETS:
        amount, bad, currency = parse_amounts(raw, plan.decimal)
        example = "1.234,50" if plan.decimal == "," else "1,234.50"
        found.add(bad, target, raw, f"a number such as {example}")
        found.add(amount < 0, target, raw, "an amount of 0 or more (negatives are refunds)")
        # A value that is no number at all ("abc") is that one problem, not a currency too.
        other = currency.notna() & ~bad & (currency != context.currency.upper())
        found.add(other, target, raw, f"amounts in {context.currency} (the database currency)")
        return amount
    if target in BOOLEAN_TARGETS:
        folded = raw.str.casefold()
        flag = folded.isin(BOOLEAN_TRUE).astype("boolean").where(raw.notna())
        unknown = raw.notna() & ~folded.isin(BOOLEAN_TRUE | BOOLEAN_FALSE)
        found.add(unknown, target, raw, "true or false")
        return flag.where(~unknown)
    if target in NUMBER_TARGETS:
        number = pd.to_numeric(raw.str.replace(",", ".", regex=False), errors="coerce")
        found.add(raw.notna() & number.isna(), target, raw, "a number such as 37.5")
        found.add(number < 0, target, raw, "a number of 0 or more")
        return number.astype("float64")
    if target in INTEGER_TARGETS:
        number = pd.to_numeric(raw.str.replace(",", "", regex=False), errors="coerce")
        whole = number.notna() & (number == np.floor(number.fillna(0)))
        found.add(raw.notna() & ~whole, target, raw, "a whole number")
        found.add(whole & (number < 0), target, raw, "a number of 0 or more")
        return number.where(whole).astype("Int64")
    return raw


def _check_currency(out: pd.DataFrame, found: IssueCollector, context: ValidationContext) -> None:
    """Records rows whose currency column is not the database currency."""
    if "currency" not in out:
        return
    cur = out["currency"].str.upper()
    found.add(
        cur.notna() & (cur != context.currency.upper()),
        "currency",
        out["currency"],
        f"{context.currency} (one currency per database; convert before importing)",
    )


def _check_ids(
    plan: FilePlan,
    index: pd.Index,
    out: pd.DataFrame,
    found: IssueCollector,
    context: ValidationContext,
) -> None:
    """Records rows without an id, and repeated ids (errors, or warnings when last row wins)."""
    if "external_id" in out:
        found.add(out["external_id"].isna(), "external_id", out["external_id"], "an id")
    rule_last = context.duplicates == "last"
    severity = WARNING if rule_last else ERROR
    for row, first in plan.duplicate_of.items():
        if row in index:
            expected = (
                f"a unique id (row {first} has the same id; this earlier row is skipped)"
                if rule_last
                else f"a unique id (row {first} has the same id)"
            )
            mask = pd.Series(index == row, index=index)
            found.add(mask, "external_id", out.get("external_id"), expected, severity)


def _check_named(
    plan: FilePlan, out: pd.DataFrame, found: IssueCollector, context: ValidationContext
) -> pd.DataFrame:
    """Returns reps or accounts with a name (the id when no name column); records nameless rows."""
    if "name" not in out:
        out["name"] = out.get("external_id")
    found.add(out["name"].isna(), "name", out["name"], "a name")
    return out


def _check_reps(
    plan: FilePlan, out: pd.DataFrame, found: IssueCollector, context: ValidationContext
) -> pd.DataFrame:
    """Returns named reps with an end date for inactive ones; records leaving before joining.

    An inactive rep (`active` false) without an end date left by the as-of date.
    """
    out = _check_named(plan, out, found, context)
    if "active" in out:
        if "end_date" not in out:
            out["end_date"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
        inactive = out["active"].eq(False).fillna(False).astype(bool)
        as_of = pd.Timestamp(plan.as_of)
        out["end_date"] = out["end_date"].where(~(inactive & out["end_date"].isna()), as_of)
        out = out.drop(columns=["active"])
    if "end_date" in out and "hire_date" in out:
        before = out["end_date"] < out["hire_date"]
        found.add(
            before,
            "end_date",
            out["end_date"].dt.strftime("%Y-%m-%d"),
            "an end date on or after the hire date",
        )
    return out


def _check_leads(
    plan: FilePlan, out: pd.DataFrame, found: IssueCollector, context: ValidationContext
) -> pd.DataFrame:
    """Returns leads with `converted` and `status` settled; records missing or reversed dates."""
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


def _check_ragged(plan: FilePlan, chunk: pd.DataFrame, found: IssueCollector) -> None:
    """Reports each record whose field count is not the header's (only that problem for it).

    A short row would otherwise import blanks in its last columns and a long one shift its
    values, so the row is rejected whole, showing the record as written.
    """
    if RAGGED_FIELDS not in chunk:
        return
    ragged = chunk[RAGGED_FIELDS].fillna(0).astype("int64") > 0
    if not ragged.any():
        return
    rows = set(chunk.index[ragged.to_numpy()])
    found.issues = [i for i in found.issues if i.row not in rows]
    width = len(plan.fmt.columns)
    for row in sorted(rows):
        fields, text = chunk.at[row, RAGGED_FIELDS], chunk.at[row, RAGGED_TEXT]
        found.issues.append(
            RowIssue(
                plan.file,
                int(row),
                "",
                str(text),
                f"{width} fields like the header, not {int(fields)} (a missing or extra "
                f"{plan.fmt.delimiter_name}, or a value that needs quotes)",
            )
        )
    found.bad |= ragged


def _check_products(
    plan: FilePlan, out: pd.DataFrame, found: IssueCollector, context: ValidationContext
) -> pd.DataFrame:
    """Returns products; records rows without a name or a list price."""
    for target, what in (("name", "a product name"), ("list_price", "a list price")):
        if target not in out:
            out[target] = pd.Series(pd.NA, index=out.index, dtype="object")
        found.add(out[target].isna() & ~found.failed_on(target), target, None, what)
    return out


ENTITY_CHECKS: dict[str, EntityCheck] = {
    "opportunities": check_opportunities,
    "leads": _check_leads,
    "accounts": _check_named,
    "reps": _check_reps,
    "opportunity_history": check_history,
    "orders": check_orders,
    "spend": check_spend,
    "quotas": check_quotas,
    "activities": check_activities,
    "products": _check_products,
}


def validate_chunk(
    plan: FilePlan, chunk: pd.DataFrame, context: ValidationContext
) -> tuple[pd.DataFrame, list[RowIssue]]:
    """Returns (typed rows, problems) for one raw chunk; typed rows carry `_row` and `_valid`.

    Typed columns: the entity's targets (strings stripped, dates datetime64, amounts float64,
    integers Int64) plus `stage`/`outcome`/`probability`/`sort_order` for opportunities.
    Rows skipped by the duplicate rule are dropped (with a warning).
    """
    found = IssueCollector(plan, chunk.index)
    out = pd.DataFrame(index=chunk.index)
    out["_row"] = chunk.index.astype("int64")
    for target in plan.column_map:
        out[target] = _typed(plan, target, _text(chunk, plan, target), found, context)
    if plan.stage_entries:
        out = out.join(read_entries(plan, chunk, found))
    if plan.layout.entity == "opportunity_history":
        fmt = plan.date_format or plan.layout.date_formats[0]
        out[TIMESTAMP] = parse_timestamps(_text(chunk, plan, "changed_at").fillna(""), fmt)
    _check_currency(out, found, context)
    _check_ids(plan, chunk.index, out, found, context)
    out = ENTITY_CHECKS[plan.layout.entity](plan, out, found, context)
    check_limits(plan.layout.entity, out, found)
    _check_ragged(plan, chunk, found)
    out["_valid"] = ~found.bad.reindex(out.index, fill_value=False)
    if plan.skip_rows:
        out = out[~out["_row"].isin(plan.skip_rows)]
    found.issues.sort(key=lambda issue: issue.row if issue.row is not None else 0)
    return out, found.issues
