"""The rules an opportunity row must meet: a known stage, an outcome, consistent dates.

Each rule is one step of `check_opportunities`, run in this order (later rules skip rows an
earlier one already reported): stage and outcome, close dates, created dates (from the file,
the cycle length, the lead or the as-of date), then the date checks. Layout options (see
`salesops.importing.layouts.Layout`) switch on the steps a dataset needs.
"""

from __future__ import annotations

import pandas as pd

from salesops.importing.issues import WARNING, IssueCollector, RowIssue
from salesops.importing.key_dates import KeyDates
from salesops.importing.layouts import OUTCOMES, Layout, StageRule
from salesops.importing.plan import FilePlan, ValidationContext
from salesops.importing.reading import normalise_header

# Stages already in the database sort after the layout's own, open ones at even odds.
KNOWN_STAGE_ORDER = 1000

# Forecast categories as CRMs write them -> ours (Salesforce's API value "Forecast" is Commit).
FORECAST_CATEGORY_NAMES = {
    "pipeline": "pipeline",
    "best case": "best_case",
    "bestcase": "best_case",
    "commit": "commit",
    "forecast": "commit",
    "closed": "closed",
    "omitted": "omitted",
}


def product_key(name: str) -> str:
    """Returns a product name as matched across files ("GTXPro" and "GTX Pro" are one)."""
    return normalise_header(name).replace(" ", "")


def _value_at_list_price(
    plan: FilePlan, out: pd.DataFrame, found: IssueCollector, context: ValidationContext
) -> None:
    """Values open deals without an amount at their product's list price, with one note.

    The product is the deal's `name` (Maven's product column); deals of products without
    a list price keep no amount.
    """
    if not plan.layout.options.get("open_amount_from_list_price") or "name" not in out:
        return
    if "amount" not in out:
        out["amount"] = pd.Series(float("nan"), index=out.index, dtype="float64")
    price = (
        out["name"]
        .map(lambda n: context.list_prices.get(product_key(n)), na_action="ignore")
        .astype("float64")
    )
    valued = (out["outcome"] == "open") & out["amount"].isna() & price.notna()
    if not valued.any():
        return
    out["amount"] = out["amount"].where(~valued, price)
    found.issues.append(
        RowIssue(
            plan.file,
            None,
            plan.raw_header("amount"),
            "",
            f"an amount: {int(valued.sum())} open deals are valued at their product's list "
            "price (products.csv)",
            WARNING,
        )
    )


def _outcome_from_flags(out: pd.DataFrame, found: IssueCollector) -> None:
    """Sets `outcome` from IsClosed/IsWon flags (when the file has them and no outcome column).

    Records a deal flagged won but not closed.
    """
    if "outcome" in out or "is_closed" not in out:
        return
    closed = out["is_closed"]
    won = out["is_won"] if "is_won" in out else pd.Series(pd.NA, index=out.index, dtype="boolean")
    outcome = pd.Series(pd.NA, index=out.index, dtype="object")
    outcome = outcome.mask(closed.eq(False).fillna(False).astype(bool), "open")
    outcome = outcome.mask((closed & won).fillna(False).astype(bool), "won")
    outcome = outcome.mask((closed & ~won).fillna(False).astype(bool), "lost")
    contradiction = (won & ~closed).fillna(False).astype(bool)
    shown = won.map({True: "true", False: "false"}, na_action="ignore")
    found.add(contradiction, "is_won", shown, "IsWon true only on a closed deal")
    out["outcome"] = outcome.where(~contradiction)
    for column in ("is_closed", "is_won"):
        if column in out:
            del out[column]


def forecast_categories(values: pd.Series) -> pd.Series:
    """Returns forecast categories as ours (best_case, commit, ...); unknown ones as written."""
    ours = {v: FORECAST_CATEGORY_NAMES.get(normalise_header(v)) for v in values.dropna().unique()}
    return values.map(ours).fillna(values)


def _forecast_categories(out: pd.DataFrame) -> None:
    """Writes the deals' forecast categories as ours."""
    if "forecast_category" in out:
        out["forecast_category"] = forecast_categories(out["forecast_category"])


def _stage_rules(layout: Layout, context: ValidationContext) -> dict[str, StageRule]:
    """Returns {normalised stage value: rule}: the layout's stages, then those already known."""
    rules = {normalise_header(k): v for k, v in layout.stages.items()}
    for order, (name, outcome) in enumerate(context.known_stages.items(), start=KNOWN_STAGE_ORDER):
        rules.setdefault(
            normalise_header(name), StageRule(name, outcome, 0.5 if outcome == "open" else 0, order)
        )
    return rules


def _stage_values(layout: Layout, out: pd.DataFrame) -> pd.Series:
    """Returns each row's stage as written (the layout's one stage for one-outcome files)."""
    if layout.options.get("outcome_default") and "stage" not in out:
        rule = next(iter(layout.stages.values()))
        return pd.Series(rule.stage, index=out.index, dtype="object")
    if "stage" in out:
        return out["stage"]
    return pd.Series(pd.NA, index=out.index, dtype="object")


def _outcome_column(layout: Layout, out: pd.DataFrame, found: IssueCollector) -> pd.Series | None:
    """Returns the outcome read from an outcome column (None without one); records bad values."""
    if "outcome" not in out:
        return None
    if layout.outcome_values:
        values = {normalise_header(k): v for k, v in layout.outcome_values.items()}
        written = out["outcome"].dropna().unique()
        outcome = out["outcome"].map({v: values.get(normalise_header(v)) for v in written})
        if "" in values:  # the mapping gives blank outcome cells a meaning (usually "open")
            outcome = outcome.where(out["outcome"].notna(), values[""])
        expected = f"one of {', '.join(layout.outcome_values)}"
    else:
        folded = out["outcome"].str.casefold()
        outcome = folded.where(folded.isin(OUTCOMES))
        expected = "open, won or lost"
    found.add(out["outcome"].notna() & outcome.isna(), "outcome", out["outcome"], expected)
    return outcome


def _apply_stages(
    layout: Layout, out: pd.DataFrame, found: IssueCollector, context: ValidationContext
) -> None:
    """Sets stage, outcome, probability and sort_order; records unknown and missing stages."""
    rules = _stage_rules(layout, context)
    stage_raw = _stage_values(layout, out)
    rule_of = {v: rules.get(normalise_header(v)) for v in stage_raw.dropna().unique()}
    known = {v: r for v, r in rule_of.items() if r is not None}

    def per_rule(attribute: str) -> pd.Series:
        """Returns each row's rule attribute (NA where its stage has no rule)."""
        return stage_raw.map({v: getattr(r, attribute) for v, r in known.items()})

    outcome_from_column = _outcome_column(layout, out, found)
    unknown = stage_raw.notna() & ~stage_raw.isin(list(known)) & ~found.failed_on("is_won")
    if outcome_from_column is not None:
        # With an explicit outcome column, new stage names are accepted and created.
        unknown &= outcome_from_column.isna()
    names = ", ".join(dict.fromkeys(r.stage for r in layout.stages.values())) or "a known stage"
    found.add(unknown, "stage", stage_raw, f"a known stage ({names})")
    found.add(stage_raw.isna(), "stage", stage_raw, "a stage")
    out["stage"] = per_rule("stage").astype(object).fillna(stage_raw)
    outcome = per_rule("outcome")
    if outcome_from_column is not None:
        outcome = outcome_from_column.fillna(outcome)
    default_outcome = layout.options.get("outcome_default")
    if default_outcome:
        outcome = outcome.fillna(default_outcome)
    out["outcome"] = outcome
    out["probability"] = per_rule("probability").astype("float64")
    out["sort_order"] = per_rule("sort_order").astype("Int64")


def _settle_close_dates(plan: FilePlan, out: pd.DataFrame, closed: pd.Series) -> None:
    """Sets closed_at for closed deals from the expected or as-of date where the layout says so.

    An open deal has no close date, whatever the export says.
    """
    options = plan.layout.options
    for target in ("created_at", "closed_at", "expected_close_date"):
        if target not in out:
            out[target] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    if options.get("closed_at_from_expected"):
        out["closed_at"] = out["closed_at"].where(
            out["closed_at"].notna() | ~closed, out["expected_close_date"]
        )
    if options.get("closed_at_default") == "as_of":
        as_of = pd.Timestamp(plan.as_of)
        out["closed_at"] = out["closed_at"].where(out["closed_at"].notna() | ~closed, as_of)
    out["closed_at"] = out["closed_at"].where(closed)


def _created_from_lead(
    out: pd.DataFrame, found: IssueCollector, context: ValidationContext
) -> None:
    """Sets created_at to the linked lead's created date; records links to unknown leads."""
    lead_ids = out["lead_external_id"]
    from_lead = KeyDates.of(context.lead_created).lookup(lead_ids)
    found.add(
        lead_ids.notna() & from_lead.isna(),
        "lead_external_id",
        lead_ids,
        "a lead imported earlier or in the same batch (import the leads file first)",
    )
    out["created_at"] = from_lead


def _undated_at_as_of(
    plan: FilePlan, out: pd.DataFrame, found: IssueCollector, closed: pd.Series
) -> None:
    """Dates open deals without a created date at the as-of date, with one file warning."""
    undated = out["created_at"].isna() & ~closed & ~found.failed_on("created_at")
    if not undated.any():
        return
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
    out["created_at"] = out["created_at"].where(~undated, pd.Timestamp(plan.as_of))


def _settle_created_dates(
    plan: FilePlan,
    out: pd.DataFrame,
    found: IssueCollector,
    context: ValidationContext,
    closed: pd.Series,
) -> None:
    """Sets created_at where the file gives none: from the cycle length, the lead or as-of."""
    options = plan.layout.options
    if "cycle_days" in out:
        days = pd.to_timedelta(out["cycle_days"].astype("float64"), unit="D")
        derived = out["closed_at"] - days
        out["created_at"] = out["created_at"].where(out["created_at"].notna(), derived)
    if options.get("created_at_from_lead"):
        _created_from_lead(out, found, context)
    if options.get("created_at_fallback") == "as_of":
        _undated_at_as_of(plan, out, found, closed)


def _check_dates(
    plan: FilePlan, out: pd.DataFrame, found: IssueCollector, closed: pd.Series
) -> None:
    """Records deals without a created date, closed deals without a close date, and reversals.

    Rows already reported for a date they derive from are not reported twice.
    """
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


def check_opportunities(
    plan: FilePlan, out: pd.DataFrame, found: IssueCollector, context: ValidationContext
) -> pd.DataFrame:
    """Returns the typed deals with stage, outcome and dates settled; records what breaks a rule.

    Adds columns outcome, probability, sort_order (and rep, "<territory> team", for layouts
    without rep names).
    """
    _outcome_from_flags(out, found)
    _forecast_categories(out)
    _apply_stages(plan.layout, out, found, context)
    closed = out["outcome"].isin(["won", "lost"])
    _value_at_list_price(plan, out, found, context)
    _settle_close_dates(plan, out, closed)
    _settle_created_dates(plan, out, found, context, closed)
    _check_dates(plan, out, found, closed)
    if plan.layout.options.get("rep_per_territory") and "territory" in out:
        out["rep"] = out["territory"].map(lambda t: f"{t} team", na_action="ignore")
    return out
