"""The settings behind the weekly work: pipeline review, cash and imports.

Each class is one theme of Settings (salesops.config), which joins them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesops.config.fields import setting


@dataclass(frozen=True)
class PipelineReviewSettings:
    """The weekly pipeline review and meeting pack."""

    stale_days: int = setting(
        14,
        "Days in its stage after which an open deal is stale, for a stage with too few "
        "measured stays (see stale_percentile).",
        "pipeline_review",
    )
    stale_percentile: float = setting(
        0.8,
        "An open deal is stale once it has been in its stage longer than this share of the "
        "stays in that stage that ended in the last 12 months (measured per stage).",
        "pipeline_review",
    )
    stale_min_stays: int = setting(
        20,
        "Ended stays a stage needs in the last 12 months before its measured typical time "
        "replaces stale_days.",
        "pipeline_review",
    )
    big_change: float = setting(
        10_000.0,
        "An open deal whose amount moves by at least this much (currency) in the week is a "
        "big amount change.",
        "pipeline_review",
    )
    review_weeks_offered: int = setting(
        104, "How many weeks back the Pipeline review page's week picker goes.", "pipeline_review"
    )
    review_rows_listed: int = setting(
        100, "Rows per list in `salesops review` JSON (--limit; 0: all).", "pipeline_review"
    )
    meeting_pack_rows_per_list: int = setting(
        200,
        "Rows of each deal list printed in the meeting pack's HTML (its CSVs hold every row).",
        "pipeline_review",
    )


@dataclass(frozen=True)
class CashSettings:
    """Order to cash."""

    payment_terms_days: int = setting(30, "Days after the invoice date a payment is due.", "cash")
    aging_buckets: tuple[int, ...] = setting(
        (30, 60, 90), "Upper ends (days past due) of the receivables aging buckets.", "cash"
    )
    order_required_fields: tuple[str, ...] = setting(
        ("po_number", "billing_address", "shipping_address"),
        "Order fields that must be captured up front; an order missing any is incomplete.",
        "cash",
    )
    approval_activities: tuple[str, ...] = setting(
        ("Approvals & payment chasing",), "Time-log activities that are order approval work.",
        "cash",
    )  # fmt: skip
    cash_rows_listed: int = setting(25, "Accounts and orders listed as delaying cash.", "cash")
    overdue_share_alert: float = setting(0.25, "Overdue share of receivables shown red.", "cash")
    cost_of_capital: float = setting(0.08, "Yearly cost of cash tied up (what-if).", "cash")
    cash_what_if_invoice_days: int = setting(1, "What-if: days off invoicing.", "cash")
    cash_what_if_pay_days: int = setting(5, "What-if: days off payment.", "cash")


@dataclass(frozen=True)
class ImportingSettings:
    """Imports, data quality and the demo company."""

    import_max_bytes: int = setting(
        50 * 1024 * 1024,
        "Largest file (bytes) the Data page accepts; `salesops import` has no size limit.",
        "importing",
    )
    import_max_rows: int = setting(
        500_000, "Row limit per file on the Data page (split larger files).", "importing"
    )
    import_cli_max_rows: int = setting(
        5_000_000,
        "Row limit per file for `salesops import` (its --max-rows default): the command line "
        "takes files ten times larger than the page.",
        "importing",
    )
    import_chunk_rows: int = setting(
        50_000,
        "Rows read, validated and written at a time (memory use against speed).",
        "importing",
    )
    import_history_chunk_rows: int = setting(
        20_000,
        "Rows of a history file read, validated and written at a time (at most "
        "import_chunk_rows): each costs more to check than a deal's, so fewer keep an "
        "import of millions of history rows under its memory budget.",
        "importing",
    )
    import_history_bucket_rows: int = setting(
        200_000,
        "History rows turned into deal states at a time: a larger history file is spooled to "
        "disk in buckets of whole deals (memory use against speed).",
        "importing",
    )
    import_preview_rows: int = setting(
        20, "Rows of each validated file shown as a preview.", "importing"
    )
    import_max_stored_issues: int = setting(
        20_000,
        "Row-level problems kept per file for display (all of them are counted).",
        "importing",
    )
    import_issues_listed: int = setting(
        200, "Problems listed per file in `salesops import --format json`.", "importing"
    )
    import_issues_printed: int = setting(
        20, "Problems printed per file by `salesops import` (table output).", "importing"
    )
    import_mapping_max_bytes: int = setting(
        64 * 1024,
        "Largest mapping file (bytes) `--mapping` and the Data page read: a column map and a "
        "stage table fit in a few kilobytes.",
        "importing",
    )
    import_batches_listed: int = setting(
        50, "Latest imports listed in the Data page's import history.", "importing"
    )
    quality_row_limit: int = setting(
        50_000,
        "Offending rows read per data-quality check (counts are always totals).",
        "importing",
    )
    quality_rows_shown: int = setting(200, "Rows the Data page shows per check.", "importing")
    quality_rows_listed: int = setting(
        100,
        "Offending rows listed per check by `salesops quality --format json` (its --rows).",
        "importing",
    )
    demo_scale: str = setting(
        "small",
        "Size of the demo company: tiny, small, medium, large or a number of opportunities.",
        "importing",
    )
    demo_seed: int = setting(
        42, "Random seed of the demo company: same seed, same company.", "importing"
    )
