"""Layouts: how each known export maps onto salesops tables, written as data.

A layout names the entity it fills (opportunities, accounts, leads, reps), the header
aliases for each target field, which targets are required, the date formats to try, and
how source stage/outcome values translate. Sources differ only in their layout; the
validation and writing code is shared. `generic` layouts come from a YAML/JSON mapping
file (see `layout_from_mapping`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from salesops.importing.reading import ImportRejected, normalise_header

ENTITIES = ("reps", "accounts", "leads", "opportunities")
OUTCOMES = ("open", "won", "lost")

# Target fields each entity accepts (beyond these, unknown source columns are ignored and listed).
TARGETS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "reps": ("external_id", "name", "email", "territory", "region", "manager", "hire_date"),
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
        ),
    }
)
DATE_TARGETS = frozenset(
    {"created_at", "expected_close_date", "closed_at", "converted_at", "hire_date"}
)
AMOUNT_TARGETS = frozenset({"amount", "annual_potential"})
INTEGER_TARGETS = frozenset({"employees", "cycle_days"})

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
    `converts_leads=True` (each row marks its lead converted at closed_at).
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

    def alias_index(self) -> dict[str, str]:
        """Returns {normalised source header: target} for every alias of every target."""
        index: dict[str, str] = {}
        for target, aliases in self.columns.items():
            for alias in (target, *aliases):
                index.setdefault(normalise_header(alias), target)
        return index

    def stage_rule(self, value: str) -> StageRule | None:
        """Returns the rule for a source stage value (case/space-insensitive), or None."""
        return self._stage_index().get(normalise_header(value))

    def _stage_index(self) -> dict[str, StageRule]:
        return {normalise_header(k): v for k, v in self.stages.items()}


def _stages(*rows: tuple[str, str, float] | tuple[str, str, float, str]) -> dict[str, StageRule]:
    """Builds a stage table from (source value, outcome, probability[, our stage name]) rows."""
    rules: dict[str, StageRule] = {}
    for order, row in enumerate(rows, start=1):
        value, outcome, probability = row[0], row[1], row[2]
        name = row[3] if len(row) > 3 else value
        rules[value] = StageRule(name, outcome, probability, order)
    return rules


SALESFORCE_STAGES = _stages(
    ("Prospecting", "open", 0.10),
    ("Qualification", "open", 0.10),
    ("Needs Analysis", "open", 0.20),
    ("Value Proposition", "open", 0.50),
    ("Id. Decision Makers", "open", 0.60),
    ("Perception Analysis", "open", 0.70),
    ("Proposal/Price Quote", "open", 0.75),
    ("Negotiation/Review", "open", 0.90),
    ("Closed Won", "won", 1.0),
    ("Closed Lost", "lost", 0.0),
)
HUBSPOT_STAGES = _stages(
    ("Appointment Scheduled", "open", 0.20),
    ("Qualified To Buy", "open", 0.40),
    ("Presentation Scheduled", "open", 0.60),
    ("Decision Maker Bought-In", "open", 0.80),
    ("Contract Sent", "open", 0.90),
    ("Closed Won", "won", 1.0),
    ("Closed Lost", "lost", 0.0),
)
# HubSpot exports sometimes carry internal stage ids instead of labels.
HUBSPOT_STAGES.update(
    {
        "appointmentscheduled": HUBSPOT_STAGES["Appointment Scheduled"],
        "qualifiedtobuy": HUBSPOT_STAGES["Qualified To Buy"],
        "presentationscheduled": HUBSPOT_STAGES["Presentation Scheduled"],
        "decisionmakerboughtin": HUBSPOT_STAGES["Decision Maker Bought-In"],
        "contractsent": HUBSPOT_STAGES["Contract Sent"],
        "closedwon": HUBSPOT_STAGES["Closed Won"],
        "closedlost": HUBSPOT_STAGES["Closed Lost"],
    }
)
BOOLEAN_TRUE = frozenset({"true", "yes", "y", "1", "t", "x", "converted"})

LAYOUTS: dict[str, Layout] = {}


def _register(layout: Layout) -> Layout:
    LAYOUTS[layout.key] = layout
    return layout


_register(
    Layout(
        key="salesforce-opportunities",
        source="salesforce",
        entity="opportunities",
        label="Salesforce opportunities report",
        columns={
            "external_id": ("Opportunity ID", "Opportunity ID (18)", "Id"),
            "name": ("Opportunity Name",),
            "account": ("Account Name",),
            "account_external_id": ("Account ID",),
            "rep": ("Opportunity Owner", "Owner Full Name", "Owner Name", "Owner"),
            "lead_external_id": ("Converted Lead ID", "Lead ID"),
            "created_at": ("Created Date", "Create Date"),
            "closed_at": ("Closed Date", "Actual Close Date"),
            "expected_close_date": ("Close Date",),
            "stage": ("Stage", "Stage Name"),
            "amount": ("Amount", "Amount (converted)"),
            "currency": ("Opportunity Currency", "Amount Currency", "Currency"),
            "forecast_category": ("Forecast Category",),
            "territory": ("Territory", "Territory Name", "Sales Region"),
        },
        required=("external_id", "created_at", "stage", "expected_close_date"),
        stages=SALESFORCE_STAGES,
        options=MappingProxyType({"closed_at_from_expected": True}),
        notes=(
            "Salesforce's Close Date is the expected date for open deals and the actual date for "
            "closed ones; it becomes closed_at when the stage is closed.",
        ),
    )
)
_register(
    Layout(
        key="salesforce-accounts",
        source="salesforce",
        entity="accounts",
        label="Salesforce accounts report",
        columns={
            "external_id": ("Account ID", "Id"),
            "name": ("Account Name",),
            "territory": ("Territory", "Billing State/Province", "Billing Country"),
            "segment": ("Type", "Account Type", "Segment"),
            "industry": ("Industry",),
            "employees": ("Employees",),
            "annual_potential": ("Annual Revenue",),
            "created_at": ("Created Date",),
            "currency": ("Account Currency", "Annual Revenue Currency"),
        },
        required=("external_id", "name"),
    )
)
_register(
    Layout(
        key="salesforce-leads",
        source="salesforce",
        entity="leads",
        label="Salesforce leads report",
        columns={
            "external_id": ("Lead ID", "Id"),
            "created_at": ("Created Date", "Create Date"),
            "channel": ("Lead Source",),
            "status": ("Lead Status", "Status"),
            "converted": ("Converted",),
            "converted_at": ("Converted Date",),
            "opportunity_external_id": ("Converted Opportunity ID", "Opportunity ID"),
            "account": ("Company / Account", "Company", "Account Name"),
            "rep": ("Lead Owner", "Owner Full Name"),
        },
        required=("external_id", "created_at"),
    )
)
_register(
    Layout(
        key="hubspot-deals",
        source="hubspot",
        entity="opportunities",
        label="HubSpot deals export",
        columns={
            "external_id": ("Record ID", "Deal ID", "Record ID - Deal"),
            "name": ("Deal Name",),
            "account": ("Associated Company", "Company name", "Associated Company (Primary)"),
            "account_external_id": ("Associated Company IDs", "Associated Company ID"),
            "rep": ("Deal owner", "Deal Owner", "HubSpot Owner"),
            "created_at": ("Create Date", "Created Date"),
            "expected_close_date": ("Close Date",),
            "stage": ("Deal Stage", "Stage"),
            "amount": ("Amount", "Amount in company currency"),
            "currency": ("Currency", "Deal currency code"),
            "forecast_category": ("Forecast category",),
        },
        required=("external_id", "created_at", "stage"),
        date_formats=("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y"),
        stages=HUBSPOT_STAGES,
        options=MappingProxyType({"closed_at_from_expected": True}),
    )
)
_register(
    Layout(
        key="hubspot-companies",
        source="hubspot",
        entity="accounts",
        label="HubSpot companies export",
        columns={
            "external_id": ("Record ID", "Company ID", "Record ID - Company"),
            "name": ("Company name", "Name"),
            "territory": ("Country/Region", "State/Region", "Territory"),
            "segment": ("Type", "Company type"),
            "industry": ("Industry",),
            "employees": ("Number of Employees",),
            "annual_potential": ("Annual Revenue",),
            "created_at": ("Create Date", "Created Date"),
        },
        required=("external_id", "name"),
        date_formats=("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y"),
    )
)
_register(
    Layout(
        key="hubspot-contacts",
        source="hubspot",
        entity="leads",
        label="HubSpot contacts export",
        columns={
            "external_id": ("Record ID", "Contact ID", "Record ID - Contact"),
            "created_at": ("Create Date", "Created Date"),
            "channel": ("Original Source", "Original source", "Latest Source", "Lead source"),
            "status": ("Lead Status", "Lifecycle Stage"),
            "converted_at": ("Became an Opportunity Date", "Became a Customer Date"),
            "account": ("Associated Company", "Company Name"),
            "rep": ("Contact owner", "Contact Owner"),
        },
        required=("external_id", "created_at"),
        date_formats=("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y"),
    )
)
_register(
    Layout(
        key="maven-sales-pipeline",
        source="maven",
        entity="opportunities",
        label="Maven CRM sales_pipeline.csv",
        columns={
            "external_id": ("opportunity_id",),
            "rep": ("sales_agent",),
            "name": ("product",),
            "account": ("account",),
            "stage": ("deal_stage",),
            "created_at": ("engage_date",),
            "closed_at": ("close_date",),
            "amount": ("close_value",),
        },
        required=("external_id", "rep", "stage", "created_at", "closed_at", "amount"),
        date_formats=ISO_DATES,
        stages=_stages(
            ("Prospecting", "open", 0.10),
            ("Engaging", "open", 0.40),
            ("Won", "won", 1.0),
            ("Lost", "lost", 0.0),
        ),
        options=MappingProxyType({"created_at_fallback": "as_of", "account_optional": True}),
        notes=(
            "Prospecting deals have no dates: they are dated at the as-of date "
            "(latest date in the file unless you set one).",
            "Open deals have no amount (Maven keeps list prices in products.csv).",
            "No marketing or sales spend: CAC and LTV:CAC are undefined.",
            "No leads: lead-to-opportunity ratio is undefined.",
        ),
    )
)
_register(
    Layout(
        key="maven-accounts",
        source="maven",
        entity="accounts",
        label="Maven CRM accounts.csv",
        columns={
            "external_id": ("account",),
            "name": ("account",),
            "industry": ("sector",),
            "employees": ("employees",),
            "territory": ("office_location",),
        },
        required=("external_id", "name"),
        date_formats=ISO_DATES,
        notes=("Annual revenue is the customer's own revenue, not its potential: not imported.",),
    )
)
_register(
    Layout(
        key="maven-sales-teams",
        source="maven",
        entity="reps",
        label="Maven CRM sales_teams.csv",
        columns={
            "external_id": ("sales_agent",),
            "name": ("sales_agent",),
            "manager": ("manager",),
            "territory": ("regional_office",),
        },
        required=("external_id", "name", "territory"),
        date_formats=ISO_DATES,
    )
)
_register(
    Layout(
        key="ibm-win-loss",
        source="ibm",
        entity="opportunities",
        label="IBM Watson sales win/loss",
        columns={
            "external_id": ("Opportunity Number",),
            "name": ("Supplies Subgroup",),
            "territory": ("Region",),
            "stage": ("Opportunity Result",),
            "amount": ("Opportunity Amount USD",),
            "cycle_days": ("Total Days Identified Through Closing",),
        },
        required=("external_id", "territory", "stage", "amount", "cycle_days"),
        date_formats=ISO_DATES,
        stages=_stages(("Won", "won", 1.0, "Closed Won"), ("Loss", "lost", 0.0, "Closed Lost")),
        options=MappingProxyType({"closed_at_default": "as_of", "rep_per_territory": True}),
        notes=(
            "No dates: every deal closes at the as-of date and starts 'Total Days Identified "
            "Through Closing' earlier, so cycle length and win rate are right but monthly trends "
            "and forecasts are meaningless.",
            "No rep names: one '<Region> team' rep per region carries its deals.",
            "No spend or leads: CAC and lead-to-opportunity are undefined.",
            "55 exact duplicate rows and 141 repeated Opportunity Numbers: import with the "
            "'last row wins' duplicate rule (--duplicates last; on the Data page the "
            "'Duplicate ids: last row wins' setting).",
        ),
    )
)
_register(
    Layout(
        key="olist-mqls",
        source="olist",
        entity="leads",
        label="Olist marketing qualified leads",
        columns={
            "external_id": ("mql_id",),
            "created_at": ("first_contact_date",),
            "channel": ("origin",),
        },
        required=("external_id", "created_at", "channel"),
        date_formats=ISO_DATES,
        notes=(
            "'unknown' is kept as a channel of its own; an empty origin is a lead with no channel.",
        ),
    )
)
_register(
    Layout(
        key="olist-closed-deals",
        source="olist",
        entity="opportunities",
        label="Olist closed deals",
        columns={
            "external_id": ("mql_id",),
            "lead_external_id": ("mql_id",),
            "rep_external_id": ("sr_id",),
            "name": ("business_segment",),
            "closed_at": ("won_date",),
        },
        required=("external_id", "lead_external_id", "rep_external_id", "closed_at"),
        date_formats=("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"),
        stages=_stages(("Closed Won", "won", 1.0)),
        options=MappingProxyType(
            {"outcome_default": "won", "created_at_from_lead": True, "converts_leads": True}
        ),
        notes=(
            "Only won deals are recorded: win rate is not meaningful (use lead-to-opportunity).",
            "No deal amounts: bookings and pipeline value are undefined.",
            "Deals start at their lead's first contact date: import the MQL file first or in "
            "the same batch.",
        ),
    )
)

# SOURCE names accepted by `salesops import SOURCE FILE...` -> candidate layouts.
SOURCES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "salesforce": ("salesforce-opportunities", "salesforce-accounts", "salesforce-leads"),
        "hubspot": ("hubspot-deals", "hubspot-companies", "hubspot-contacts"),
        "maven": ("maven-sales-pipeline", "maven-accounts", "maven-sales-teams"),
        "ibm": ("ibm-win-loss",),
        "olist": ("olist-mqls", "olist-closed-deals"),
        "generic": (),
    }
)


def match_columns(layout: Layout, columns: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """Returns ({target: normalised source column}, [unknown source columns]) for a header.

    The first source column matching any alias of a target wins; a column can serve several
    targets (Maven's `account` is both the account's id and its name).
    """
    index = layout.alias_index()
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for target, aliases in layout.columns.items():
        for alias in (*aliases, target):
            wanted = normalise_header(alias)
            if wanted in columns:
                mapping[target] = wanted
                used.add(wanted)
                break
    unknown = [c for c in columns if c not in used and c not in index]
    return mapping, unknown


def choose_layout(source: str, columns: tuple[str, ...], file_name: str = "") -> Layout:
    """Returns the layout of `source` whose required columns the header satisfies best.

    `source` is a SOURCES name ("salesforce") or a layout key ("salesforce-leads"). Raises
    ImportRejected listing missing and unknown columns when no layout fits.
    """
    if source in LAYOUTS:
        candidates = [LAYOUTS[source]]
    elif source in SOURCES and SOURCES[source]:
        candidates = [LAYOUTS[key] for key in SOURCES[source]]
    elif source == "generic":
        raise ImportRejected("The generic source needs a mapping file (--mapping FILE).")
    else:
        known = ", ".join([*SOURCES, *LAYOUTS])
        raise ImportRejected(f"Unknown source '{source}': use one of {known}.")
    scored = []
    for order, layout in enumerate(candidates):
        mapping, unknown = match_columns(layout, columns)
        missing = [t for t in layout.required if t not in mapping]
        share = 1 - len(missing) / max(len(layout.required), 1)
        scored.append((-share, len(missing), len(unknown), order, layout, missing, unknown))
    scored.sort(key=lambda item: item[:4])
    _, n_missing, _, _, layout, missing, unknown = scored[0]
    if n_missing:
        raise ImportRejected(missing_columns_sentence(file_name, layout, missing, unknown))
    return layout


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


def _load_mapping_text(path: Path) -> dict:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        return json.loads(text)
    import yaml

    return yaml.safe_load(text)


def layout_from_mapping(mapping: Mapping[str, object] | str | Path) -> Layout:
    """Returns a generic Layout from a mapping dict or a YAML/JSON file.

    Keys: `entity` (required), `source` (default "generic"), `columns` {target: source header}
    (required), `required` (default: external_id + the entity's essentials), `date_format`
    (one strptime format, or a list to detect from), `stages` {source value: {stage, outcome,
    probability}}, `outcome_values` {source value: open|won|lost}, `options`.
    """
    if isinstance(mapping, str | Path):
        path = Path(mapping)
        try:
            data = _load_mapping_text(path)
        except (OSError, ValueError) as exc:
            raise ImportRejected(f"Cannot read mapping file {path.name}: {exc}") from exc
    else:
        data = dict(mapping)
    if not isinstance(data, dict):
        raise ImportRejected("A mapping file must hold a mapping (entity, columns, ...).")
    entity = data.get("entity")
    if entity not in ENTITIES:
        raise ImportRejected(f"Mapping 'entity' must be one of {', '.join(ENTITIES)}.")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise ImportRejected("Mapping 'columns' must map target fields to source headers.")
    unknown_targets = [t for t in columns if t not in TARGETS[entity]]
    if unknown_targets:
        raise ImportRejected(
            f"Mapping targets {', '.join(unknown_targets)} are not fields of {entity}; "
            f"use: {', '.join(TARGETS[entity])}."
        )
    default_required = {
        "reps": ("external_id", "name"),
        "accounts": ("external_id", "name"),
        "leads": ("external_id", "created_at"),
        "opportunities": ("external_id", "created_at", "stage"),
    }[entity]
    required = tuple(data.get("required") or [t for t in default_required if t in columns])
    date_format = data.get("date_format") or US_OR_EU_DATES
    formats = (date_format,) if isinstance(date_format, str) else tuple(date_format)
    stages: dict[str, StageRule] = {}
    for order, (value, rule) in enumerate((data.get("stages") or {}).items(), start=1):
        rule = rule if isinstance(rule, dict) else {"outcome": rule}
        outcome = str(rule.get("outcome", "open"))
        if outcome not in OUTCOMES:
            raise ImportRejected(f"Stage '{value}': outcome must be open, won or lost.")
        default_p = {"won": 1.0, "lost": 0.0}.get(outcome, 0.5)
        stages[str(value)] = StageRule(
            str(rule.get("stage", value)),
            outcome,
            float(rule.get("probability", default_p)),
            int(rule.get("sort_order", order)),
        )
    outcome_values = {str(k): str(v) for k, v in (data.get("outcome_values") or {}).items()}
    bad = [v for v in outcome_values.values() if v not in OUTCOMES]
    if bad:
        raise ImportRejected("Mapping 'outcome_values' must map to open, won or lost.")
    return Layout(
        key="generic",
        source=str(data.get("source", "generic")),
        entity=entity,
        label=f"generic {entity} mapping",
        columns={t: (str(c),) for t, c in columns.items()},
        required=required,
        date_formats=formats,
        stages=stages,
        outcome_values=outcome_values,
        options=MappingProxyType(dict(data.get("options") or {})),
    )
