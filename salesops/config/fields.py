"""How a setting is declared: its default, its help text and the section it is listed under."""

from __future__ import annotations

from dataclasses import field
from typing import Any

SECTIONS = {
    "general": "Money, calendar and the app",
    "kpis": "KPIs (CAC, LTV, win rate, cycle)",
    "forecast": "Forecast",
    "call": "The quarter call and its track record",
    "capacity": "Capacity: selling hours, the new-rep ramp, utilisation",
    "territory": "Territory balance and rebalancing",
    "plan": "Plan: quotas calibrated to attainment, hires",
    "time_allocation": "Rep time allocation",
    "pipeline_review": "Weekly pipeline review",
    "cash": "Order to cash",
    "importing": "Imports, data quality and the demo company",
    "access": "Sign-in, roles and the audit log",
}


def setting(default: object, help: str, section: str = "general") -> Any:
    """Returns the dataclass field of one setting: `default`, with its help and section."""
    return field(default=default, metadata={"help": help, "section": section})
