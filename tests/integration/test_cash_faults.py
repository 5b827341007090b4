"""Bad input and faults touching orders (../shared/RELIABILITY.md), one test per case.

Each import case checks the sentence (row, column, value, what was expected) and that
nothing was written; each output case reads what a person would download.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import sqlalchemy as sa

from salesops.calendar import Period
from salesops.cash.report import cash_report
from salesops.db import schema as s
from salesops.export import to_safe_csv
from salesops.repository import Repository
from tests.integration.test_import_entities import csv_file, rejected, rows_of, run

HEADER = ["external_id", "account", "ordered_at", "invoiced_at", "paid_at", "amount"]
GOOD = ["SO-1", "Acme Inc.", "2024-01-10", "2024-01-12", "2024-02-20", "1200.00"]


def test_case_25_orders_in_another_currency_are_refused_in_one_sentence(engine):
    rows = [[*GOOD, "USD"], ["SO-2", "Beta GmbH", "2024-02-01", "", "", "800", "EUR"]]
    message = rejected(engine, "salesops", csv_file("orders.csv", [*HEADER, "currency"], rows))
    assert 'orders.csv row 3, currency: "EUR"' in message
    assert "USD (one currency per database; convert before importing)" in message
    assert rows_of(engine, s.orders, "external_id") == []


def test_case_25_an_order_amount_written_in_another_currency_is_a_row_error(engine):
    rows = [GOOD, ["SO-2", "Beta GmbH", "2024-02-01", "", "", "€800"]]
    message = rejected(engine, "salesops", csv_file("orders.csv", HEADER, rows))
    assert 'orders.csv row 3, amount: "€800"' in message
    assert "amounts in USD (the database currency)" in message


def test_case_25_stripe_invoices_in_another_currency_are_refused(engine):
    header = ["id", "Customer", "Customer Name", "Date (UTC)", "Paid At (UTC)", "Total",
              "Currency", "Status"]  # fmt: skip
    rows = [
        ["in_1", "cus_1", "Acme", "2024-03-01 08:00:00", "", "49.00", "usd", "open"],
        ["in_2", "cus_2", "Beta", "2024-03-02 08:00:00", "", "99.00", "eur", "open"],
    ]
    message = rejected(engine, "stripe", csv_file("invoices.csv", header, rows))
    assert 'invoices.csv row 3, Currency: "eur"' in message
    assert "one currency per database" in message


def test_case_25_one_currency_equal_to_the_database_s_is_imported(engine):
    rows = [[*GOOD, "usd"], ["SO-2", "Beta GmbH", "2024-02-01", "", "", "$800", "USD"]]
    outcome = run(engine, "salesops", csv_file("orders.csv", [*HEADER, "currency"], rows))
    assert outcome.written, outcome.message
    assert rows_of(engine, s.orders, "external_id", "amount") == [("SO-1", 1200.0), ("SO-2", 800.0)]


def test_case_16_non_numeric_amount_and_blank_order_date_are_row_errors(engine):
    rows = [GOOD, ["SO-2", "Beta", "2024-02-01", "", "", "eight hundred"],
            ["SO-3", "Beta", "", "", "", "10"]]  # fmt: skip
    message = rejected(engine, "salesops", csv_file("orders.csv", HEADER, rows))
    assert 'orders.csv row 3, amount: "eight hundred"' in message and "1 more problem" in message
    message = rejected(engine, "salesops", csv_file("orders.csv", HEADER, [GOOD, rows[2]]))
    assert "orders.csv row 3, ordered_at" in message


def test_case_14_an_orders_file_without_amounts_is_refused_naming_the_column(engine):
    header = [c for c in HEADER if c != "amount"]
    message = rejected(engine, "salesops", csv_file("orders.csv", header, [GOOD[:-1]]))
    assert "amount" in message and "missing" in message.lower()


def test_case_18_the_same_order_id_twice_in_a_file_is_an_error(engine):
    rows = [GOOD, ["SO-1", "Beta", "2024-02-01", "", "", "800"]]
    message = rejected(engine, "salesops", csv_file("orders.csv", HEADER, rows))
    assert "SO-1" in message and "row 3" in message


EVIL = '=HYPERLINK("http://evil.example","click")'


def test_case_20_and_7_cash_downloads_neutralise_formulas_and_hold_no_nan_or_inf(engine):
    rows = [["SO-1", EVIL, "2024-01-10", "2024-01-12", "", "1200"],
            ["SO-2", "@SUM(1+1)", "2024-01-11", "", "", "0"],
            ["SO-3", "Gamma", "2024-05-01", "2024-05-01", "2024-05-01", "5"]]  # fmt: skip
    assert run(engine, "salesops", csv_file("orders.csv", HEADER, rows)).written
    with engine.connect() as conn:
        assert conn.execute(sa.select(s.accounts.c.name).order_by(s.accounts.c.name)).all() == [
            ('=HYPERLINK("http://evil.example","click")',),
            ("@SUM(1+1)",),
            ("Gamma",),
        ]  # stored verbatim
    report = cash_report(Repository(engine), Period(date(2024, 1, 1), date(2024, 6, 30)))
    tables = {
        "accounts": report.slow_accounts,
        "orders": report.slow_orders,
        "by_rep": report.breakdowns["rep"],
        "aging": report.aging,
        "trend": report.trend,
    }
    files = {name: to_safe_csv(frame).decode("utf-8-sig") for name, frame in tables.items()}
    assert report.as_of == date(2024, 5, 1) and report.totals["overdue"] == 1200
    assert "'=HYPERLINK" in files["accounts"] and "'=HYPERLINK" in files["orders"]
    assert "'@SUM(1+1)" in files["orders"]
    for name, text in files.items():
        cells = [c.strip().lower() for row in csv.reader(io.StringIO(text)) for c in row]
        assert not {"nan", "inf", "-inf", "<na>", "none", "nat"} & set(cells), name
