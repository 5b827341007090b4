"""`salesops cash`: order to cash for a period, as on the Order-to-cash page."""

from __future__ import annotations

from typing import Annotated

import typer

from salesops.cli.app import app
from salesops.cli.common import (
    OutputFormat,
    UrlOption,
    emit,
    fail,
    friendly_errors,
    open_repository,
    resolve_period,
)
from salesops.config import Settings, load_settings

CASH_DEFAULTS = Settings()  # the what-if options' defaults, shown by --help


@app.command()
@friendly_errors
def cash(
    from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    invoice_days_cut: Annotated[
        float, typer.Option(help="What-if: days taken off ordering → invoicing.")
    ] = CASH_DEFAULTS.cash_what_if_invoice_days,
    pay_days_cut: Annotated[
        float, typer.Option(help="What-if: days taken off invoicing → payment.")
    ] = CASH_DEFAULTS.cash_what_if_pay_days,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    territory: Annotated[list[int] | None, typer.Option(help="Territory id (repeatable).")] = None,
    segment: Annotated[list[str] | None, typer.Option(help="Segment (repeatable).")] = None,
    rep: Annotated[list[int] | None, typer.Option(help="Rep id (repeatable).")] = None,
    url: UrlOption = None,
) -> None:
    """Booked → ordered → invoiced → paid, days per step, receivables, DSO and a what-if."""
    import pandas as pd

    from salesops.calendar import Period
    from salesops.cash.report import NO_ORDERS, cash_report, cash_to_json
    from salesops.cash.what_if import cash_what_if
    from salesops.repository import Scope

    if invoice_days_cut < 0 or pay_days_cut < 0:
        fail("--invoice-days-cut and --pay-days-cut must be zero or more.")
    repo = open_repository(url)
    if repo.order_bounds()["first"] is None:
        fail(NO_ORDERS)
    start, end = resolve_period(repo, from_, to)
    scope = Scope(tuple(territory or ()), tuple(segment or ()), tuple(rep or ()))
    settings = load_settings(url)
    report = cash_report(repo, Period(start, end), scope, settings)
    what_if = cash_what_if(report.rates, invoice_days_cut, pay_days_cut, settings.cost_of_capital)
    payload = cash_to_json(report)
    payload["what_if"] = what_if.to_json()
    frame = report.funnel.stages[["label", "count", "amount"]].rename(columns={"label": "stage"})
    extra = pd.DataFrame(
        [
            {"stage": "Receivable (invoiced, unpaid)", "count": None,
             "amount": report.totals["receivable"]},
            {"stage": "Overdue", "count": None, "amount": report.totals["overdue"]},
        ]
    )  # fmt: skip
    emit(payload, pd.concat([frame, extra], ignore_index=True), fmt)
