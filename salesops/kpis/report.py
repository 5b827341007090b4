"""The KPI report: tiles, trends and breakdowns for one period and scope.

Fetches each fact frame once for the whole window it needs (previous period,
trend months and current period) and slices it, so a page costs seven small
rollup queries. The page, the CLI and the benchmarks all call `kpi_report`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from salesops.calendar import Period, preset_period, trailing_months
from salesops.config import Settings
from salesops.figures import Figure
from salesops.jsonable import json_value
from salesops.kpis.evaluation import (
    BREAKDOWN_KEYS,
    breakdown,
    evaluate,
    monthly_bookings,
    monthly_trends,
)
from salesops.kpis.facts import KpiFacts, allocate_spend
from salesops.kpis.metrics import KPIS
from salesops.repository import EVERYTHING, Repository, Scope

BREAKDOWNS = ("rep", "territory", "segment", "channel")
BREAKDOWN_LABELS = {
    "rep": "Rep",
    "territory": "Territory",
    "segment": "Segment",
    "channel": "Channel",
}


@dataclass(frozen=True)
class KpiReport:
    """Every figure the KPI page shows for one period and scope."""

    period: Period
    previous: Period
    scope: Scope
    current: dict[str, Figure]
    prior: dict[str, Figure]
    trends: dict[str, pd.DataFrame]
    breakdowns: dict[str, pd.DataFrame]
    bookings: pd.DataFrame  # month, bookings (won amount), won, lost over the trend months

    def change(self, name: str) -> float | None:
        """Returns current minus previous value of a KPI, or None if either is undefined."""
        now, before = self.current[name].value, self.prior[name].value
        return None if now is None or before is None else now - before

    def to_dict(self, by: str | None = None) -> dict:
        """Returns the JSON-ready report (DESIGN.md `kpis` shape; undefined -> null + reason)."""
        kpis = {}
        for name, kpi in KPIS.items():
            now, before = self.current[name], self.prior[name]
            kpis[name] = {
                "value": json_value(now.value),
                "previous": json_value(before.value),
                "change": json_value(self.change(name)),
                "unit": kpi.unit,
                "definition": kpi.definition,
                "reason": now.reason,
                "previous_reason": before.reason,
                "inputs": {k: json_value(v) for k, v in now.inputs.items()},
            }
        out = {
            "period": self.period.to_dict(),
            "previous_period": self.previous.to_dict(),
            "kpis": kpis,
        }
        if by is not None:
            frame = self.breakdowns[by]
            rows = []
            for record in frame.to_dict("records"):
                row = {by: record["name"]}
                row.update({k: json_value(v) for k, v in record.items() if k not in ("name",)})
                rows.append(row)
            out["breakdown"] = {"by": by, "rows": rows}
        return out


def scope_spend(repo: Repository, period: Period, scope: Scope) -> pd.DataFrame:
    """Returns acquisition spend for the period, allocated to the scope by its lead share."""
    spend = repo.acquisition_spend(period)
    # The repository limits `scope` to its viewer: compare what it will cover with the whole.
    if scope.intersect(getattr(repo, "visible", EVERYTHING)).is_everything:
        return spend
    grain = ("month", "channel")
    scope_leads = repo.lead_facts(period, scope, by=grain)
    return allocate_spend(spend, scope_leads, repo.company_lead_totals(period))


def load_facts(
    repo: Repository,
    period: Period,
    scope: Scope = EVERYTHING,
    by: tuple[str, ...] | None = None,
    *,
    spend: pd.DataFrame | None = None,
    lifespans: pd.DataFrame | None = None,
    customer_months: pd.DataFrame | None = None,
    spend_recorded: bool | None = None,
    orders_recorded: bool | None = None,
) -> KpiFacts:
    """Returns the KPI fact frames for `period` and `scope` (spend allocated to the scope).

    With `by` (e.g. ("month",) or ("rep_id",)), facts are summed in SQL to that grain and the
    cycle histogram is left empty; without it, facts come at full grain. Spend, lifespans,
    customer months and whether any spend or order is recorded, when already read for the
    same period and scope, can be passed in.
    """
    orders_have_key = by is None or bool(set(by) & {"month", "territory_id", "segment"})
    return KpiFacts(
        period=period,
        closed=repo.closed_opportunity_facts(period, scope, by=by),
        leads=repo.lead_facts(period, scope, by=by),
        new_customers=repo.new_customer_facts(period, scope, by=by),
        cycle_histogram=(
            repo.won_cycle_histogram(period, scope)
            if by is None
            else pd.DataFrame({"cycle_days": [], "deals": []})
        ),
        spend=scope_spend(repo, period, scope) if spend is None else spend,
        orders=(
            repo.order_months(period, scope, by=by)
            if orders_have_key
            else pd.DataFrame({"gross_margin": [], "revenue_without_margin": []})
        ),
        lifespans=repo.customer_lifespans(scope) if lifespans is None else lifespans,
        spend_recorded=repo.has_acquisition_spend() if spend_recorded is None else spend_recorded,
        customer_months=customer_months,
        orders_recorded=repo.has_orders() if orders_recorded is None else orders_recorded,
    )


def kpi_report(
    repo: Repository,
    period: Period,
    scope: Scope = EVERYTHING,
    settings: Settings | None = None,
    trend_months: int | None = None,
    breakdowns: tuple[str, ...] = BREAKDOWNS,
    previous: Period | None = None,
) -> KpiReport:
    """Returns tiles (current and comparison period), monthly trends and breakdowns.

    See `_report` for what is read.
    """
    return _report(repo, period, scope, settings, trend_months, breakdowns, previous)


def _report(
    repo: Repository,
    period: Period,
    scope: Scope,
    settings: Settings | None,
    trend_months: int | None,
    breakdowns: tuple[str, ...],
    previous: Period | None,
) -> KpiReport:
    """Returns the KPI report (see `kpi_report`).

    The comparison period is `previous` (e.g. the same period a year earlier), by default
    the period just before (`Period.previous`). Tiles and trends read month-grain facts once
    for the whole window; each breakdown reads facts summed to its own key for the current
    period; the median reads the cycle-day
    histogram of the current period. Every aggregation runs in SQL.
    """
    settings = settings or Settings()
    trend_months = trend_months or settings.trend_months
    previous = previous or period.previous()
    trend = trailing_months(period.end, max(trend_months, len(period.months())))
    window = Period(min(previous.start, trend.start), period.end)
    spans = repo.customer_lifespans(
        scope, window=window, inactive_months=settings.churn_inactive_months
    )

    recorded = {
        "spend_recorded": repo.has_acquisition_spend(),
        "orders_recorded": repo.has_orders(),
    }

    def monthly(p: Period) -> KpiFacts:
        facts = load_facts(repo, p, scope, ("month",), lifespans=spans, **recorded)
        return facts.with_customer_months(settings)

    if period.is_whole_months and previous.is_whole_months:
        everything = monthly(window)
        facts, prior_facts = everything.for_period(period), everything.for_period(previous)
        trend_facts = everything.for_period(trend)
    else:
        facts, prior_facts, trend_facts = (monthly(p) for p in (period, previous, trend))
    histogram = repo.won_cycle_histogram(period, scope, by_month=False)
    current = evaluate(replace(facts, cycle_histogram=histogram), settings)
    prior = evaluate(prior_facts, settings)
    trends = monthly_trends(trend_facts, settings)
    bookings = monthly_bookings(trend_facts, settings)
    names = _dimension_names(repo) if breakdowns else {}
    tables = {}
    for by in breakdowns:
        key = BREAKDOWN_KEYS[by]
        by_facts = load_facts(
            repo,
            period,
            scope,
            (key,),
            spend=facts.spend,
            lifespans=spans,
            customer_months=facts.customer_months,
            **recorded,
        )
        frame = breakdown(by_facts, by, settings)
        labels = names.get(by, {})
        frame.insert(0, "name", [labels.get(key, str(key)) for key in frame["key"]])
        tables[by] = frame
    return KpiReport(period, previous, scope, current, prior, trends, tables, bookings)


def _dimension_names(repo: Repository) -> dict[str, dict]:
    reps = repo.reps()
    territories = repo.territories()
    return {
        "rep": dict(zip(reps["id"].tolist(), reps["name"].tolist(), strict=True)),
        "territory": dict(
            zip(territories["id"].tolist(), territories["name"].tolist(), strict=True)
        ),
    }


def default_period(
    last_day: pd.Timestamp | None, months: int, first_closed: pd.Timestamp | None = None
) -> Period | None:
    """Returns the default ("trailing") period for data ending on `last_day`, or None.

    The last `months` whole months up to the data's last complete month (a month not over
    yet would compare a partial month with whole ones); see calendar.preset_period for data
    whose deals all closed in that unfinished month.
    """
    if last_day is None or pd.isna(last_day):
        return None
    closed = None if first_closed is None or pd.isna(first_closed) else first_closed
    first = pd.Timestamp(closed).date() if closed is not None else None
    return preset_period("trailing", pd.Timestamp(last_day).date(), months, first)
