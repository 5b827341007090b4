"""`salesops time`: rep time allocation and the freed-time what-if."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from salesops.cli.app import app
from salesops.cli.common import (
    OutputFormat,
    UrlOption,
    emit,
    fail,
    friendly_errors,
    number_option,
    open_repository,
    resolve_period,
)
from salesops.config import Settings, load_settings
from salesops.numbers import EXPONENT, FRACTION, NON_NEGATIVE_AMOUNT, RATIO


class TrendFreq(StrEnum):
    """Trend bucket for `time --freq`."""

    W = "W"
    M = "M"


@app.command("time")
@friendly_errors
def time_allocation(
    from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    territory: Annotated[list[int] | None, typer.Option(help="Territory id (repeatable).")] = None,
    segment: Annotated[list[str] | None, typer.Option(help="Segment (repeatable).")] = None,
    rep: Annotated[list[int] | None, typer.Option(help="Rep id (repeatable).")] = None,
    team: Annotated[list[str] | None, typer.Option(help="Manager's team (repeatable).")] = None,
    freq: Annotated[TrendFreq, typer.Option(help="Trend by week or month.")] = TrendFreq[
        Settings.time_trend_freq
    ],
    shift: Annotated[
        float, number_option(FRACTION, "Share of back-office hours moved to sales ops.")
    ] = Settings.what_if_shift_share,
    activity: Annotated[
        list[str] | None, typer.Option(help="Back-office activity to move (default: all).")
    ] = None,
    conversion: Annotated[
        float, number_option(FRACTION, "Share of freed hours that become selling.")
    ] = Settings.what_if_selling_conversion,
    ops_cost: Annotated[
        float | None,
        number_option(
            NON_NEGATIVE_AMOUNT, "Sales-ops hourly cost (default: a share of the reps' mean)."
        ),
    ] = None,
    ops_factor: Annotated[
        float, number_option(RATIO, "Sales-ops hours per rep hour moved.")
    ] = Settings.what_if_sales_ops_time_factor,
    elasticity: Annotated[
        float,
        number_option(EXPONENT, "Revenue curve exponent: 1 linear, <1 diminishing."),
    ] = Settings.what_if_elasticity,
    release: Annotated[
        bool, typer.Option(help="Count unconverted freed hours as released rep cost.")
    ] = Settings.what_if_release_unconverted,
    lift: Annotated[
        float, number_option(RATIO, "Productivity lift for moving the middle.")
    ] = Settings.middle_lift,
    ramp_months: Annotated[
        int, typer.Option(min=0, help="Months to shorten the ramp by.")
    ] = Settings.ramp_months_shorter,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    url: UrlOption = None,
) -> None:
    """Rep time allocation: selling share vs benchmark, unit costs and the freed-time what-if."""
    from dataclasses import replace

    from salesops.calendar import Period
    from salesops.repository import Scope
    from salesops.time_allocation.report import time_report, time_report_json
    from salesops.time_allocation.what_if import default_scenario

    settings = load_settings(url)
    repo = open_repository(url)
    start, end = resolve_period(repo, from_, to)
    scope = Scope(tuple(territory or ()), tuple(segment or ()), tuple(rep or ()))
    if team:
        scope = _team_only(repo, scope, team)
    report = time_report(repo, Period(start, end), scope, settings, freq.value)
    scenario = replace(
        default_scenario(report.what_if_base, settings),
        shift_share=shift,
        activities=tuple(activity) if activity else None,
        sales_ops_time_factor=ops_factor,
        selling_conversion=conversion,
        elasticity=elasticity,
        release_unconverted=release,
    )
    if ops_cost is not None:
        scenario = replace(scenario, sales_ops_hourly_cost=ops_cost)
    payload = time_report_json(report, scenario, lift=lift, ramp_months=ramp_months)
    if report.warning:
        typer.echo(f"Warning: {report.warning}", err=True)
    emit(payload, report.rep_table(), fmt)


def _team_only(repo: Any, scope: Any, team: list[str]) -> Any:
    """Returns `scope` narrowed to the --team managers' reps (fails on an unknown manager)."""
    from salesops.time_allocation.team import team_scope

    unknown = sorted(set(team) - set(repo.time_reps()["manager"].dropna()))
    if unknown:
        fail(f"--team {', '.join(unknown)} is not a manager in the database.")
    if (team_only := team_scope(scope, repo.time_reps(), team)) is None:
        fail("No rep is in both the chosen --team and --rep.")
    return team_only
