"""Orders, spend, quotas, reps and time logs imported on SQLite and PostgreSQL, bad input too.

Every bad case is its own test: a row-level message naming the row and column, nothing
written.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import sqlalchemy as sa

from salesops.db import schema as s
from salesops.importing.known import table_counts
from salesops.importing.plan import ValidationContext
from salesops.importing.reading import CsvInput
from salesops.importing.report import import_files

CONTEXT = ValidationContext(as_of=date(2024, 7, 1))


def csv_file(name: str, header: list[str], rows: list[list[str]], *, bom: bool = False) -> CsvInput:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return CsvInput(name, buffer.getvalue().encode("utf-8-sig" if bom else "utf-8"))


def run(engine, source: str, *files: CsvInput):
    return import_files(engine, list(files), source, context=CONTEXT)


def rejected(engine, source: str, *files: CsvInput) -> str:
    before = table_counts(engine)
    outcome = run(engine, source, *files)
    assert not outcome.written, outcome.message
    assert table_counts(engine) == before
    return outcome.message


def rows_of(engine, table: sa.Table, *columns: str) -> list[tuple]:
    with engine.connect() as conn:
        stmt = sa.select(*(table.c[c] for c in columns)).order_by(*(table.c[c] for c in columns))
        return [tuple(r) for r in conn.execute(stmt)]


# ------------------------------------------------------------------------------ orders

ORDER_HEADER = [
    "external_id",
    "account",
    "ordered_at",
    "invoiced_at",
    "paid_at",
    "amount",
    "PO Number",
]
ORDERS = [
    ["SO-1", "Acme Inc.", "2024-01-10", "2024-01-12", "2024-02-20", "1200.00", "PO-1"],
    ["SO-2", "Beta GmbH", "2024-02-01", "2024-02-01", "", "800", ""],
    ["SO-3", "Acme Inc.", "2024-03-05", "", "", "50", "PO-3"],
]


def test_orders_template_writes_orders_and_their_customers(engine):
    outcome = run(engine, "salesops", csv_file("orders.csv", ORDER_HEADER, ORDERS, bom=True))
    assert outcome.written, outcome.message
    assert outcome.report.files[0].layout == "salesops-orders"
    columns = ("external_id", "ordered_at", "paid_at", "amount", "po_number")
    assert rows_of(engine, s.orders, *columns) == [
        ("SO-1", date(2024, 1, 10), date(2024, 2, 20), 1200.0, "PO-1"),
        ("SO-2", date(2024, 2, 1), None, 800.0, None),
        ("SO-3", date(2024, 3, 5), None, 50.0, "PO-3"),
    ]
    assert rows_of(engine, s.accounts, "name") == [("Acme Inc.",), ("Beta GmbH",)]
    again = run(engine, "salesops", csv_file("orders2.csv", ORDER_HEADER, ORDERS))
    assert again.message.startswith("Imported 0 new and 0 updated rows (3 unchanged)")


def test_orders_template_names_crm_accounts_by_their_id(engine):
    with engine.begin() as conn:
        conn.execute(sa.insert(s.accounts), [
            {"source": "salesforce", "external_id": "001A", "name": "Acme", "segment": "SMB"},
            {"source": "salesforce", "external_id": "001B", "name": "Beta SF", "segment": None},
            {"source": "hubspot", "external_id": "001B", "name": "Beta HS", "segment": None},
        ])  # fmt: skip
    header = ["order_id", "account_id", "account_name", "order_date", "amount"]
    rows = [
        ["SO-1", "001A", "Acme", "2024-01-10", "10"],
        ["SO-2", "001B", "Beta", "2024-01-11", "20"],
        ["SO-3", "001C", "Gamma", "2024-01-12", "30"],
    ]
    outcome = run(engine, "salesops", csv_file("orders.csv", header, rows))
    assert outcome.written, outcome.message
    with engine.connect() as conn:
        o, a = s.orders.c, s.accounts.c
        stmt = (
            sa.select(o.external_id, a.source, a.name, a.segment)
            .join_from(s.orders, s.accounts, a.id == o.account_id)
            .order_by(o.external_id)
        )
        linked = [tuple(r) for r in conn.execute(stmt)]
    # One CRM account with that id: the order is its. Two (ambiguous) or none: a new customer.
    assert linked == [
        ("SO-1", "salesforce", "Acme", "SMB"),
        ("SO-2", "salesops", "Beta", None),
        ("SO-3", "salesops", "Gamma", None),
    ]


def test_order_paid_before_invoiced_is_a_row_error(engine):
    rows = [r[:] for r in ORDERS]
    rows[1][4] = "2024-01-15"
    message = rejected(engine, "salesops", csv_file("orders.csv", ORDER_HEADER, rows))
    assert 'orders.csv row 3, paid_at: "2024-01-15"' in message
    assert "a payment date on or after the invoice date 2024-02-01" in message


def test_order_invoiced_before_ordered_is_a_row_error(engine):
    rows = [r[:] for r in ORDERS]
    rows[0][3] = "2024-01-01"
    message = rejected(engine, "salesops", csv_file("orders.csv", ORDER_HEADER, rows))
    assert "orders.csv row 2, invoiced_at" in message and "on or after the order date" in message


def test_order_without_a_customer_is_a_row_error(engine):
    rows = [r[:] for r in ORDERS]
    rows[2][1] = ""
    message = rejected(engine, "salesops", csv_file("orders.csv", ORDER_HEADER, rows))
    assert "orders.csv row 4, account" in message and "customer" in message


def test_negative_order_amount_is_a_row_error(engine):
    rows = [r[:] for r in ORDERS]
    rows[2][5] = "-50"
    message = rejected(engine, "salesops", csv_file("orders.csv", ORDER_HEADER, rows))
    assert 'orders.csv row 4, amount: "-50"' in message


ODOO_ORDERS = (
    ["name", "partner_id", "date_order", "amount_total", "client_order_ref", "state"],
    [
        ["S00012", "Acme Inc.", "2024-01-10 09:12:44", "1,500.00", "PO-77", "sale"],
        ["S00013", "Beta GmbH", "2024-01-11 10:00:00", "300.00", "", "sale"],
    ],
)
ODOO_INVOICES = (
    ["name", "partner_id", "invoice_date", "invoice_origin", "payment_state", "Payment Date"],
    [
        ["INV/2024/0001", "Acme Inc.", "2024-01-12", "S00012", "paid", "2024-02-01"],
        ["INV/2024/0002", "Beta GmbH", "2024-01-15", "S00013", "not_paid", ""],
    ],
)


def test_odoo_sale_orders_and_invoices_in_one_batch(engine):
    outcome = run(
        engine,
        "odoo",
        csv_file("account.move.csv", *ODOO_INVOICES),
        csv_file("sale.order.csv", *ODOO_ORDERS),
    )
    assert outcome.written, outcome.message
    assert rows_of(engine, s.orders, "external_id", "ordered_at", "invoiced_at", "paid_at") == [
        ("S00012", date(2024, 1, 10), date(2024, 1, 12), date(2024, 2, 1)),
        ("S00013", date(2024, 1, 11), date(2024, 1, 15), None),
    ]


def test_odoo_invoice_of_an_unknown_order_is_a_row_error(engine):
    header, rows = ODOO_INVOICES
    rows = [*rows, ["INV/2024/0003", "X", "2024-01-16", "S09999", "paid", "2024-01-20"]]
    message = rejected(
        engine, "odoo", csv_file("sale.order.csv", *ODOO_ORDERS), csv_file("inv.csv", header, rows)
    )
    assert 'inv.csv row 4, invoice_origin: "S09999"' in message
    assert "an order imported earlier or in this batch" in message


def test_stripe_invoice_export_becomes_orders(engine):
    header = [
        "id",
        "Customer",
        "Customer Name",
        "Date (UTC)",
        "Paid At (UTC)",
        "Total",
        "Currency",
        "Status",
    ]
    rows = [
        [
            "in_1Abc",
            "cus_1",
            "Acme Inc.",
            "2024-03-01 08:00:00",
            "2024-03-03 12:00:00",
            "49.00",
            "usd",
            "paid",
        ],
        ["in_1Abd", "cus_2", "Beta GmbH", "2024-03-02 08:00:00", "", "99.00", "usd", "open"],
    ]
    outcome = run(engine, "stripe", csv_file("invoices.csv", header, rows))
    assert outcome.written, outcome.message
    assert rows_of(engine, s.orders, "external_id", "invoiced_at", "paid_at", "amount") == [
        ("in_1Abc", date(2024, 3, 1), date(2024, 3, 3), 49.0),
        ("in_1Abd", date(2024, 3, 2), None, 99.0),
    ]
    assert rows_of(engine, s.accounts, "external_id", "name") == [
        ("cus_1", "Acme Inc."),
        ("cus_2", "Beta GmbH"),
    ]


# ------------------------------------------------------------------------------- spend

SPEND_HEADER = ["month", "channel", "kind", "amount"]
SPEND = [
    ["2024-01-01", "Paid search", "marketing", "12000"],
    ["2024-01-31", "Events", "marketing", "3000"],
    ["2024-01-01", "SDR team", "sales", "40000"],
]


def test_spend_template_writes_monthly_spend(engine):
    outcome = run(engine, "salesops", csv_file("spend.csv", SPEND_HEADER, SPEND))
    assert outcome.written, outcome.message
    assert rows_of(engine, s.acquisition_spend, "month", "channel", "kind", "amount") == [
        (date(2024, 1, 1), "Events", "marketing", 3000.0),
        (date(2024, 1, 1), "Paid search", "marketing", 12000.0),
        (date(2024, 1, 1), "SDR team", "sales", 40000.0),
    ]
    changed = [r[:] for r in SPEND]
    changed[0][3] = "13000"
    again = run(engine, "salesops", csv_file("spend2.csv", SPEND_HEADER, changed))
    assert again.message.startswith("Imported 0 new and 1 updated rows (2 unchanged)")


def test_negative_spend_is_a_row_error(engine):
    rows = [*SPEND, ["2024-02-01", "Paid search", "marketing", "-500"]]
    message = rejected(engine, "salesops", csv_file("spend.csv", SPEND_HEADER, rows))
    assert 'spend.csv row 5, amount: "-500"' in message


def test_spend_of_an_unknown_kind_is_a_row_error(engine):
    rows = [*SPEND, ["2024-02-01", "Paid search", "brand", "500"]]
    message = rejected(engine, "salesops", csv_file("spend.csv", SPEND_HEADER, rows))
    assert 'spend.csv row 5, kind: "brand" — expected marketing or sales' in message


def test_the_same_month_channel_and_kind_twice_is_a_row_error(engine):
    rows = [*SPEND, ["2024-01-15", "Paid search", "Marketing", "1"]]
    message = rejected(engine, "salesops", csv_file("spend.csv", SPEND_HEADER, rows))
    assert "spend.csv row 5, channel" in message and "row 2 has the same" in message


# ------------------------------------------------------------------- reps and quotas

REP_HEADER = ["external_id", "name", "email", "manager", "territory", "hire_date",
              "weekly_capacity_hours", "annual_cost", "active"]  # fmt: skip
REPS = [
    ["E1", "Ann Lee", "ann@example.com", "Max Boss", "West", "2022-03-01", "40", "150000", "yes"],
    ["E2", "Bob Ray", "bob@example.com", "Max Boss", "East", "2023-01-09", "37.5", "120000", "no"],
]
QUOTA_HEADER = ["rep", "period_start", "period_end", "amount"]


def test_reps_template_writes_capacity_cost_and_leavers(engine):
    outcome = run(engine, "salesops", csv_file("reps.csv", REP_HEADER, REPS))
    assert outcome.written, outcome.message
    assert rows_of(engine, s.reps, "name", "weekly_capacity_hours", "annual_cost", "end_date") == [
        ("Ann Lee", 40.0, 150000.0, None),
        ("Bob Ray", 37.5, 120000.0, date(2024, 7, 1)),
    ]


def test_quotas_are_spread_over_their_months(engine):
    quotas = [["Ann Lee", "2024-01-01", "2024-03-31", "90000"], ["E2", "2024-01-01", "", "10000"]]
    outcome = run(
        engine,
        "salesops",
        csv_file("quotas.csv", QUOTA_HEADER, quotas),
        csv_file("reps.csv", REP_HEADER, REPS),
    )
    assert outcome.written, outcome.message
    r, q = s.reps.c, s.quotas.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.name, q.period_start, q.amount)
            .join(s.reps, r.id == q.rep_id)
            .order_by(r.name, q.period_start)
        ).all()
    assert [tuple(x) for x in rows] == [
        ("Ann Lee", date(2024, 1, 1), 30000.0),
        ("Ann Lee", date(2024, 2, 1), 30000.0),
        ("Ann Lee", date(2024, 3, 1), 30000.0),
        ("Bob Ray", date(2024, 1, 1), 10000.0),
    ]


def test_quota_for_an_unknown_rep_is_a_row_error(engine):
    quotas = [["Ann Lee", "2024-01-01", "", "1"], ["Zed Nobody", "2024-01-01", "", "1"]]
    message = rejected(
        engine,
        "salesops",
        csv_file("reps.csv", REP_HEADER, REPS),
        csv_file("quotas.csv", QUOTA_HEADER, quotas),
    )
    assert 'quotas.csv row 3, rep: "Zed Nobody" — expected a rep imported earlier' in message


def test_overlapping_quota_periods_are_a_row_error(engine):
    quotas = [["Ann Lee", "2024-01-01", "2024-03-31", "3"], ["Ann Lee", "2024-03-01", "", "1"]]
    message = rejected(
        engine,
        "salesops",
        csv_file("reps.csv", REP_HEADER, REPS),
        csv_file("quotas.csv", QUOTA_HEADER, quotas),
    )
    assert 'quotas.csv row 3, period_start: "2024-03-01"' in message
    assert "not overlapping row 2's (2024-03 already set)" in message


def test_quota_period_not_starting_a_month_is_a_row_error(engine):
    quotas = [["Ann Lee", "2024-01-15", "", "3"]]
    message = rejected(
        engine,
        "salesops",
        csv_file("reps.csv", REP_HEADER, REPS),
        csv_file("quotas.csv", QUOTA_HEADER, quotas),
    )
    assert "quotas.csv row 2, period_start" in message and "first day of a month" in message


# --------------------------------------------------------------------------- time logs

EVENT_HEADER = [
    "Id",
    "Subject",
    "ActivityDate",
    "DurationInMinutes",
    "Type",
    "OwnerId",
    "Owner.Name",
]
EVENTS = [
    ["00U1", "Kick-off", "2024-03-04", "60", "Meeting", "0051", "Ann Lee"],
    ["00U2", "Demo", "2024-03-06", "90", "Meeting", "0051", "Ann Lee"],
    ["00U3", "Pricing", "2024-03-07", "120", "Quote prep", "0051", "Ann Lee"],
]


def test_salesforce_events_become_weekly_hours_and_new_activity_types(engine):
    assert run(engine, "salesops", csv_file("reps.csv", REP_HEADER, REPS)).written
    outcome = run(engine, "salesforce", csv_file("Event.csv", EVENT_HEADER, EVENTS, bom=True))
    assert outcome.written, outcome.message
    assert outcome.report.files[0].layout == "salesforce-api-events"
    a = s.activities.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(a.week_start, a.activity, a.hours, a.count).order_by(a.activity)
        ).all()
    assert [tuple(r) for r in rows] == [
        (date(2024, 3, 4), "Meeting", 2.5, 2),
        (date(2024, 3, 4), "Quote prep", 2.0, 1),
    ]
    assert rows_of(engine, s.activity_types, "activity", "category", "is_back_office") == [
        ("Meeting", "selling", False),
        ("Quote prep", "non_selling", True),  # a quote: back-office work sales ops could take
    ]
    warnings = [w.expected for w in outcome.report.files[0].warnings]
    assert len(warnings) == 2 and "added as selling" in warnings[0]
    assert "added as non-selling, back office" in warnings[1]


def test_time_log_entry_over_24_hours_is_a_row_error(engine):
    assert run(engine, "salesops", csv_file("reps.csv", REP_HEADER, REPS)).written
    events = [*EVENTS, ["00U4", "Offsite", "2024-03-08", "1500", "Meeting", "0051", "Ann Lee"]]
    message = rejected(engine, "salesforce", csv_file("Event.csv", EVENT_HEADER, events))
    assert 'Event.csv row 5, DurationInMinutes: "25.0" — expected at most 24 hours' in message


def test_time_log_of_an_unknown_rep_is_a_row_error(engine):
    assert run(engine, "salesops", csv_file("reps.csv", REP_HEADER, REPS)).written
    rows = [["Zed Nobody", "2024-03-04", "Calls", "3"]]
    message = rejected(
        engine,
        "salesops",
        csv_file("time.csv", ["rep", "activity_date", "activity", "hours"], rows),
    )
    assert 'time.csv row 2, rep: "Zed Nobody"' in message


def test_an_order_names_the_rep_it_counts_for_and_an_unknown_rep_is_a_row_error(engine):
    header = [*ORDER_HEADER, "rep"]
    rows = [[*ORDERS[0], "Ann Lee"], [*ORDERS[2], ""]]
    bad = rejected(
        engine, "salesops", csv_file("reps.csv", REP_HEADER, REPS),
        csv_file("orders.csv", header, [*rows, [*ORDERS[1], "Zed Nobody"]]),
    )  # fmt: skip
    assert 'orders.csv row 4, rep: "Zed Nobody" — expected a rep imported earlier' in bad
    outcome = run(
        engine, "salesops", csv_file("reps.csv", REP_HEADER, REPS),
        csv_file("orders.csv", header, rows),
    )  # fmt: skip
    assert outcome.written, outcome.message
    with engine.connect() as conn:
        o, r = s.orders.c, s.reps.c
        stmt = sa.select(o.external_id, r.name).outerjoin_from(s.orders, s.reps, r.id == o.rep_id)
        assert sorted(tuple(x) for x in conn.execute(stmt)) == [("SO-1", "Ann Lee"), ("SO-3", None)]
