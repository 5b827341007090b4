"""The known exports, as data: Salesforce, HubSpot and the shared datasets (Maven, IBM, Olist).

Each layout says which entity a file fills, the header aliases of each target field, the
required targets, the date formats to try and how its stage values translate. SOURCES lists
the layouts `salesops import SOURCE` and the Data page try for each source name.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from salesops.importing.hubspot_stages import ENTERED_PATTERNS
from salesops.importing.layouts import ISO_DATES, Layout, stage_table
from salesops.importing.sources_api import API_LAYOUTS, SALESFORCE_STAGES
from salesops.importing.sources_entities import ENTITY_LAYOUTS
from salesops.importing.sources_history import HISTORY_LAYOUTS

HUBSPOT_STAGES = stage_table(
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
        column_patterns=ENTERED_PATTERNS,
        notes=(
            "Stage history: the 'Date entered <stage>' columns (hs_date_entered_*), where "
            "the export has them, become each deal's stage history.",
        ),
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
        stages=stage_table(
            ("Prospecting", "open", 0.10),
            ("Engaging", "open", 0.40),
            ("Won", "won", 1.0),
            ("Lost", "lost", 0.0),
        ),
        options=MappingProxyType(
            {
                "created_at_fallback": "as_of",
                "account_optional": True,
                "open_amount_from_list_price": True,
                "territory_from_deals": True,
            }
        ),
        notes=(
            "Prospecting deals have no dates: they are dated at the as-of date "
            "(latest date in the file unless you set one).",
            "Open deals have no amount: import products.csv in the same batch and they are "
            "valued at their product's list price (sales_price).",
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
        },
        required=("external_id", "name"),
        date_formats=ISO_DATES,
        options=MappingProxyType({"territory_from_deals": True}),
        notes=(
            "Annual revenue is the customer's own revenue, not its potential: not imported.",
            "office_location is the customer's HQ country, not a sales territory: not imported.",
            "Each account takes the regional office (Central, East, West) of the reps holding "
            "most of its deals (ties: the office created first) when its deals and reps are "
            "imported, in this batch or a later one.",
        ),
        ignored=("year_established", "revenue", "subsidiary_of", "office_location"),
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
        options=MappingProxyType({"territory_from_deals": True}),  # see maven-accounts
    )
)
_register(
    Layout(
        key="maven-products",
        source="maven",
        entity="products",
        label="Maven CRM products.csv",
        columns={"name": ("product",), "series": ("series",), "list_price": ("sales_price",)},
        required=("name", "list_price"),
        date_formats=ISO_DATES,
        notes=(
            "List prices value the open deals of sales_pipeline.csv imported in the same "
            "batch; the products themselves are not stored.",
        ),
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
        ignored=(
            "Supplies Group",
            "Route To Market",
            "Elapsed Days In Sales Stage",
            "Sales Stage Change Count",
            "Total Days Identified Through Qualified",
            "Client Size By Revenue",
            "Client Size By Employee Count",
            "Revenue From Client Past Two Years",
            "Competitor Type",
            "Ratio Days Identified To Total Days",
            "Ratio Days Validated To Total Days",
            "Ratio Days Qualified To Total Days",
            "Deal Size Category",
        ),
        date_formats=ISO_DATES,
        stages=stage_table(("Won", "won", 1.0, "Closed Won"), ("Loss", "lost", 0.0, "Closed Lost")),
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
        ignored=("landing_page_id",),
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
        ignored=(
            "seller_id",
            "sdr_id",
            "lead_type",
            "lead_behaviour_profile",
            "has_company",
            "has_gtin",
            "average_stock",
            "business_type",
            "declared_product_catalog_size",
            "declared_monthly_revenue",
        ),
        date_formats=("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"),
        stages=stage_table(("Closed Won", "won", 1.0)),
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

for _layout in (*API_LAYOUTS, *HISTORY_LAYOUTS, *ENTITY_LAYOUTS):
    _register(_layout)

# SOURCE names accepted by `salesops import SOURCE FILE...` -> candidate layouts.
SOURCES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "salesforce": (
            "salesforce-opportunities",
            "salesforce-accounts",
            "salesforce-leads",
            *(layout.key for layout in API_LAYOUTS),
            *(layout.key for layout in HISTORY_LAYOUTS),
            "salesforce-api-tasks",
            "salesforce-api-events",
        ),
        "hubspot": ("hubspot-deals", "hubspot-companies", "hubspot-contacts"),
        "maven": (
            "maven-sales-pipeline",
            "maven-accounts",
            "maven-sales-teams",
            "maven-products",
        ),
        "ibm": ("ibm-win-loss",),
        "olist": ("olist-mqls", "olist-closed-deals"),
        "salesops": (
            "salesops-orders",
            "salesops-spend",
            "salesops-quotas",
            "salesops-reps",
            "salesops-timesheet",
        ),
        "odoo": ("odoo-sale-orders", "odoo-invoices"),
        "stripe": ("stripe-invoices",),
        "generic": (),
    }
)
