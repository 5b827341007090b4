"""Deal history rows: the rules a history row must meet, and the deal states they make.

`check_history` validates a chunk of OpportunityHistory (whole states) or
OpportunityFieldHistory (one field's old and new value) rows: a deal imported earlier or in
the batch, a change on or after the deal was created, values of the field's kind, exact
repeats counted once. `deal_states` turns a deal's rows into one state per day, opening at
the deal's creation and ending in its current state, which is what opportunity_history holds.
"""

from __future__ import annotations

import pandas as pd

from salesops.importing.amounts import parse_amounts
from salesops.importing.dates import parse_dates
from salesops.importing.issues import WARNING, IssueCollector
from salesops.importing.key_dates import KeyDates
from salesops.importing.opportunities import forecast_categories
from salesops.importing.plan import FilePlan, ValidationContext
from salesops.importing.reading import normalise_header
from salesops.importing.sources_history import FIELD_TARGETS

STATE_COLUMNS = ("stage", "amount", "expected_close_date", "forecast_category")
TIMESTAMP = "_changed_ts"


def _check_deals(out: pd.DataFrame, found: IssueCollector, context: ValidationContext) -> None:
    """Records rows of unknown deals and changes dated before their deal was created."""
    deal = out["opportunity_external_id"]
    found.add(deal.isna(), "opportunity_external_id", deal, "the deal's id")
    created_at = KeyDates.of(context.deal_created).lookup(deal)  # NaT for unknown deals
    unknown = deal.notna() & created_at.isna()
    found.add(
        unknown,
        "opportunity_external_id",
        deal,
        "a deal imported earlier or in this batch (import the Opportunity export first, or "
        "in the same batch)",
    )
    early = out["changed_at"].notna() & created_at.notna() & (out["changed_at"] < created_at)
    found.add(
        early,
        "changed_at",
        out["changed_at"].dt.strftime("%Y-%m-%d"),
        "a change on or after the deal's created date " + created_at.dt.strftime("%Y-%m-%d"),
    )
    found.add(
        out["changed_at"].isna() & ~found.failed_on("changed_at"),
        "changed_at",
        None,
        "the date of the change",
    )


def _check_stage(
    plan: FilePlan, out: pd.DataFrame, found: IssueCollector, context: ValidationContext
) -> None:
    """Records rows without a stage, and warns of stages no deal is in (recorded as open)."""
    if "stage" not in out:
        return
    found.add(out["stage"].isna(), "stage", out["stage"], "a stage")
    known = {normalise_header(s) for s in (*context.known_stages, *plan.layout.stages)}
    names = {v: normalise_header(v) for v in out["stage"].dropna().unique()}
    unknown = out["stage"].notna() & ~out["stage"].map(names).isin(known)
    found.add(
        unknown,
        "stage",
        out["stage"],
        "a stage a deal is in (a stage no longer used is recorded as an open stage)",
        WARNING,
    )


def _field_values(plan: FilePlan, out: pd.DataFrame, found: IssueCollector) -> None:
    """Types OpportunityFieldHistory values by their field; marks other fields' rows skipped."""
    targets = {f: FIELD_TARGETS.get(normalise_header(f)) for f in out["field"].dropna().unique()}
    field = out["field"].map(targets)
    out["field"] = field
    out["_skip"] = field.isna()
    for column in ("old_value", "new_value"):
        if column not in out:
            out[column] = pd.Series(pd.NA, index=out.index, dtype="object")
        raw = out[column].astype("object")
        typed = raw.copy()
        amount = field.eq("amount").fillna(False).astype(bool) & raw.notna()
        if amount.any():
            value, bad, _ = parse_amounts(raw[amount].astype("str"), plan.decimal)
            typed[amount] = value
            found.add(bad.reindex(out.index, fill_value=False), column, raw, "a number")
        category = field.eq("forecast_category").fillna(False).astype(bool) & raw.notna()
        typed[category] = forecast_categories(raw[category])
        dated = field.eq("expected_close_date").fillna(False).astype(bool) & raw.notna()
        if dated.any():
            value = parse_dates(raw[dated].astype("str"), "%Y-%m-%d")
            typed[dated] = value
            bad = value.isna().reindex(out.index, fill_value=False)
            found.add(bad, column, raw, "a date (YYYY-MM-DD)")
        out[column] = typed


def _repeats(plan: FilePlan, out: pd.DataFrame, found: IssueCollector) -> None:
    """Warns of rows repeating an earlier row's change exactly; they are counted once."""
    keys = [c for c in out.columns if not c.startswith("_") and c != "external_id"]
    keys.append(TIMESTAMP)
    # only the compared columns as text (the whole chunk as text was a copy of every column)
    repeated = out[keys].astype("string").duplicated(keep="first")
    found.add(
        repeated,
        "opportunity_external_id",
        out["opportunity_external_id"],
        "a change not already in the file (an exact repeat: counted once)",
        WARNING,
    )
    out["_skip"] = out.get("_skip", pd.Series(False, index=out.index)) | repeated


def check_history(
    plan: FilePlan, out: pd.DataFrame, found: IssueCollector, context: ValidationContext
) -> pd.DataFrame:
    """Returns typed history rows (with `_skip` for rows not written); records what is wrong."""
    _check_deals(out, found, context)
    _check_stage(plan, out, found, context)
    if "forecast_category" in out:
        out["forecast_category"] = forecast_categories(out["forecast_category"])
    if "field" in out:
        _field_values(plan, out, found)
    _repeats(plan, out, found)
    return out


def _state_rows(rows: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Returns one state per change row (replaying field changes onto the initial state)."""
    if "field" not in rows:
        states = rows.copy()
        for column in STATE_COLUMNS:
            if column not in states:
                states[column] = states["opportunity_id"].map(current[column])
        return states
    states = rows[["opportunity_id", "changed_at", TIMESTAMP]].copy()
    deals = rows["opportunity_id"].unique()
    created = current.loc[deals, "created_at"].to_numpy()
    start = pd.DataFrame({"opportunity_id": deals, "changed_at": created, TIMESTAMP: created})
    for column in STATE_COLUMNS:
        mine = rows["field"] == column
        earliest = rows[mine].drop_duplicates("opportunity_id", keep="first")
        initial = current[column].astype(object)
        initial.loc[earliest["opportunity_id"].to_numpy()] = earliest["old_value"].to_numpy()
        after = rows["new_value"].where(mine)
        after = after.groupby(rows["opportunity_id"]).ffill()
        states[column] = after.fillna(rows["opportunity_id"].map(initial))
        start[column] = start["opportunity_id"].map(initial)
    # the state before the first change holds from the deal's creation
    return pd.concat([start, states], ignore_index=True).sort_values(
        ["opportunity_id", TIMESTAMP], kind="stable"
    )


def deal_states(rows: pd.DataFrame, current: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Returns each deal's states, one per day: from its creation to its current state.

    Requires `rows` with opportunity_id, changed_at (day), `_changed_ts`, and the state
    columns or field/old_value/new_value; `current` indexed by opportunity_id with created_at,
    closed_at, outcome and the state columns. The first state also holds from the deal's
    creation; when the last state is not the deal's current one, the current state follows
    at its close date (closed deals) or the as-of date.
    """
    rows = rows.sort_values(["opportunity_id", TIMESTAMP, "changed_at"], kind="stable")
    states = _state_rows(rows, current)
    states = states.drop_duplicates(["opportunity_id", "changed_at"], keep="last")
    first = states.drop_duplicates("opportunity_id", keep="first")
    created = first["opportunity_id"].map(current["created_at"])
    earlier = created < first["changed_at"]
    opening = first[earlier].assign(changed_at=created[earlier])
    last = states.drop_duplicates("opportunity_id", keep="last").set_index("opportunity_id")
    now = current.loc[last.index]
    moved = pd.Series(False, index=last.index)
    for column in STATE_COLUMNS:
        differs = last[column].astype("string") != now[column].astype("string")
        moved |= differs.fillna(last[column].isna() != now[column].isna())
    closing = now[moved].reset_index()
    candidate = closing["closed_at"].where(closing["outcome"] != "open", as_of)
    latest = closing["opportunity_id"].map(last["changed_at"])
    # never before the last recorded change: on the same day the current state wins
    closing["changed_at"] = candidate.where(candidate > latest, latest)
    keep = ["opportunity_id", "changed_at", *STATE_COLUMNS]
    result = pd.concat([opening[keep], states[keep], closing[keep]], ignore_index=True)
    result = result.drop_duplicates(["opportunity_id", "changed_at"], keep="last")
    return result.sort_values(["opportunity_id", "changed_at"]).reset_index(drop=True)
