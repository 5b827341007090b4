"""The database's column limits, checked while validating: a dry run catches what writes refuse.

PostgreSQL rejects a 121-character external id or an amount of 1e26 in the middle of an
import (and SQLite would store them silently); both are checked here per row, on every
dialect, from the limits written in the schema. A target that lands in several columns (an
account named on a deal becomes the account's name *and* its external id) gets the
tightest of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import pandas as pd
from sqlalchemy import Column, Integer, Numeric, String

from salesops.db import schema as s
from salesops.importing.issues import IssueCollector

_SHOWN_CHARS = 60

_TERRITORY = (s.territories.c.name, s.territories.c.external_id)
_REP = (s.reps.c.name, s.reps.c.external_id)
_ACCOUNT = (s.accounts.c.name, s.accounts.c.external_id)

# entity -> target -> the columns its value is written to.
TARGET_COLUMNS: Mapping[str, Mapping[str, tuple[Column, ...]]] = MappingProxyType(
    {
        "reps": {
            "external_id": (s.reps.c.external_id,),
            "name": (s.reps.c.name,),
            "email": (s.reps.c.email,),
            "manager": (s.reps.c.manager,),
            "territory": _TERRITORY,
            "region": _TERRITORY,
        },
        "accounts": {
            "external_id": (s.accounts.c.external_id,),
            "name": (s.accounts.c.name,),
            "territory": _TERRITORY,
            "segment": (s.accounts.c.segment,),
            "industry": (s.accounts.c.industry,),
            "employees": (s.accounts.c.employees,),
            "annual_potential": (s.accounts.c.annual_potential,),
        },
        "leads": {
            "external_id": (s.leads.c.external_id,),
            "channel": (s.leads.c.channel,),
            "status": (s.leads.c.status,),
            "account": _ACCOUNT,
            "rep": _REP,
        },
        "opportunities": {
            "external_id": (s.opportunities.c.external_id,),
            "name": (s.opportunities.c.name,),
            "account": _ACCOUNT,
            "account_external_id": _ACCOUNT,
            "rep": _REP,
            "rep_external_id": _REP,
            "territory": _TERRITORY,
            "stage": (s.stages.c.name, s.opportunities.c.stage),
            "amount": (s.opportunities.c.amount,),
            "forecast_category": (s.opportunities.c.forecast_category,),
        },
        "orders": {
            "external_id": (s.orders.c.external_id,),
            "account": _ACCOUNT,
            "account_external_id": _ACCOUNT,
            "amount": (s.orders.c.amount,),
            "gross_margin": (s.orders.c.gross_margin,),
            "po_number": (s.orders.c.po_number,),
            "billing_address": (s.orders.c.billing_address,),
            "shipping_address": (s.orders.c.shipping_address,),
            "approver": (s.orders.c.approver,),
        },
        "spend": {
            "channel": (s.acquisition_spend.c.channel,),
            "amount": (s.acquisition_spend.c.amount,),
        },
        "quotas": {"amount": (s.quotas.c.amount,)},
        "activities": {"activity": (s.activities.c.activity,)},
        "opportunity_history": {
            "stage": (s.opportunity_history.c.stage,),
            "amount": (s.opportunity_history.c.amount,),
            "forecast_category": (s.opportunity_history.c.forecast_category,),
        },
    }
)
INTEGER_MAX = 2**31 - 1  # a 4-byte INTEGER column


def text_limit(columns: tuple[Column, ...]) -> int | None:
    """Returns the fewest characters any of the string columns holds, or None (no limit)."""
    lengths = [
        c.type.length for c in columns if isinstance(c.type, String) and c.type.length is not None
    ]
    return min(lengths) if lengths else None


def number_limit(columns: tuple[Column, ...]) -> float | None:
    """Returns the bound a value's magnitude must stay below, or None (no limit).

    NUMERIC(p, s) holds magnitudes below 10**(p - s); INTEGER up to 2**31 - 1.
    """
    for column in columns:
        kind = column.type
        if isinstance(kind, Numeric) and kind.precision is not None:
            return float(10 ** (kind.precision - (kind.scale or 0)))
        if isinstance(kind, Integer):
            return float(INTEGER_MAX) + 1
    return None


def _shown(values: pd.Series) -> pd.Series:
    """Returns values cut to a readable length for a problem report."""
    text = values.astype("str")
    return text.where(text.str.len() <= _SHOWN_CHARS, text.str.slice(0, _SHOWN_CHARS) + "…")


def check_limits(entity: str, out: pd.DataFrame, found: IssueCollector) -> None:
    """Records every value longer or larger than the database column it is written to."""
    for target, columns in TARGET_COLUMNS.get(entity, {}).items():
        if target not in out:
            continue
        values = out[target]
        limit = text_limit(columns)
        if limit is not None and not pd.api.types.is_numeric_dtype(values):
            length = values.astype("str").str.len().where(values.notna(), 0)
            too_long = length > limit
            if too_long.any():  # the shown values and sentences only for the offending rows
                found.add(
                    too_long,
                    target,
                    _shown(values[too_long]),
                    length[too_long].map(
                        lambda n, m=limit: f"at most {m} characters (this value has {n})"
                    ),
                )
        bound = number_limit(columns)
        if bound is not None and pd.api.types.is_numeric_dtype(values):
            too_large = values.astype("float64").abs() >= bound
            if too_large.any():
                shown = values[too_large].astype("str")
                found.add(too_large, target, shown, f"a value below {bound:,.0f}")
