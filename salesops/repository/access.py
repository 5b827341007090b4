"""Who sees what, enforced where queries run: every public Repository method has a rule.

A Repository holds the signed-in viewer's scope (`visible`). `enforce` wraps every public
method of the class once, at import, according to RULES:

- SCOPED: the method takes a `scope`; the wrapper replaces it with `scope ∩ visible`
  before the method builds its SQL, so a caller (a page, a URL parameter, a drill-down, a
  download, the meeting pack, a cached call) cannot ask for rows outside the viewer's scope.
- REFERENCE: the result holds no deal, account, rep or money row (stage list, schema
  state, data date bounds); everyone may read it.
- TEAM_TOTALS: the method takes a `scope` and returns sums with no rep, deal or account
  key; the wrapper limits it to the viewer's team (`team`, which for a rep is wider than
  `visible`): how a rep sees team aggregates without other reps' names or rows.
- COMPANY: company-level totals with no rep, deal or account in them (marketing spend, used
  to allocate CAC to a scope); everyone may read them.
- FULL_VIEW: rows across the whole company that cannot be scoped (data-quality lists,
  import history, table row counts); only a viewer who sees everything may call them.

A public method with no rule makes `enforce` raise at import, so a new query cannot ship
without a decision; tests/integration/test_repository_access.py checks every SCOPED method
against viewers limited to one territory and to one rep.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from salesops.repository.base import EVERYTHING


class Rule(Enum):
    """How a repository method is limited to the viewer (see the module docstring)."""

    SCOPED = "scoped"
    TEAM_TOTALS = "team totals"
    REFERENCE = "reference"
    COMPANY = "company"
    FULL_VIEW = "full view"


class AccessDenied(PermissionError):
    """A viewer asked for something their role does not allow; the message says what."""


RULES: dict[str, Rule] = {
    # KPIs
    "closed_opportunity_facts": Rule.SCOPED,
    "lead_facts": Rule.SCOPED,
    "new_customer_facts": Rule.SCOPED,
    "won_cycle_histogram": Rule.SCOPED,
    "order_months": Rule.SCOPED,
    "customer_lifespans": Rule.SCOPED,
    "closed_deals": Rule.SCOPED,
    "acquisition_spend": Rule.COMPANY,
    "has_acquisition_spend": Rule.COMPANY,
    "has_orders": Rule.COMPANY,
    "company_lead_totals": Rule.COMPANY,
    "team_closed_totals": Rule.TEAM_TOTALS,
    # dimensions
    "territories": Rule.SCOPED,
    "reps": Rule.SCOPED,
    "segments": Rule.REFERENCE,
    "data_bounds": Rule.REFERENCE,
    "schema_state": Rule.REFERENCE,
    "data_version": Rule.REFERENCE,
    "row_counts": Rule.FULL_VIEW,
    # Whole-company forecasts fitted on load (salesops.forecast.stored) and the Overview's
    # default results (salesops.overview_store).
    "stored_forecast": Rule.FULL_VIEW,
    # forecast
    "bookings_by_period": Rule.SCOPED,
    "won_amount_counts": Rule.SCOPED,
    "open_pipeline": Rule.SCOPED,
    "overdue_pipeline": Rule.SCOPED,
    "stage_outcomes": Rule.SCOPED,
    "stages": Rule.REFERENCE,
    "quotas_by_month": Rule.SCOPED,
    "active_reps": Rule.SCOPED,
    # territory
    "territory_account_facts": Rule.SCOPED,
    "territory_accounts": Rule.SCOPED,
    "territory_bookings": Rule.SCOPED,
    "territory_pipeline": Rule.SCOPED,
    "territory_reps": Rule.SCOPED,
    "territory_list": Rule.SCOPED,
    "account_details": Rule.SCOPED,
    # rep time
    "activity_types": Rule.REFERENCE,
    "time_reps": Rule.SCOPED,
    "activity_bounds": Rule.REFERENCE,
    "closed_bounds": Rule.REFERENCE,
    "activity_hours_by_rep": Rule.SCOPED,
    "activity_hours_by_period": Rule.SCOPED,
    "bookings_by_rep": Rule.SCOPED,
    "bookings_by_rep_month": Rule.SCOPED,
    # pipeline review
    "history_as_of": Rule.SCOPED,
    "review_history": Rule.SCOPED,
    "review_deals": Rule.SCOPED,
    "stage_entries": Rule.SCOPED,
    "waterfall_history": Rule.SCOPED,
    "steady_pipeline_amounts": Rule.SCOPED,
    "push_histories": Rule.SCOPED,
    "stage_stays": Rule.SCOPED,
    "stage_history": Rule.SCOPED,
    "quota_by_rep": Rule.SCOPED,
    "won_by_rep": Rule.SCOPED,
    "history_bounds": Rule.REFERENCE,
    # quarter call
    "call_snapshots": Rule.SCOPED,
    "call_won_by_day": Rule.SCOPED,
    # order to cash
    "order_bounds": Rule.REFERENCE,
    "cash_order_totals": Rule.SCOPED,
    "cash_bookings": Rule.SCOPED,
    "cash_cycle_days": Rule.SCOPED,
    "cash_receivables": Rule.SCOPED,
    "cash_slow_accounts": Rule.SCOPED,
    "cash_slow_orders": Rule.SCOPED,
    "cash_completeness": Rule.SCOPED,
    "cash_order_status": Rule.SCOPED,
    "cash_approvals": Rule.SCOPED,
    "cash_collected": Rule.SCOPED,
    # data quality and imports
    "quality_opportunities": Rule.FULL_VIEW,
    "quality_accounts": Rule.FULL_VIEW,
    "quality_leads": Rule.FULL_VIEW,
    "quality_reps": Rule.FULL_VIEW,
    "quality_counts": Rule.FULL_VIEW,
    "quality_trend": Rule.FULL_VIEW,
    "import_batches": Rule.FULL_VIEW,
}

C = TypeVar("C", bound=type)


def public_methods(cls: type) -> list[str]:
    """Returns the names of a class's public callables (its queries), sorted."""
    return sorted(
        name
        for name, value in inspect.getmembers(cls)
        if not name.startswith("_") and callable(value) and not isinstance(value, type)
    )


def enforce(cls: C) -> C:
    """Returns `cls` with every public method wrapped by its rule; raises if one has none."""
    for name in public_methods(cls):
        rule = RULES.get(name)
        if rule is None:
            raise TypeError(
                f"Repository.{name} has no access rule: add it to RULES in "
                "salesops/repository/access.py (SCOPED needs a `scope` parameter)."
            )
        method = getattr(cls, name)
        if getattr(method, "__access_rule__", None) is not None:
            continue
        setattr(cls, name, _wrapped(name, method, rule))
    return cls


def _wrapped(name: str, method: Callable, rule: Rule) -> Callable:
    """Returns `method` limited to the repository's viewer according to `rule`."""
    if rule in (Rule.SCOPED, Rule.TEAM_TOTALS):
        signature = inspect.signature(method)
        if "scope" not in signature.parameters:
            raise TypeError(f"Repository.{name} is {rule.name} but takes no `scope` parameter.")
        limit = "visible" if rule is Rule.SCOPED else "team"

        @functools.wraps(method)
        def scoped(self: Any, *args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(self, *args, **kwargs)
            asked = bound.arguments.get("scope", EVERYTHING)
            bound.arguments["scope"] = asked.intersect(getattr(self, limit))
            return method(*bound.args, **bound.kwargs)

        wrapper: Callable = scoped
    elif rule is Rule.FULL_VIEW:

        @functools.wraps(method)
        def full_view(self: Any, *args: Any, **kwargs: Any) -> Any:
            if not self.visible.is_everything:
                raise AccessDenied(
                    f"{name.replace('_', ' ')} covers the whole company: "
                    "your role sees only part of it."
                )
            return method(self, *args, **kwargs)

        wrapper = full_view
    else:
        wrapper = method
    if wrapper is method:

        @functools.wraps(method)
        def passthrough(self: Any, *args: Any, **kwargs: Any) -> Any:
            return method(self, *args, **kwargs)

        wrapper = passthrough
    wrapper.__access_rule__ = rule  # type: ignore[attr-defined]
    return wrapper
