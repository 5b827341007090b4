"""`salesops kpis`: the KPIs for a period, as on the KPIs page."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from salesops.cli.app import app
from salesops.cli.common import (
    OutputFormat,
    UrlOption,
    emit,
    friendly_errors,
    open_repository,
    resolve_period,
)
from salesops.config import load_settings

if TYPE_CHECKING:
    import pandas as pd


class Breakdown(StrEnum):
    """What `kpis --by` groups on."""

    rep = "rep"
    territory = "territory"
    segment = "segment"
    channel = "channel"
    month = "month"


@app.command()
@friendly_errors
def kpis(
    from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    by: Annotated[Breakdown | None, typer.Option(help="Break the KPIs down.")] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    territory: Annotated[list[int] | None, typer.Option(help="Territory id (repeatable).")] = None,
    segment: Annotated[list[str] | None, typer.Option(help="Segment (repeatable).")] = None,
    rep: Annotated[list[int] | None, typer.Option(help="Rep id (repeatable).")] = None,
    url: UrlOption = None,
) -> None:
    """KPIs for a period (default: the last 12 whole months of data), as on the KPIs page."""
    import pandas as pd

    from salesops.calendar import Period
    from salesops.formatting import format_value
    from salesops.kpis.metrics import KPIS
    from salesops.kpis.report import kpi_report
    from salesops.repository import Scope

    repo = open_repository(url)
    start, end = resolve_period(repo, from_, to)
    scope = Scope(tuple(territory or ()), tuple(segment or ()), tuple(rep or ()))
    settings = load_settings(url)
    by_name = by.value if by is not None else None
    breakdowns = (by_name,) if by_name not in (None, "month") else ()
    report = kpi_report(repo, Period(start, end), scope, settings, breakdowns=breakdowns)
    payload = report.to_dict(by=by_name if by_name != "month" else None)
    if by_name == "month":
        frame = _monthly_frame(report)
        payload["breakdown"] = {
            "by": "month",
            "rows": json.loads(frame.to_json(orient="records", date_format="iso")),
        }
    elif by_name is not None:
        frame = report.breakdowns[by_name].drop(columns=["key"]).rename(columns={"name": by_name})
    else:
        frame = pd.DataFrame(
            [
                {
                    "kpi": kpi.label,
                    "value": format_value(report.current[n].value, kpi.unit, settings.currency),
                    "previous": format_value(report.prior[n].value, kpi.unit, settings.currency),
                    "note": report.current[n].reason or "",
                }
                for n, kpi in KPIS.items()
            ]
        )
    emit(payload, frame, fmt)


def _monthly_frame(report: Any) -> pd.DataFrame:
    import pandas as pd

    from salesops.kpis.metrics import KPIS

    frame = report.trends["win_rate"][["month"]].copy()
    frame = frame[frame["month"] >= pd.Timestamp(report.period.start.replace(day=1))]
    for name in KPIS:
        frame[name] = report.trends[name]["value"]
    frame["month"] = frame["month"].dt.strftime("%Y-%m-%d")
    return frame.reset_index(drop=True)
