"""The order-to-cash report the page, `salesops cash` and bench/ all call.

`cash_inputs` runs the repository queries once for a period and scope; `build_cash_report`
turns them into the funnel, days per step, receivables, breakdowns and the accounts and
orders that most delay cash, with pure functions; `cash_what_if` (what_if.py) answers the
sliders from `CashReport.rates` without another query.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import pandas as pd

from salesops.calendar import Period
from salesops.cash.approvals import Approvals, approvals
from salesops.cash.breakdown import BY, breakdown
from salesops.cash.completeness import Completeness, completeness
from salesops.cash.cycle import LEG_LABELS, cycle_summary, cycle_trend
from salesops.cash.funnel import Funnel, cash_funnel
from salesops.cash.receivables import aging, dso, receivable_totals
from salesops.cash.what_if import CashRates
from salesops.config import Settings
from salesops.db.engine import side_by_side
from salesops.figures import Figure
from salesops.jsonable import json_value
from salesops.repository import EVERYTHING, Repository, Scope
from salesops.repository.cash import order_status_parts

NO_ORDERS = (
    "No orders yet: import orders (order date, amount, account; invoice and payment dates "
    "when you have them) on the Data page, or run `salesops demo`."
)


@dataclass(frozen=True)
class CashInputs:
    """The repository's answers for one period and scope (see `cash_inputs`)."""

    period: Period
    as_of: date
    has_orders: bool
    order_totals: pd.DataFrame
    bookings: pd.DataFrame
    cycle_by_month: pd.DataFrame
    cycle_by_dimension: pd.DataFrame
    receivables: pd.DataFrame
    slow_accounts: pd.DataFrame
    slow_orders: pd.DataFrame
    rep_names: dict[int, str]
    territory_names: dict[int, str]
    required_fields: tuple[str, ...]
    completeness: pd.DataFrame
    approval_minutes: pd.DataFrame
    approval_reps: pd.DataFrame
    approval_logged: pd.DataFrame  # rep_id, hours of approval activities in the time logs


def cash_as_of(period: Period, last: date | None) -> date:
    """Returns the date receivables are read on: the period's end, or the data's last day."""
    if last is None or last >= period.end:
        return period.end
    return max(last, period.start)


def cash_inputs(
    repo: Repository, period: Period, scope: Scope = EVERYTHING, settings: Settings | None = None
) -> CashInputs:
    """Returns every frame the report needs, read once for `period` and `scope`.

    The reads are independent once the as-of date is known, so they run side by side
    (salesops.db.engine.side_by_side threads), the longest first.
    """
    chosen = settings or Settings()
    bounds = repo.order_bounds()
    as_of = cash_as_of(period, bounds["last"])
    terms, limit = chosen.payment_terms_days, chosen.cash_rows_listed
    fields = tuple(chosen.order_required_fields)
    read = _side_by_side(
        repo,
        {
            "status": lambda: repo.cash_order_status(period, fields, scope),
            "slow_accounts": lambda: repo.cash_slow_accounts(as_of, terms, limit, scope),
            "slow_orders": lambda: repo.cash_slow_orders(as_of, limit, scope),
            "receivables": lambda: repo.cash_receivables(
                as_of, terms, chosen.aging_buckets, scope
            ),  # fmt: skip
            "cycle_by_month": lambda: repo.cash_cycle_days(period, scope, by="month"),
            "cycle_by_dimension": lambda: repo.cash_cycle_days(period, scope, by="dimension"),
            "approval_minutes": lambda: repo.cash_approvals(period, scope, by="minutes"),
            "approval_reps": lambda: repo.cash_approvals(period, scope, by="rep"),
            "bookings": lambda: repo.cash_bookings(period, scope),
            "logged": lambda: repo.activity_hours_by_rep(period, scope),
            "reps": lambda: repo.reps(scope),
            "territories": lambda: repo.territories(scope),
        },
    )
    # order totals and completeness: one read of the orders' status rows, summed two ways
    order_totals, complete = order_status_parts(read["status"], fields)
    reps, territories, logged = read["reps"], read["territories"], read["logged"]
    return CashInputs(
        period=period,
        as_of=as_of,
        has_orders=bounds["first"] is not None,
        order_totals=order_totals,
        bookings=read["bookings"],
        cycle_by_month=read["cycle_by_month"],
        cycle_by_dimension=read["cycle_by_dimension"],
        receivables=read["receivables"],
        slow_accounts=read["slow_accounts"],
        slow_orders=read["slow_orders"],
        rep_names=dict(zip(reps["id"].astype(int), reps["name"], strict=True)),
        territory_names=dict(zip(territories["id"].astype(int), territories["name"], strict=True)),
        required_fields=fields,
        completeness=complete,
        approval_minutes=read["approval_minutes"],
        approval_reps=read["approval_reps"],
        approval_logged=logged[logged["activity"].isin(chosen.approval_activities)][
            ["rep_id", "hours"]
        ],
    )


def _side_by_side(repo: Repository, reads: dict[str, Callable[[], pd.DataFrame]]) -> dict:
    """Returns each read's frame, run in `side_by_side(repo.engine)` threads (in order)."""
    workers = side_by_side(getattr(repo, "engine", None))
    if workers <= 1:
        return {name: read() for name, read in reads.items()}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cash") as pool:
        started = {name: pool.submit(read) for name, read in reads.items()}
        return {name: future.result() for name, future in started.items()}


@dataclass(frozen=True)
class CashReport:
    """Order to cash for a period: funnel, days, receivables, breakdowns, what delays cash."""

    period: Period
    as_of: date
    has_orders: bool
    funnel: Funnel
    cycle: dict[str, dict[str, Figure]]
    trend: pd.DataFrame
    aging: pd.DataFrame
    totals: dict[str, float]
    invoiced_in_period: float
    dso: Figure
    breakdowns: dict[str, pd.DataFrame]
    slow_accounts: pd.DataFrame
    slow_orders: pd.DataFrame
    rates: CashRates
    notes: list[str]
    completeness: Completeness
    approvals: Approvals


def _slow_orders(frame: pd.DataFrame, as_of: date, terms_days: int) -> pd.DataFrame:
    """Returns the slow orders with status and days past due (None when not yet due)."""
    table = frame.copy()
    invoiced = table["invoiced_at"].notna()
    past_due = (pd.Timestamp(as_of) - table["invoiced_at"]).dt.days - terms_days
    table["status"] = invoiced.map({True: "invoiced", False: "not invoiced"})
    table["days_past_due"] = past_due.where(invoiced & (past_due > 0)).astype("Int64")
    return table


def build_cash_report(inputs: CashInputs, settings: Settings | None = None) -> CashReport:
    """Returns the report of `inputs` (pure: no query)."""
    chosen = settings or Settings()
    i = inputs
    funnel = cash_funnel(i.order_totals, i.bookings)
    cycle = cycle_summary(i.cycle_by_month)
    invoiced = i.cycle_by_month[i.cycle_by_month["leg"] == "order_to_invoice"]
    invoiced_in_period = float(invoiced["amount"].sum())
    totals = receivable_totals(i.receivables)
    days = (i.as_of - i.period.start).days + 1
    dso_figure = dso(totals["receivable"], invoiced_in_period, days)
    names = {"rep": i.rep_names, "territory": i.territory_names, "segment": {}}
    breakdowns = {
        by: breakdown(
            by, i.order_totals, i.bookings, i.cycle_by_dimension, i.receivables, names[by]
        )
        for by in BY
    }
    slow_accounts = i.slow_accounts.assign(
        territory=i.slow_accounts["territory_id"].map(
            lambda t: None if pd.isna(t) else i.territory_names.get(int(t))
        )
    )
    rates = CashRates(
        ordered_per_day=funnel.amount("ordered") / i.period.days,
        invoiced_per_day=invoiced_in_period / days,
        days_to_invoice=cycle["order_to_invoice"]["mean"].value,
        days_to_pay=cycle["invoice_to_paid"]["mean"].value,
        not_invoiced=totals["not_invoiced"],
        receivable=totals["receivable"],
        dso=dso_figure.value,
    )
    notes = funnel.warnings()
    if funnel.count("ordered") and not funnel.count("invoiced"):
        notes.append("None of the period's orders has an invoice date yet: import invoice "
                     "dates to see days to invoice, receivables and DSO.")  # fmt: skip
    orders_by_rep = i.order_totals.groupby("rep_id", dropna=False, as_index=False)["orders"].sum()
    return CashReport(
        completeness=completeness(i.completeness, i.required_fields, i.rep_names),
        approvals=approvals(
            i.approval_minutes, i.approval_reps, i.approval_logged, orders_by_rep, i.rep_names
        ),
        period=i.period,
        as_of=i.as_of,
        has_orders=i.has_orders,
        funnel=funnel,
        cycle=cycle,
        trend=cycle_trend(i.cycle_by_month),
        aging=aging(i.receivables, chosen.aging_buckets),
        totals=totals,
        invoiced_in_period=invoiced_in_period,
        dso=dso_figure,
        breakdowns=breakdowns,
        slow_accounts=slow_accounts,
        slow_orders=_slow_orders(i.slow_orders, i.as_of, chosen.payment_terms_days),
        rates=rates,
        notes=notes,
    )


def cash_report(
    repo: Repository, period: Period, scope: Scope = EVERYTHING, settings: Settings | None = None
) -> CashReport:
    """Returns the order-to-cash report of `period` and `scope` (reads, then builds)."""
    return build_cash_report(cash_inputs(repo, period, scope, settings), settings)


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [
        {k: json_value(v, dates="date") for k, v in row.items()}
        for row in frame.astype("object").to_dict(orient="records")
    ]


def cash_to_json(report: CashReport) -> dict[str, object]:
    """Returns the report as the `salesops cash --format json` contract.

    Keys: period {from, to}, as_of, funnel {stages: [...], booked_not_ordered, ...},
    cycle {leg: {mean, median, p90, reason}}, trend, receivables {not_invoiced, receivable,
    overdue, aging: [...]}, dso {value, reason}, breakdown {rep|territory|segment: [...]},
    slow_accounts, slow_orders, notes. Money in the database currency; ratios as fractions.
    """
    f = report.funnel
    return {
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "as_of": report.as_of.isoformat(),
        "has_orders": report.has_orders,
        "funnel": {
            "stages": _records(f.stages),
            "booked_not_ordered": f.booked_not_ordered,
            "booked_not_ordered_amount": f.booked_not_ordered_amount,
            "first_orders": f.first_orders,
            "repeat_orders": f.repeat_orders,
            "nonpositive_orders": f.nonpositive_orders,
            "paid_before_invoiced": f.paid_before_invoiced,
            "paid_not_invoiced": f.paid_not_invoiced,
        },
        "cycle": {
            leg: {
                "label": LEG_LABELS[leg],
                **{stat: fig.value for stat, fig in stats.items()},
                "reason": stats["mean"].reason,
            }
            for leg, stats in report.cycle.items()
        },
        "trend": _records(report.trend),
        "receivables": {**report.totals, "aging": _records(report.aging)},
        "invoiced_in_period": report.invoiced_in_period,
        "dso": report.dso.to_json(),
        "breakdown": {by: _records(frame) for by, frame in report.breakdowns.items()},
        "slow_accounts": _records(report.slow_accounts),
        "slow_orders": _records(report.slow_orders),
        "completeness": {
            **report.completeness.to_json(),
            "by_rep": _records(report.completeness.by_rep),
        },
        "approvals": {
            **report.approvals.to_json(),
            "by_approver": _records(report.approvals.by_approver),
            "by_rep": _records(report.approvals.by_rep),
        },
        "notes": report.notes,
    }
