"""The rules rows of orders, acquisition spend, quotas and time logs must meet.

Each check takes a chunk's typed rows and records every problem on its row: orders dated
in order (ordered, invoiced, paid), spend by month, channel and marketing/sales kind, quotas
and time logs of known reps (quota periods not overlapping, at most 24 hours an entry).
"""

from __future__ import annotations

import pandas as pd

from salesops.importing.issues import WARNING, IssueCollector
from salesops.importing.plan import FilePlan, ValidationContext

SPEND_KINDS = ("marketing", "sales")
MAX_HOURS_PER_ENTRY = 24.0
# Activity names (lower case) whose time is selling time when first seen; the rest are not.
SELLING_WORDS = ("call", "meeting", "demo", "visit", "presentation", "email", "prospect")
# work sales ops could take off reps' hands (quotes, proposals, orders): the time page's
# "back office", whose hours it prices as selling time freed
BACK_OFFICE_WORDS = ("quote", "proposal", "order", "invoice", "contract", "billing", "pricing")


def _shown(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m-%d")


def _required(out: pd.DataFrame, found: IssueCollector, target: str, what: str) -> None:
    """Records rows without `target` (unless its value was already reported as unreadable)."""
    if target not in out:
        out[target] = pd.Series(pd.NA, index=out.index, dtype="object")
    missing = out[target].isna() & ~found.failed_on(target)
    found.add(missing, target, None, what)


def _in_order(
    out: pd.DataFrame, found: IssueCollector, earlier: str, later: str, what: str
) -> None:
    """Records rows whose `later` date is before their `earlier` date."""
    if earlier not in out or later not in out:
        return
    before = out[later].notna() & out[earlier].notna() & (out[later] < out[earlier])
    found.add(before, later, _shown(out[later]), f"{what} " + _shown(out[earlier]))


def check_orders(
    plan: FilePlan, out: pd.DataFrame, found: IssueCollector, context: ValidationContext
) -> pd.DataFrame:
    """Returns orders; records missing dates/amounts/customers, unknown reps, dates out of order."""
    if plan.layout.options.get("updates_only"):
        known = out["external_id"].isin(context.known_orders)
        found.add(
            out["external_id"].notna() & ~known,
            "external_id",
            out["external_id"],
            "an order imported earlier or in this batch (import the orders export first)",
        )
    else:
        _required(out, found, "ordered_at", "an order date")
        _required(out, found, "amount", "an amount")
        customer = out.get("account", out.get("account_external_id"))
        if customer is None:
            customer = pd.Series(pd.NA, index=out.index, dtype="object")
        if "account_external_id" in out and "account" in out:
            customer = out["account_external_id"].fillna(out["account"])
        found.add(customer.isna(), "account", None, "the customer (account) of the order")
        if "rep" in out:  # optional: the rep credited (a repeat order's, say)
            found.add(
                out["rep"].notna() & ~out["rep"].isin(context.known_reps),
                "rep",
                out["rep"],
                "a rep imported earlier or in this batch (import the reps or users first)",
            )
    _in_order(out, found, "ordered_at", "invoiced_at", "an invoice date on or after the order date")
    _in_order(out, found, "invoiced_at", "paid_at", "a payment date on or after the invoice date")
    if "paid_at" in out and "invoiced_at" in out:
        never = out["paid_at"].notna() & out["invoiced_at"].isna() & ~found.failed_on("invoiced_at")
        found.add(never, "invoiced_at", None, "an invoice date (paid, never invoiced)", WARNING)
    return out


def check_spend(
    plan: FilePlan, out: pd.DataFrame, found: IssueCollector, context: ValidationContext
) -> pd.DataFrame:
    """Returns spend by month start, channel and kind; records bad kinds and repeated rows."""
    _required(out, found, "month", "a month (any date in it)")
    _required(out, found, "channel", "a channel")
    _required(out, found, "amount", "an amount")
    kind = out["kind"].str.casefold().str.strip() if "kind" in out else None
    if kind is None:
        kind = pd.Series(pd.NA, index=out.index, dtype="object")
    found.add(~kind.isin(SPEND_KINDS), "kind", out.get("kind"), "marketing or sales")
    out["kind"] = kind
    out["month"] = out["month"].dt.to_period("M").dt.start_time.astype("datetime64[ns]")
    keys = ["month", "channel", "kind"]
    repeated = out.duplicated(keys, keep="first") & out[keys].notna().all(axis=1)
    first = out.reset_index().groupby(keys, dropna=False)["index"].transform("min")
    first.index = out.index
    found.add(
        repeated,
        "channel",
        out["channel"],
        "one row per month, channel and kind (row " + first.astype("string") + " has the same)",
    )
    return out


def _known_rep(out: pd.DataFrame, found: IssueCollector, context: ValidationContext) -> pd.Series:
    """Returns each row's rep key (external id, else name); records rows of unknown reps."""
    rep = out.get("rep_external_id")
    if rep is None:
        rep = out.get("rep", pd.Series(pd.NA, index=out.index, dtype="object"))
    elif "rep" in out:
        # the id when it names a known rep, else the name beside it
        rep = rep.where(rep.isin(context.known_reps) | out["rep"].isna(), out["rep"])
        rep = rep.fillna(out["rep"])
    target = "rep_external_id" if "rep_external_id" in out else "rep"
    found.add(rep.isna(), target, None, "a rep")
    found.add(
        rep.notna() & ~rep.isin(context.known_reps),
        target,
        rep,
        "a rep imported earlier or in this batch (import the reps or users first)",
    )
    return rep


def check_quotas(
    plan: FilePlan, out: pd.DataFrame, found: IssueCollector, context: ValidationContext
) -> pd.DataFrame:
    """Returns quotas with `rep_key` and `months`; records unknown reps and overlapping periods.

    A period runs from its start month through its end's month (one month without an end);
    its amount is spread evenly over those months.
    """
    out["rep_key"] = _known_rep(out, found, context)
    _required(out, found, "period_start", "the first day of the quota period")
    _required(out, found, "amount", "a quota amount")
    start = out["period_start"]
    found.add(
        start.notna() & (start.dt.day != 1),
        "period_start",
        _shown(start),
        "the first day of a month (quotas are by month)",
    )
    end = out.get("period_end", start)
    end = end.fillna(start)
    _in_order(out.assign(period_end=end), found, "period_start", "period_end", "an end on or after")
    first = start.dt.to_period("M")
    last = end.dt.to_period("M")
    months = [
        list(pd.period_range(a, b, freq="M")) if pd.notna(a) and pd.notna(b) and b >= a else []
        for a, b in zip(first, last, strict=True)
    ]
    out["months"] = pd.Series(months, index=out.index, dtype="object")
    _overlaps(out, found)
    return out


def _overlaps(out: pd.DataFrame, found: IssueCollector) -> None:
    """Records quota rows whose months overlap an earlier row's for the same rep."""
    seen: dict[tuple[object, object], int] = {}
    overlapping = pd.Series(False, index=out.index)
    expected = pd.Series("", index=out.index, dtype="object")
    for row, rep, months in zip(out.index, out["rep_key"], out["months"], strict=True):
        for month in months:
            earlier = seen.get((rep, month))
            if earlier is not None and earlier != row:
                overlapping[row] = True
                expected[row] = f"a period not overlapping row {earlier}'s ({month} already set)"
                break
        else:
            seen.update({(rep, m): row for m in months})
    found.add(overlapping, "period_start", _shown(out["period_start"]), expected)


def _hours(out: pd.DataFrame) -> pd.Series:
    """Returns each entry's hours: hours, else minutes / 60, else seconds / 3600, else 0."""
    hours = out["hours"] if "hours" in out else pd.Series(float("nan"), index=out.index)
    if "duration_minutes" in out:
        hours = hours.fillna(out["duration_minutes"] / 60)
    if "seconds" in out:
        hours = hours.fillna(out["seconds"] / 3600)
    return hours.fillna(0.0).astype("float64")


def check_activities(
    plan: FilePlan, out: pd.DataFrame, found: IssueCollector, context: ValidationContext
) -> pd.DataFrame:
    """Returns time log entries with rep_key, week_start and hours; records what is wrong.

    Unknown reps and entries over 24 hours are errors; an activity type seen for the first
    time is added (selling if its name says a call, meeting, demo...) with one warning.
    """
    out["rep_key"] = _known_rep(out, found, context)
    _required(out, found, "activity_date", "the date of the activity")
    _required(out, found, "activity", "an activity type")
    out["hours"] = _hours(out)
    source = next((t for t in ("hours", "duration_minutes", "seconds") if t in plan.column_map), "")
    found.add(
        out["hours"] > MAX_HOURS_PER_ENTRY,
        source or "hours",
        out["hours"].round(2).astype("string"),
        "at most 24 hours in one entry",
    )
    monday = out["activity_date"] - pd.to_timedelta(out["activity_date"].dt.day_of_week, unit="D")
    out["week_start"] = monday.astype("datetime64[ns]")
    _new_types(plan, out, found, context)
    return out


def default_category(activity: str) -> str:
    """Returns "selling" when an activity's name says it is (a call, meeting...), else not."""
    name = activity.casefold()
    return "selling" if any(word in name for word in SELLING_WORDS) else "non_selling"


def default_back_office(activity: str) -> bool:
    """Returns True when a non-selling activity's name says it is back-office work (a quote...)."""
    name = activity.casefold()
    selling = default_category(activity) == "selling"
    return not selling and any(word in name for word in BACK_OFFICE_WORDS)


def default_type_words(activity: str) -> str:
    """Returns how an import adds a new activity type, in words: "non-selling, back office"."""
    words = default_category(activity).replace("_", "-")
    return words + (", back office" if default_back_office(activity) else "")


def _new_types(
    plan: FilePlan, out: pd.DataFrame, found: IssueCollector, context: ValidationContext
) -> None:
    """Warns once per file of each activity type not defined yet (it is added)."""
    activity = out["activity"]
    new = activity.notna() & ~activity.isin(context.activity_types)
    first = new & ~activity.duplicated(keep="first") & ~activity.isin(list(plan.seen))
    plan.seen.update(activity[first].tolist())
    added_as = activity[first].map(default_type_words)
    found.add(
        first,
        "activity",
        activity,
        "a defined activity type: added as "
        + added_as
        + " (change it under Activity types on the Data page)",
        WARNING,
    )
