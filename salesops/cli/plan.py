"""`salesops plan`: next year's quotas calibrated to attainment, the hires the target needs."""

from __future__ import annotations

from typing import Annotated

import typer

from salesops.cli.app import app
from salesops.cli.common import (
    AsOfOption,
    OutputFormat,
    UrlOption,
    emit,
    fail,
    friendly_errors,
    number_option,
    open_repository,
    parse_date,
)
from salesops.config import Settings, load_settings
from salesops.numbers import AMOUNT, POSITIVE_FRACTION, RATIO

PLAN_DEFAULTS = Settings()  # the `plan` options' defaults, shown by --help


@app.command()
@friendly_errors
def plan(
    target: Annotated[
        float | None,
        number_option(AMOUNT, "Team bookings target for the quota year (default: today's quotas)."),
    ] = None,
    attainment_target: Annotated[
        float,
        number_option(
            POSITIVE_FRACTION, "Share of reps expected at 100% of quota or more (0.65 = 65%)."
        ),
    ] = PLAN_DEFAULTS.attainment_target,
    utilisation: Annotated[
        float,
        number_option(
            POSITIVE_FRACTION, "Utilisation the hires staff each territory to (0.9 = 90%)."
        ),
    ] = PLAN_DEFAULTS.plan_target_utilisation,
    lead_months: Annotated[
        int, typer.Option(help="Months until a planned hire starts.")
    ] = PLAN_DEFAULTS.plan_hiring_lead_months,
    change_cap: Annotated[
        float, number_option(RATIO, "Most a quota may change from today's (0.25 = ±25%).")
    ] = PLAN_DEFAULTS.quota_change_cap,
    hires: Annotated[
        bool, typer.Option(help="Let new hires carry the part of the target reps cannot.")
    ] = True,
    backtest: Annotated[
        bool, typer.Option(help="Add the calibration's track record on last year.")
    ] = True,
    as_of: AsOfOption = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    territory_id: Annotated[
        list[int] | None, typer.Option("--territory", help="Territory id (repeatable).")
    ] = None,
    segment: Annotated[list[str] | None, typer.Option(help="Segment (repeatable).")] = None,
    url: UrlOption = None,
) -> None:
    """Quotas calibrated to attainment, expected attainment and the hires the target needs."""
    from salesops.plan.backtest import quota_backtest
    from salesops.plan.report import PlanChoices, build_plan, plan_inputs, plan_to_json, validate
    from salesops.repository import Scope
    from salesops.territory.quotas import QuotaPolicy

    choices = PlanChoices(
        team_target=target,
        attainment_target=attainment_target,
        target_utilisation=utilisation,
        hiring_lead_months=lead_months,
        change_cap=change_cap,
        allow_hires=hires,
    )
    try:
        validate(choices)
    except ValueError as exc:
        fail(str(exc))
    repo = open_repository(url)
    scope = Scope(tuple(territory_id or ()), tuple(segment or ()), ())
    inputs = plan_inputs(repo, scope, parse_date(as_of, "--as-of"))
    if inputs.data.is_empty or inputs.reps.empty:
        fail("The database has no territories, accounts or reps yet: import them or run "
             "salesops demo.")  # fmt: skip
    defaults = load_settings(url)
    report = build_plan(inputs, choices, defaults)
    record = None
    if backtest:
        policy = QuotaPolicy.from_settings(
            defaults, attainment_target=attainment_target, change_cap=change_cap
        )
        start = inputs.data.quota_year.start
        record = quota_backtest(repo, start, policy, scope, defaults).to_json()
    payload = plan_to_json(report, record)
    frame = report.quota_table[
        ["rep", "territory", "current_quota", "suggested_quota", "chance_current",
         "chance_suggested", "flag"]
    ]  # fmt: skip
    emit(payload, frame, fmt)
