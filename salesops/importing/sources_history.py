"""Deal history exports: Salesforce OpportunityHistory and OpportunityFieldHistory.

Both become `opportunity_history` rows, so the pipeline review, the quarter call and every
point-in-time figure work from a real org's first import. OpportunityHistory rows are the
deal's whole state at each change; OpportunityFieldHistory rows are one field's old and
new value, replayed into states (salesops.importing.history_rows). Headers are accepted
as the API names them and as the report labels do.
"""

from __future__ import annotations

from salesops.importing.layouts import ISO_DATES, Layout

_SYSTEM = ("IsDeleted", "CreatedById", "CreatedBy.Name", "SystemModstamp", "DataType")

# Field names of OpportunityFieldHistory that move a deal's state, by the target they set.
FIELD_TARGETS = {
    "stagename": "stage",
    "stage": "stage",
    "amount": "amount",
    "closedate": "expected_close_date",
    "close date": "expected_close_date",
    "forecastcategoryname": "forecast_category",
    "forecastcategory": "forecast_category",
    "forecast category": "forecast_category",
}

SALESFORCE_OPPORTUNITY_HISTORY = Layout(
    key="salesforce-opportunity-history",
    source="salesforce",
    entity="opportunity_history",
    label="Salesforce OpportunityHistory (stage history)",
    columns={
        "external_id": ("Id", "History ID"),
        "opportunity_external_id": ("OpportunityId", "Opportunity ID", "Opportunity.Id"),
        "changed_at": ("CreatedDate", "Last Modified", "Edit Date", "Created Date"),
        "stage": ("StageName", "Stage", "To Stage"),
        "amount": ("Amount",),
        "expected_close_date": ("CloseDate", "Close Date"),
        "forecast_category": ("ForecastCategory", "Forecast Category"),
    },
    required=("opportunity_external_id", "changed_at", "stage"),
    date_formats=ISO_DATES,
    ignored=(*_SYSTEM, "Probability", "ExpectedRevenue", "PrevAmount", "PrevCloseDate"),
    notes=(
        "Each row is the deal's state from that day: it replaces the history the deal's own "
        "import inferred (opened at creation, closed at its close date).",
    ),
)

SALESFORCE_FIELD_HISTORY = Layout(
    key="salesforce-opportunity-field-history",
    source="salesforce",
    entity="opportunity_history",
    label="Salesforce OpportunityFieldHistory (field changes)",
    columns={
        "external_id": ("Id",),
        "opportunity_external_id": ("OpportunityId", "Opportunity ID", "Opportunity.Id"),
        "changed_at": ("CreatedDate", "Edit Date", "Created Date"),
        "field": ("Field", "Field / Event", "Field/Event"),
        "old_value": ("OldValue", "Old Value"),
        "new_value": ("NewValue", "New Value"),
    },
    required=("opportunity_external_id", "changed_at", "field", "new_value"),
    date_formats=ISO_DATES,
    ignored=_SYSTEM,
    notes=(
        "Changes of StageName, Amount, CloseDate and ForecastCategoryName are replayed into "
        "the deal's states; other fields' changes are skipped.",
    ),
)

HISTORY_LAYOUTS = (SALESFORCE_OPPORTUNITY_HISTORY, SALESFORCE_FIELD_HISTORY)
