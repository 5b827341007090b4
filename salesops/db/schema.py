"""The database schema: SQLAlchemy Core tables on one MetaData.

This is the only place the schema is written. Dates are UTC calendar dates;
money is numeric in the one currency named in settings. Rows that come from an
outside system carry `source` and `external_id` with a unique constraint on the
pair, so re-importing a file updates instead of duplicating.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
    true,
)

from salesops.db.schema_approvals import approval_rollup_tables
from salesops.db.schema_bookings import bookings_rollup_table
from salesops.db.schema_cash import cash_rollup_table, cycle_summary_tables
from salesops.db.schema_daily import DailyRollups, daily_rollup_tables
from salesops.db.schema_orders import order_rollup_tables, status_scopes_table
from salesops.db.schema_receivables import receivables_rollup_table
from salesops.db.schema_review import review_rollup_table, stage_stays_table
from salesops.numbers import MONEY_PRECISION, MONEY_SCALE

# 2: rollups for stage outcomes and rep activity.
# 3: history spans for the weekly pipeline review; weekly won deals and open pipeline
#    for the forecast.
# 4: running activity totals per rep and monthly hours per territory for the Rep time page.
SCHEMA_VERSION = 4

metadata = MetaData()

Money = Numeric(MONEY_PRECISION, MONEY_SCALE, asdecimal=False)


def _source_columns() -> list[Column]:
    return [
        Column("source", String(40), nullable=False, server_default="manual"),
        Column("external_id", String(120)),
    ]


def _deal_state_columns() -> list[Column]:
    """A deal's state as one opportunity_history row records it (the spans copy it)."""
    return [
        Column("stage", String(60), nullable=False),
        Column("outcome", String(8), nullable=False),  # open / won / lost
        Column("amount", Money),
        Column("expected_close_date", Date),
        Column("forecast_category", String(20)),
    ]


territories = Table(
    "territories",
    metadata,
    Column("id", Integer, primary_key=True),
    *_source_columns(),
    Column("name", String(120), nullable=False),
    Column("region", String(80)),
    Column("segment", String(40)),
    UniqueConstraint("source", "external_id", name="uq_territories_source_external_id"),
)

reps = Table(
    "reps",
    metadata,
    Column("id", Integer, primary_key=True),
    *_source_columns(),
    Column("name", String(120), nullable=False),
    Column("email", String(200)),
    Column("territory_id", ForeignKey("territories.id"), index=True),
    Column("manager", String(120)),
    Column("hire_date", Date),
    Column("end_date", Date),
    Column("annual_quota", Money),
    Column("weekly_capacity_hours", Float),
    Column("annual_cost", Money),
    UniqueConstraint("source", "external_id", name="uq_reps_source_external_id"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    *_source_columns(),
    Column("name", String(200), nullable=False),
    Column("territory_id", ForeignKey("territories.id"), index=True),
    Column("segment", String(40)),
    Column("industry", String(80)),
    Column("employees", Integer),
    Column("annual_potential", Money),
    Column("created_at", Date, index=True),
    UniqueConstraint("source", "external_id", name="uq_accounts_source_external_id"),
    # Covering index for the territory page's accounts-per-(territory, segment) GROUP BY.
    Index("ix_accounts_territory_segment_potential", "territory_id", "segment", "annual_potential"),
)

stages = Table(
    "stages",
    metadata,
    Column("name", String(60), primary_key=True),
    Column("sort_order", Integer, nullable=False),
    Column("probability", Float, nullable=False),
    Column("is_closed", Boolean, nullable=False),
    Column("is_won", Boolean, nullable=False),
)

leads = Table(
    "leads",
    metadata,
    Column("id", Integer, primary_key=True),
    *_source_columns(),
    Column("created_at", Date, nullable=False, index=True),
    Column("channel", String(60), index=True),
    Column("account_id", ForeignKey("accounts.id"), index=True),
    Column("rep_id", ForeignKey("reps.id"), index=True),
    Column("status", String(40)),
    Column("converted_at", Date),
    # No FK: opportunities.lead_id already points back, and a cycle would block bulk loads.
    Column("opportunity_id", Integer, index=True),
    UniqueConstraint("source", "external_id", name="uq_leads_source_external_id"),
)

opportunities = Table(
    "opportunities",
    metadata,
    Column("id", Integer, primary_key=True),
    *_source_columns(),
    Column("name", String(200)),
    Column("account_id", ForeignKey("accounts.id"), index=True),
    Column("rep_id", ForeignKey("reps.id"), index=True),
    Column("lead_id", ForeignKey("leads.id"), index=True),
    Column("created_at", Date, nullable=False, index=True),
    Column("expected_close_date", Date, index=True),
    Column("closed_at", Date, index=True),
    Column("stage", ForeignKey("stages.name"), nullable=False),
    Column("outcome", String(8), nullable=False),  # open / won / lost
    Column("amount", Money),
    Column("forecast_category", String(20)),  # pipeline / best_case / commit / closed / omitted
    UniqueConstraint("source", "external_id", name="uq_opportunities_source_external_id"),
)

opportunity_history = Table(
    "opportunity_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("opportunity_id", ForeignKey("opportunities.id", ondelete="CASCADE"), nullable=False),
    Column("changed_at", Date, nullable=False, index=True),
    *_deal_state_columns(),
    Index("ix_opportunity_history_opp_changed", "opportunity_id", "changed_at"),
)

acquisition_spend = Table(
    "acquisition_spend",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("month", Date, nullable=False, index=True),
    Column("channel", String(60), nullable=False),
    Column("kind", String(20), nullable=False),  # marketing / sales
    Column("amount", Money, nullable=False),
    UniqueConstraint("month", "channel", "kind", name="uq_acquisition_spend_month_channel_kind"),
)

# Covering the never-paid orders the Order-to-cash slow lists rank (migration 0020), by
# invoice date and per account. Partial (WHERE paid_at IS NULL): small, and no query that
# does not ask for never-paid orders can use them, so the rollups' plans are left alone;
# paid_at is a column too, or SQLite would not take them as covering. ix_orders_paid holds
# the same of every paid order, for the orders paid after an as-of date that the lists rank
# too (migration 0022): any comparison on paid_at implies its WHERE paid_at IS NOT NULL,
# so SQLite walks it for the payment leg of the cycle rollup too, which it covers. On
# PostgreSQL each includes the order's id (SQLite's indexes hold the rowid anyway).
NEVER_PAID_COLUMNS = (
    "paid_at", "invoiced_at", "ordered_at", "account_id", "rep_id", "opportunity_id", "amount",
)  # fmt: skip


def _never_paid_indexes() -> list[Index]:
    """Returns the never-paid indexes (by date; account first) and ix_orders_paid."""
    never_paid, paid = text("paid_at IS NULL"), text("paid_at IS NOT NULL")
    by_account = ("account_id", *(c for c in NEVER_PAID_COLUMNS if c != "account_id"))
    return [
        Index(name, *columns, sqlite_where=where, postgresql_where=where, postgresql_include=["id"])
        for name, columns, where in (
            ("ix_orders_never_paid", NEVER_PAID_COLUMNS, never_paid),
            ("ix_orders_account_never_paid", by_account, never_paid),
            ("ix_orders_paid", NEVER_PAID_COLUMNS, paid),
        )
    ]


orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True),
    *_source_columns(),
    Column("account_id", ForeignKey("accounts.id"), nullable=False, index=True),
    Column("opportunity_id", ForeignKey("opportunities.id"), index=True),
    # The rep credited (migration 0008): the booked deal's, or a repeat order's deal behind it.
    Column("rep_id", ForeignKey("reps.id"), index=True),
    Column("ordered_at", Date, nullable=False, index=True),
    Column("amount", Money, nullable=False),
    Column("gross_margin", Money),  # gross-margin amount in currency, not a fraction
    Column("invoiced_at", Date, index=True),  # index: migration 0006
    Column("paid_at", Date, index=True),
    # Captured up front or not (migration 0003): what order completeness checks.
    Column("po_number", String(80)),
    Column("billing_address", String(400)),
    Column("shipping_address", String(400)),
    # Order approval, where the order system records it (migration 0003).
    Column("approval_requested_at", DateTime),
    Column("approved_at", DateTime, index=True),  # index: migration 0015
    Column("approver", String(120)),
    UniqueConstraint("source", "external_id", name="uq_orders_source_external_id"),
    *_never_paid_indexes(),
)

activity_types = Table(
    "activity_types",
    metadata,
    Column("activity", String(60), primary_key=True),
    Column("category", String(20), nullable=False),  # selling / non_selling
    Column("is_back_office", Boolean, nullable=False),
)

activities = Table(
    "activities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("rep_id", ForeignKey("reps.id"), nullable=False, index=True),
    Column("week_start", Date, nullable=False, index=True),
    Column("activity", String(60), nullable=False),
    Column("hours", Float, nullable=False),
    Column("count", Integer),
    UniqueConstraint("rep_id", "week_start", "activity", name="uq_activities_rep_week_activity"),
)

quotas = Table(
    "quotas",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("rep_id", ForeignKey("reps.id"), nullable=False, index=True),
    Column("period_start", Date, nullable=False, index=True),  # first day of the quota month
    Column("amount", Money, nullable=False),
    UniqueConstraint("rep_id", "period_start", name="uq_quotas_rep_period"),
)

import_batches = Table(
    "import_batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("file_name", String(300), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("imported_at", DateTime, nullable=False),
    Column("status", String(20), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_inserted", Integer, nullable=False),
    Column("rows_updated", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    Column("run_id", Integer, index=True),  # the import run that wrote it (migration 0004)
    UniqueConstraint("sha256", "entity", name="uq_import_batches_sha256_entity"),
)

# One import run (all its files in one transaction) and what it changed, so it can be undone
# (salesops.importing.undo; migration 0004).
import_runs = Table(
    "import_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime, nullable=False),
    Column("actor", String(254)),
    Column("files", String(2000), nullable=False),
    Column("status", String(20), nullable=False),  # imported / undone
    Column("message", String(400)),
    Column("undone_at", DateTime),
    Column("undone_by", String(254)),
)

import_changes = Table(
    "import_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("import_runs.id"), nullable=False, index=True),
    Column("table_name", String(60), nullable=False),
    # inserted: ids in (row_id, row_id_end]; updated / deleted: row row_id as it was (before);
    # inserted_key: a row named `key` (stages, activity types)
    Column("kind", String(20), nullable=False),
    Column("row_id", Integer),
    Column("row_id_end", Integer),
    Column("key", String(200)),
    Column("before", Text),
)

# Who may sign in and what they see (salesops.access); managed with `salesops users`.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),  # stored lower-case
    Column("name", String(120)),
    Column("role", String(20), nullable=False),  # admin / leader / manager / rep / analyst
    # What a manager or rep is bound to. No foreign keys: a binding to a team, territory
    # or rep that was since deleted must still load, so the sign-in can say so clearly.
    Column("team", String(120)),  # a manager's team: reps.manager
    Column("territory_ids", String(400)),  # comma-separated territory ids
    Column("rep_id", Integer),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# Who changed data, settings or users, and when (salesops.access.audit).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("actor", String(254), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target", String(300)),
    Column("detail", String(2000)),
)

salesops_meta = Table(
    "salesops_meta",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("value", String(200), nullable=False),
)

# Forecast results fitted on load and import (salesops.forecast.stored), each under the hash
# of its series and parameters, so pages read them instead of waiting for a Prophet fit.
stored_forecasts = Table(
    "stored_forecasts",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("result", Text, nullable=False),
    Column("stored_at", DateTime, nullable=False),
)

# Rollups: pre-aggregated monthly facts, rebuilt by salesops.db.rollups after every
# load or import, so the KPI page reads thousands of rows instead of millions.
rollup_closed_opportunities = Table(
    "rollup_closed_opportunities",
    metadata,
    Column("month", Date, nullable=False, index=True),
    Column("rep_id", Integer),
    Column("territory_id", Integer),
    Column("segment", String(40)),
    Column("channel", String(60)),
    Column("won", Integer, nullable=False),
    Column("lost", Integer, nullable=False),
    Column("won_amount", Float, nullable=False),
    Column("won_cycle_days", Float, nullable=False),
    Column("lost_cycle_days", Float, nullable=False),
    Column("won_lead_cycle_days", Float, nullable=False),
    Column("won_with_lead", Integer, nullable=False),
    # covers the Rep time page's bookings per rep and month (the ramp curve)
    Index("ix_rollup_closed_opportunities_rep_month", "rep_id", "month", "won", "won_amount"),
)

# Won deals counted by whole cycle days: the exact median cycle without reading deals.
rollup_won_cycle_days = Table(
    "rollup_won_cycle_days",
    metadata,
    Column("month", Date, nullable=False, index=True),
    Column("territory_id", Integer),
    Column("segment", String(40)),
    Column("cycle_days", Integer, nullable=False),
    Column("deals", Integer, nullable=False),
)

rollup_leads = Table(
    "rollup_leads",
    metadata,
    Column("month", Date, nullable=False, index=True),
    Column("rep_id", Integer),
    Column("territory_id", Integer),
    Column("segment", String(40)),
    Column("channel", String(60)),
    Column("leads", Integer, nullable=False),
    Column("converted", Integer, nullable=False),
)

rollup_customers = Table(
    "rollup_customers",
    metadata,
    Column("month", Date, nullable=False, index=True),
    Column("territory_id", Integer),
    Column("segment", String(40)),
    Column("channel", String(60)),
    Column("rep_id", Integer),
    Column("new_customers", Integer, nullable=False),
)

rollup_order_months = Table(
    "rollup_order_months",
    metadata,
    Column("month", Date, nullable=False, index=True),
    Column("territory_id", Integer),
    Column("segment", String(40)),
    Column("revenue", Float, nullable=False),
    Column("gross_margin", Float, nullable=False),  # from orders that carry a margin
    Column("revenue_without_margin", Float, nullable=False),  # gets the configured default
)

# One row per (territory, segment, first order month, last order month): enough to count
# active and churned customers for any inactivity window at query time.
rollup_customer_lifespans = Table(
    "rollup_customer_lifespans",
    metadata,
    Column("territory_id", Integer),
    Column("segment", String(40)),
    Column("first_month", Date, nullable=False),
    Column("last_month", Date, nullable=False),
    Column("customers", Integer, nullable=False),
)

# Closed deals counted per stage they ever passed through (once per deal and stage), by close
# month: the measured stage-to-win conversion without re-reading the whole history.
rollup_stage_outcomes = Table(
    "rollup_stage_outcomes",
    metadata,
    Column("month", Date, nullable=False, index=True),
    Column("rep_id", Integer),
    Column("territory_id", Integer),
    Column("segment", String(40)),
    Column("stage", String(60), nullable=False),
    Column("reached", Integer, nullable=False),
    Column("won", Integer, nullable=False),
)

# Rep time: activity hours by month and rep (a rep's or team's monthly trend), and by week
# or month and the rep's territory (the weekly and monthly trend of territories, segments
# and the company); a week belongs to its Monday's month.
rollup_activity_months = Table(
    "rollup_activity_months",
    metadata,
    Column("month", Date, nullable=False, index=True),
    Column("rep_id", Integer, nullable=False, index=True),
    Column("activity", String(60), nullable=False),
    Column("hours", Float, nullable=False),
    Column("count", Integer),
)

rollup_activity_weeks = Table(
    "rollup_activity_weeks",
    metadata,
    Column("week_start", Date, nullable=False, index=True),
    Column("territory_id", Integer),
    Column("activity", String(60), nullable=False),
    Column("hours", Float, nullable=False),
    # covers the weekly trend: a year's weeks are read in group order, no table lookups
    Index("ix_rollup_activity_weeks_trend", "week_start", "activity", "territory_id", "hours"),
)

rollup_activity_territory_months = Table(
    "rollup_activity_territory_months",
    metadata,
    Column("month", Date, nullable=False),
    Column("territory_id", Integer),
    Column("activity", String(60), nullable=False),
    Column("hours", Float, nullable=False),
    Index(
        "ix_rollup_activity_territory_months_trend", "month", "activity", "territory_id", "hours"
    ),
)

# Rep time: running totals per rep and activity through each month's end, dense from the
# pair's first month over every month with any activity, so any whole-month period's
# totals per rep and activity are two rows per pair (the last month minus the one before),
# whatever the period's length.
rollup_activity_running = Table(
    "rollup_activity_running",
    metadata,
    Column("month", Date, primary_key=True),
    Column("rep_id", Integer, primary_key=True, autoincrement=False),
    Column("activity", String(60), primary_key=True),
    Column("hours", Float, nullable=False),
    Column("units", Integer, nullable=False),
    Column("activity_rows", Integer, nullable=False),
    Column("counted_rows", Integer, nullable=False),
    sqlite_with_rowid=False,
)

# Forecast inputs: won deals by ISO week (weekly bookings) and open deals by expected close
# month and stage (the weighted pipeline), by rep, territory and segment.
rollup_won_weeks = Table(
    "rollup_won_weeks",
    metadata,
    Column("week_start", Date, nullable=False, index=True),
    Column("rep_id", Integer),
    Column("territory_id", Integer),
    Column("segment", String(40)),
    Column("won", Integer, nullable=False),
    Column("won_amount", Float, nullable=False),
)

rollup_open_pipeline = Table(
    "rollup_open_pipeline",
    metadata,
    Column("expected_close", Date),  # month start; empty for deals without a close date
    Column("stage", String(60)),
    Column("rep_id", Integer),
    Column("territory_id", Integer),
    Column("segment", String(40)),
    Column("open_amount", Float, nullable=False),
    Column("deals", Integer, nullable=False),
)

# Pipeline review: every opportunity_history row with its span, stored in the order a week's
# review reads it. A row's span runs from its changed_at (valid_from) to the changed_at of the
# deal's next row in (changed_at, id) order (valid_to; NULL for the deal's last row). Rows are
# classed by span length (length_bound): a bound b from HISTORY_SPAN_BOUNDS holds the spans of
# at most b days; OPEN_ENDED holds a deal's last row while it is open (and any span longer than
# the largest bound); CLOSED_FOR_GOOD holds a deal's last row when it is won or lost. The table
# is clustered on (length_bound, valid_from): the rows a week needs (those dated in the week,
# and those still current at its start, which began at most b days before it in class b) are
# one short contiguous range per class, so the review reads about the rows it returns instead
# of a GROUP BY max over the whole history. Rebuilt by salesops.db.rollups after a demo load and
# by `db upgrade`; an import updates the spans of the deals it writes history for, inside its
# own transaction.
HISTORY_SPAN_BOUNDS = tuple(2**k for k in range(16))  # 1 day .. about 90 years
HISTORY_SPAN_DEAL_COLUMNS = (
    "opportunity_id",
    "valid_from",
    "valid_to",
    "expected_close_date",
    "amount",
    "outcome",
    "stage",
    "forecast_category",
)
OPEN_ENDED = 0
CLOSED_FOR_GOOD = -1
rollup_history_spans = Table(
    "rollup_history_spans",
    metadata,
    Column("length_bound", Integer, primary_key=True, autoincrement=False),
    Column("valid_from", Date, primary_key=True),  # opportunity_history.changed_at
    Column("history_id", Integer, primary_key=True, autoincrement=False),
    Column("valid_to", Date),
    Column("opportunity_id", Integer, nullable=False),
    *_deal_state_columns(),
    # A deal's spans in one range, with every column the call reads of them (a scope of
    # reps: salesops.db.call_scoped; an import's changed deals: rollups_call_update):
    # read from the index alone, not one primary-key lookup per span.
    Index("ix_rollup_history_spans_deal", *HISTORY_SPAN_DEAL_COLUMNS),
    sqlite_with_rowid=False,
)

# Data quality: one row per offending deal or lead, and every open deal with its expected close
# date (`due`; overdue is judged against the day asked), rebuilt with the other rollups by
# salesops.db.quality_rollup, so checks count and list problems without scanning every row.
rollup_quality_issues = Table(
    "rollup_quality_issues",
    metadata,
    Column("problem", String(40), primary_key=True),
    Column("entity_id", Integer, primary_key=True, autoincrement=False),
    Column("month", Date),  # created month of the deal or lead
    Column("due", Date),
    Index("ix_rollup_quality_issues_problem_due", "problem", "due"),
)

# The problems above counted per created month (open deals left out: they are judged on the
# day asked, from the issues table's (problem, due) index), plus `missing_fields`: deals with
# any missing field, each counted once.
rollup_quality_months = Table(
    "rollup_quality_months",
    metadata,
    Column("problem", String(40), nullable=False),
    Column("month", Date),
    Column("count", Integer, nullable=False),
)

# The KPI facts per day, for partial-month edges (salesops.db.schema_daily).
# The monthly rollups that have a daily twin (and are filled from it: rollups_daily).
monthly_rollups = DailyRollups(
    closed=rollup_closed_opportunities,
    leads=rollup_leads,
    customers=rollup_customers,
    won_cycle_days=rollup_won_cycle_days,
)
daily_rollups = daily_rollup_tables(metadata, monthly_rollups)
# Order to cash: days per step per month, day count and scope (salesops.db.schema_cash).
rollup_order_cycle_days = cash_rollup_table(metadata)
cycle_summaries = cycle_summary_tables(metadata)  # its sums without scope, without days
# Order revenue and margin per day, for partial-month edges (salesops.db.schema_orders).
order_rollups = order_rollup_tables(metadata, rollup_order_months)
rollup_order_status_scopes = status_scopes_table(metadata)  # its status sums as of today
# When each open deal entered its current stage, for the review's stale list
# (salesops.db.schema_review).
rollup_stage_entries = review_rollup_table(metadata)
# Every ended stay of a deal in one stage, for the stale rule (salesops.db.schema_review).
rollup_stage_stays = stage_stays_table(metadata)
# Won deals per close month, scope and first order month (salesops.db.schema_bookings).
rollup_won_first_orders = bookings_rollup_table(metadata)
# Order approvals per month, scope, approver and minutes (salesops.db.schema_approvals).
approval_rollups = approval_rollup_tables(metadata)
# Orders per invoice day, order and payment month and scope (salesops.db.schema_receivables).
rollup_receivable_days = receivables_rollup_table(metadata)
from salesops.db import schema_call  # noqa: E402  (its tables are on this metadata)

ROLLUP_TABLES = (
    rollup_closed_opportunities,
    rollup_won_cycle_days,
    rollup_leads,
    rollup_customers,
    rollup_order_months,
    rollup_customer_lifespans,
    rollup_stage_outcomes,
    rollup_activity_months,
    rollup_activity_weeks,
    rollup_activity_territory_months,
    rollup_activity_running,
    rollup_won_weeks,
    rollup_open_pipeline,
    rollup_history_spans,
    rollup_quality_issues,
    rollup_quality_months,
    *daily_rollups,
    rollup_order_cycle_days,
    *cycle_summaries,
    *order_rollups,
    rollup_order_status_scopes,
    rollup_stage_entries,
    rollup_stage_stays,
    rollup_won_first_orders,
    *approval_rollups,
    rollup_receivable_days,
    *schema_call.CALL_ROLLUP_TABLES,
)
