"""`salesops territory`: utilisation, flags, a rebalancing proposal and quota suggestions."""

from __future__ import annotations

from enum import StrEnum
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
from salesops.numbers import FRACTION, RATIO


class Peer(StrEnum):
    """Whom `territory` compares each territory's potential per selling hour with."""

    segment = "segment"
    team = "team"


TERRITORY_DEFAULTS = Settings()  # the `territory` options' defaults, shown by --help
TERRITORY_PEER = Peer(TERRITORY_DEFAULTS.peer_group)


def _check(over: float, under: float, max_share: float | None, counts: tuple[int, ...]) -> None:
    """Fails with one sentence on an out-of-range option."""
    if not 0 < under < over <= 10:
        fail(
            f"--under {under:g} and --over {over:g} must be fractions with 0 < under < over "
            "(e.g. 0.7 and 1.1)."
        )
    if max_share is not None and not 0 <= max_share <= 1:
        fail(f"--max-share {max_share} is out of range: use a fraction between 0 and 1.")
    if min(counts) < 0:
        fail("--max-moves, --max-swaps and --keep-largest must not be negative.")


@app.command()
@friendly_errors
def territory(
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    as_of: AsOfOption = None,
    over: Annotated[
        float, number_option(RATIO, "Over-loaded above this utilisation (1.1 = 110%).")
    ] = TERRITORY_DEFAULTS.utilisation_over,
    under: Annotated[
        float, number_option(RATIO, "Under-loaded below this utilisation (0.7 = 70%).")
    ] = TERRITORY_DEFAULTS.utilisation_under,
    peer: Annotated[
        Peer, typer.Option(help="Potential balance against the segment or the team.")
    ] = TERRITORY_PEER,
    max_moves: Annotated[
        int, typer.Option(help="Most account moves to propose.")
    ] = TERRITORY_DEFAULTS.rebalance_max_moves,
    max_swaps: Annotated[
        int, typer.Option(help="Most account swaps to propose.")
    ] = TERRITORY_DEFAULTS.rebalance_max_swaps,
    max_share: Annotated[
        float | None, number_option(FRACTION, "Most accounts moved, as a fraction of all accounts.")
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
    territory_id: Annotated[
        list[int] | None, typer.Option("--territory", help="Territory id (repeatable).")
    ] = None,
    segment: Annotated[list[str] | None, typer.Option(help="Segment (repeatable).")] = None,
    url: UrlOption = None,
) -> None:
    """Territory utilisation and flags, a rebalancing proposal and quotas (as on the page)."""
    from salesops.plan.report import PlanChoices, build_plan, plan_inputs
    from salesops.repository import Scope
    from salesops.territory.assumptions import TerritorySettings
    from salesops.territory.presentation import proposal_account_ids, with_owners
    from salesops.territory.rebalance import Constraints
    from salesops.territory.report import (
        build_report,
        frame_records,
        proposal_accounts,
        report_to_json,
    )

    _check(over, under, max_share, (max_moves, max_swaps, keep_largest))
    repo = open_repository(url)
    scope = Scope(tuple(territory_id or ()), tuple(segment or ()), ())
    inputs = plan_inputs(repo, scope, parse_date(as_of, "--as-of"))
    data = inputs.data
    if data.is_empty:
        fail("The database has no territories or accounts yet: import a CSV or run salesops demo.")
    defaults = load_settings(url)
    settings = TerritorySettings.from_settings(defaults, over=over, under=under, peer=peer.value)
    constraints = Constraints.from_settings(
        defaults, same_region=same_region, same_segment=same_segment, max_moves=max_moves,
        max_swaps=max_swaps, max_share=max_share, keep_largest=keep_largest,
    )  # fmt: skip
    report = build_report(data, settings, constraints, proposal_accounts(repo, scope))
    plan = build_plan(inputs, PlanChoices(allow_hires=False), defaults)
    payload = {"as_of": data.as_of.isoformat(), **report_to_json(report, defaults),
               "quota_suggestions": frame_records(plan.quota_table)}  # fmt: skip
    details = repo.account_details(proposal_account_ids(report.proposal), data.bookings, scope)
    payload["proposal"] = with_owners(payload["proposal"], details)
    frame = report.territories[
        ["territory", "segment", "accounts", "reps", "workload_hours", "capacity_hours",
         "utilisation", "flag", "potential", "pph_vs_peers"]
    ]  # fmt: skip
    emit(payload, frame, fmt)
    if fmt is OutputFormat.table and report.mismatch is not None:
        typer.echo("\n" + report.mismatch.sentence())
