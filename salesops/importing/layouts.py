"""Layouts: how each known export maps onto salesops tables, written as data.

A layout names the entity it fills (opportunities, accounts, leads, reps), the header
aliases for each target field, which targets are required, the date formats to try, and
how source stage/outcome values translate. Sources differ only in their layout; the
validation and writing code is shared. The known exports are tabled in
`salesops.importing.sources`; `generic` layouts come from a YAML/JSON mapping file
(`salesops.importing.mapping`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from salesops.importing.reading import normalise_header

# In the order a batch's files are written: what a row points at comes first.
ENTITIES = (
    "reps",
    "accounts",
    "leads",
    "products",
    "opportunities",
    "opportunity_history",
    "orders",
    "quotas",
    "spend",
    "activities",
)
OUTCOMES = ("open", "won", "lost")

# Target fields each entity accepts (beyond these, unknown source columns are ignored and listed).
TARGETS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "reps": (
            "external_id",
            "name",
            "email",
            "territory",
            "region",
            "manager",
            "hire_date",
            "end_date",
            "active",
            "weekly_capacity_hours",
            "annual_cost",
        ),
        "accounts": (
            "external_id",
            "name",
            "territory",
            "segment",
            "industry",
            "employees",
            "annual_potential",
            "created_at",
            "currency",
        ),
        "leads": (
            "external_id",
            "created_at",
            "channel",
            "status",
            "converted",
            "converted_at",
            "opportunity_external_id",
            "account",
            "rep",
        ),
        "opportunities": (
            "external_id",
            "name",
            "account",
            "account_external_id",
            "rep",
            "rep_external_id",
            "territory",
            "lead_external_id",
            "created_at",
            "expected_close_date",
            "closed_at",
            "cycle_days",
            "stage",
            "outcome",
            "amount",
            "currency",
            "forecast_category",
            "is_closed",
            "is_won",
        ),
        # One row per change of a deal (Salesforce OpportunityHistory / FieldHistory, HubSpot
        # deal-stage history): the deal it belongs to, when, and the state or field changed.
        "opportunity_history": (
            "external_id",
            "opportunity_external_id",
            "changed_at",
            "stage",
            "amount",
            "expected_close_date",
            "forecast_category",
            "field",
            "old_value",
            "new_value",
        ),
        # The `orders` table's columns (keyed by (source, external_id)) plus the customer and
        # deal they point at.
        "orders": (
            "external_id",
            "account",
            "account_external_id",
            "opportunity_external_id",
            "rep",
            "ordered_at",
            "invoiced_at",
            "paid_at",
            "amount",
            "gross_margin",
            "currency",
            "po_number",
            "billing_address",
            "shipping_address",
            "approval_requested_at",
            "approved_at",
            "approver",
        ),
        # Products and their list prices (value open deals without an amount; not stored).
        "products": ("name", "series", "list_price"),
        "spend": ("month", "channel", "kind", "amount", "currency"),
        "quotas": ("rep", "rep_external_id", "period_start", "period_end", "amount", "currency"),
        # Time logs: one row per logged activity, summed per rep, week and activity.
        "activities": (
            "rep",
            "rep_external_id",
            "activity_date",
            "activity",
            "hours",
            "duration_minutes",
            "seconds",
        ),
    }
)
DATE_TARGETS = frozenset(
    {
        "created_at",
        "expected_close_date",
        "closed_at",
        "converted_at",
        "hire_date",
        "end_date",
        "changed_at",
        "ordered_at",
        "invoiced_at",
        "paid_at",
        "approval_requested_at",
        "approved_at",
        "month",
        "period_start",
        "period_end",
        "activity_date",
    }
)
AMOUNT_TARGETS = frozenset(
    {"amount", "annual_potential", "annual_cost", "gross_margin", "list_price"}
)
INTEGER_TARGETS = frozenset({"employees", "cycle_days"})
NUMBER_TARGETS = frozenset({"weekly_capacity_hours", "hours", "duration_minutes", "seconds"})

US_OR_EU_DATES = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y")
ISO_DATES = ("%Y-%m-%d",)


@dataclass(frozen=True)
class StageRule:
    """How one source stage value lands: our stage name, outcome, probability and order."""

    stage: str
    outcome: str
    probability: float
    sort_order: int


@dataclass(frozen=True)
class Layout:
    """One export layout: entity, header aliases, required targets, dates and value maps.

    Options (all optional, set only where a dataset needs them):
    `created_at_fallback="as_of"` (open deals without a date start at the as-of date),
    `closed_at_default="as_of"` (closed deals without dates close at the as-of date),
    `created_at_from_lead=True` (creation date is the linked lead's),
    `outcome_default` (every row has this outcome, e.g. a won-deals-only file),
    `rep_per_territory=True` (no rep names: one "<territory> team" rep per territory),
    `converts_leads=True` (each row marks its lead converted at closed_at),
    `open_amount_from_list_price=True` (open deals without an amount are valued at their
    product's list price, from a products file of the batch),
    `territory_from_deals=True` (at the batch's end, the source's accounts without a
    territory take the territory of the reps holding most of their deals; see
    salesops.importing.account_territories; a generic mapping may set it too).
    """

    key: str
    source: str
    entity: str
    label: str
    columns: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]
    date_formats: tuple[str, ...] = US_OR_EU_DATES
    stages: Mapping[str, StageRule] = field(default_factory=dict)
    outcome_values: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, object] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    # Regular expressions (on normalised headers) of further columns the layout reads,
    # such as HubSpot's one "date entered" column per deal stage.
    column_patterns: tuple[str, ...] = ()

    def known_headers(self) -> frozenset[str]:
        """Returns every normalised header the layout knows: aliases and deliberately ignored."""
        return frozenset(self.alias_index()) | {normalise_header(c) for c in self.ignored}

    def alias_index(self) -> dict[str, str]:
        """Returns {normalised source header: target} for every alias of every target."""
        index: dict[str, str] = {}
        for target, aliases in self.columns.items():
            for alias in (target, *aliases):
                index.setdefault(normalise_header(alias), target)
        return index


def stage_table(
    *rows: tuple[str, str, float] | tuple[str, str, float, str],
) -> dict[str, StageRule]:
    """Returns a stage table from (source value, outcome, probability[, our stage name]) rows."""
    rules: dict[str, StageRule] = {}
    for order, row in enumerate(rows, start=1):
        value, outcome, probability = row[0], row[1], row[2]
        name = row[3] if len(row) > 3 else value
        rules[value] = StageRule(name, outcome, probability, order)
    return rules


BOOLEAN_TRUE = frozenset({"true", "yes", "y", "1", "t", "x", "converted"})
BOOLEAN_FALSE = frozenset({"false", "no", "n", "0", "f"})
# Targets read as true/false flags (anything else is a row error).
BOOLEAN_TARGETS = frozenset({"is_closed", "is_won", "active"})


def match_columns(layout: Layout, columns: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """Returns ({target: normalised source column}, [unknown source columns]) for a header.

    The first source column matching any alias of a target wins; a column can serve several
    targets (Maven's `account` is both the account's id and its name).
    """
    index = layout.known_headers()
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for target, aliases in layout.columns.items():
        for alias in (*aliases, target):
            wanted = normalise_header(alias)
            if wanted in columns:
                mapping[target] = wanted
                used.add(wanted)
                break
    unknown = [
        c
        for c in columns
        if c not in used
        and c not in index
        and not any(re.fullmatch(p, c) for p in layout.column_patterns)
    ]
    return mapping, unknown


def missing_columns_sentence(
    file_name: str, layout: Layout, missing: list[str], unknown: list[str]
) -> str:
    """Returns the rejection sentence naming missing targets (with their headers) and unknowns."""
    wanted = "; ".join(
        f"{t} (as {' or '.join(repr(a) for a in layout.columns.get(t, (t,))[:3])})" for t in missing
    )
    extra = f" Unknown columns: {', '.join(unknown[:12])}." if unknown else ""
    prefix = f"{file_name}: " if file_name else ""
    return (
        f"{prefix}missing required column(s) for {layout.label}: {wanted}.{extra} "
        "Check the delimiter and source, or use the generic source with a mapping file."
    )
