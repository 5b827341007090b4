"""`salesops territory`: balance, flags, a rebalancing proposal and quota suggestions."""

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
    parse_date,
)
from salesops.config import Settings, load_settings
from salesops.repository import Scope


class Peer(StrEnum):
    """Whom `territory` compares each territory with."""

    segment = "segment"
    team = "team"


TERRITORY_DEFAULTS = Settings()  # the `territory` options' defaults, shown by --help
TERRITORY_PEER = Peer(TERRITORY_DEFAULTS.peer_group)


@app.command()
@friendly_errors
def territory(
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Analysis date, YYYY-MM-DD (default: last data).")
    ] = None,
    peer: Annotated[
        Peer, typer.Option(help="Compare with the segment or the team.")
    ] = TERRITORY_PEER,
    threshold: Annotated[
        float, typer.Option(help="Flag beyond this fraction of the peer median (0.25 = 25%).")
    ] = TERRITORY_DEFAULTS.flag_threshold,
    max_moves: Annotated[
        int, typer.Option(help="Most account moves to propose.")
    ] = TERRITORY_DEFAULTS.rebalance_max_moves,
    max_share: Annotated[
        float | None, typer.Option(help="Most accounts moved, as a fraction of all accounts.")
    ] = TERRITORY_DEFAULTS.rebalance_max_share,
    same_region: Annotated[
        bool, typer.Option(help="Move accounts within a region only.")
    ] = TERRITORY_DEFAULTS.rebalance_same_region,
    same_segment: Annotated[
        bool, typer.Option(help="Move accounts to their segment only.")
    ] = TERRITORY_DEFAULTS.rebalance_same_segment,
    keep_largest: Annotated[
        int, typer.Option(help="Keep each territory's N largest accounts where they are.")
    ] = TERRITORY_DEFAULTS.rebalance_keep_largest,
    target: Annotated[
        float | None, typer.Option(help="Team quota target (default: sum of current quotas).")
    ] = None,
    territory_id: Annotated[
        list[int] | None, typer.Option("--territory", help="Territory id (repeatable).")
    ] = None,
    segment: Annotated[list[str] | None, typer.Option(help="Segment (repeatable).")] = None,
    url: UrlOption = None,
) -> None:
    """Territory balance, flags, a rebalancing proposal and quota suggestions (as on the page)."""
    from salesops.territory.assumptions import TerritorySettings
    from salesops.territory.rebalance import Constraints
    from salesops.territory.report import (
        proposal_accounts,
        report_from_data,
        report_to_json,
        territory_data,
    )

    if not 0 <= threshold <= 10:
        fail(f"--threshold {threshold} is out of range: use a fraction such as 0.25.")
    if max_share is not None and not 0 <= max_share <= 1:
        fail(f"--max-share {max_share} is out of range: use a fraction between 0 and 1.")
    if max_moves < 0 or keep_largest < 0:
        fail("--max-moves and --keep-largest must not be negative.")
    repo = open_repository(url)
    scope = Scope(tuple(territory_id or ()), tuple(segment or ()), ())
    data = territory_data(repo, scope, parse_date(as_of, "--as-of"))
    if data.is_empty:
        fail("The database has no territories or accounts yet: import a CSV or run salesops demo.")
    defaults = load_settings(url)
    settings = TerritorySettings.from_settings(defaults, threshold=threshold, peer=peer.value)
    constraints = Constraints.from_settings(
        defaults,
        same_region=same_region,
        same_segment=same_segment,
        max_moves=max_moves,
        max_share=max_share,
        keep_largest=keep_largest,
    )
    rows = proposal_accounts(repo, scope)
    report = report_from_data(data, rows, settings, constraints, team_target=target)
    payload = {"as_of": data.as_of.isoformat(), **report_to_json(report)}
    frame = report.territories[
        ["territory", "segment", "accounts", "reps", "potential", "capacity_hours",
         "potential_per_capacity_hour", "deviation", "flag"]
    ]  # fmt: skip
    emit(payload, frame, fmt)
