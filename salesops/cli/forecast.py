"""`salesops forecast`: the bookings forecast, as on the Forecast page."""

from __future__ import annotations

from enum import StrEnum
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
)
from salesops.config import Settings, load_settings


class Frequency(StrEnum):
    """`forecast --freq`: weeks (starting Monday) or months."""

    W = "W"
    M = "M"


FORECAST_FREQ_DEFAULT = Frequency(Settings.forecast_freq)


class ForecastBy(StrEnum):
    """What `forecast --by` forecasts separately."""

    territory = "territory"
    segment = "segment"


@app.command()
@friendly_errors
def forecast(
    freq: Annotated[
        Frequency, typer.Option(help="W (weekly) or M (monthly).")
    ] = FORECAST_FREQ_DEFAULT,
    horizon: Annotated[
        int, typer.Option(help=f"Periods to forecast (1-{Settings.forecast_max_horizon}).")
    ] = Settings.forecast_horizon,
    by: Annotated[ForecastBy | None, typer.Option(help="Also forecast each one.")] = None,
    backtest: Annotated[
        bool, typer.Option("--backtest/--no-backtest", help="Rolling-origin backtest.")
    ] = False,
    holidays: Annotated[
        str | None, typer.Option(help="Country code for Prophet's holidays, e.g. US.")
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    territory: Annotated[list[int] | None, typer.Option(help="Territory id (repeatable).")] = None,
    segment: Annotated[list[str] | None, typer.Option(help="Segment (repeatable).")] = None,
    url: UrlOption = None,
) -> None:
    """Bookings forecast (Prophet or the seasonal-naive fallback), as on the Forecast page."""
    from dataclasses import replace

    from salesops.forecast.params import page_params
    from salesops.forecast.report import forecast_report
    from salesops.repository import Scope

    settings = load_settings(url)
    if not 1 <= horizon <= settings.forecast_max_horizon:
        fail(
            f"--horizon {horizon} is out of range: "
            f"use 1 to {settings.forecast_max_horizon} periods."
        )
    repo = open_repository(url)
    if repo.data_bounds()["last"] is None:
        fail("The database has no opportunities or leads yet: import a CSV or run salesops demo.")
    params = replace(page_params(settings), country_holidays=holidays or None).validate()
    scope = Scope(tuple(territory or ()), tuple(segment or ()))
    report = forecast_report(
        repo,
        freq.value,
        horizon,
        by.value if by is not None else None,
        scope,
        backtest=backtest,
        params=params,
        settings=settings,
    )
    for note in (report.bookings_reason, report.amounts.caption):
        if note is not None:
            typer.echo(f"Note: {note}", err=True)
    frame = report.forecast_table()
    frame["ds"] = frame["ds"].dt.strftime("%Y-%m-%d")
    emit(report.to_dict(), frame, fmt)
