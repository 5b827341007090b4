"""Downloadable CSV templates for what the Data page imports beyond CRM exports.

Each template's header is the target names its `salesops` layout reads, with one example
row; a file filled in from it is detected as that layout under the source "salesops".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd


@dataclass(frozen=True)
class Template:
    """One template: the layout it fills, a label, and its example rows."""

    layout: str
    label: str
    rows: tuple[dict[str, str], ...]

    def frame(self) -> pd.DataFrame:
        """Returns the template as a frame of text (header and example rows)."""
        return pd.DataFrame(list(self.rows), dtype="object")


TEMPLATES: Mapping[str, Template] = MappingProxyType(
    {
        "orders": Template(
            "salesops-orders",
            "Orders (order, invoice and payment dates)",
            (
                {
                    "external_id": "SO-1001",
                    "account": "Acme Inc.",
                    "opportunity_external_id": "0065g00000AAAAAAA1",
                    "ordered_at": "2024-03-04",
                    "invoiced_at": "2024-03-06",
                    "paid_at": "2024-04-10",
                    "amount": "12500.00",
                    "gross_margin": "5000.00",
                    "po_number": "PO-4711",
                    "billing_address": "1 Main St, Springfield",
                    "shipping_address": "1 Main St, Springfield",
                    "approval_requested_at": "2024-03-04",
                    "approved_at": "2024-03-05",
                    "approver": "Max Boss",
                },
            ),
        ),
        "spend": Template(
            "salesops-spend",
            "Acquisition spend (month, channel, marketing or sales)",
            (
                {
                    "month": "2024-03-01",
                    "channel": "Paid search",
                    "kind": "marketing",
                    "amount": "12000",
                },
                {"month": "2024-03-01", "channel": "SDR team", "kind": "sales", "amount": "40000"},
            ),  # fmt: skip
        ),
        "quotas": Template(
            "salesops-quotas",
            "Quotas (rep, period, amount)",
            (
                {
                    "rep": "Ann Lee",
                    "period_start": "2024-01-01",
                    "period_end": "2024-03-31",
                    "amount": "300000",
                },
            ),  # fmt: skip
        ),
        "reps": Template(
            "salesops-reps",
            "Reps (manager, territory, capacity, cost, active)",
            (
                {
                    "external_id": "E100",
                    "name": "Ann Lee",
                    "email": "ann@example.com",
                    "manager": "Max Boss",
                    "territory": "West",
                    "hire_date": "2022-03-01",
                    "end_date": "",
                    "weekly_capacity_hours": "40",
                    "annual_cost": "150000",
                    "active": "true",
                },
            ),
        ),
        "timesheet": Template(
            "salesops-timesheet",
            "Time log (rep, date, activity, hours)",
            (
                {
                    "rep": "Ann Lee",
                    "activity_date": "2024-03-04",
                    "activity": "Customer meetings",
                    "hours": "3.5",
                },
                {
                    "rep": "Ann Lee",
                    "activity_date": "2024-03-04",
                    "activity": "Quote configuration",
                    "hours": "1.5",
                },
            ),  # fmt: skip
        ),
    }
)
