"""The territory report: reads what the Territory page needs and runs the territory model.

The page, the CLI and the benchmark all call `territory_data` (five small GROUP BY queries)
and, for a rebalancing proposal, `proposal_accounts`; `territory_report` does both and builds
the one `TerritoryReport`. Assumptions left out (None) come from Settings. Nothing here
touches Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from salesops.calendar import Period, add_months, trailing_months
from salesops.config import load_settings
from salesops.jsonable import json_value
from salesops.repository import EVERYTHING, Repository, Scope
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.balance import BalanceIndex, team_balance, uncovered_potential
from salesops.territory.metrics import rep_metrics, territory_metrics
from salesops.territory.quotas import QuotaWeights, suggest_quotas
from salesops.territory.rebalance import Constraints, Proposal, propose_moves


@dataclass(frozen=True)
class TerritoryData:
    """The frames the territory functions take, read at one `as_of` date."""

    as_of: date
    bookings: Period
    quota_year: Period
    accounts: pd.DataFrame
    reps: pd.DataFrame
    territories: pd.DataFrame

    @property
    def is_empty(self) -> bool:
        """Returns True when there are no territories or no accounts to balance."""
        return self.territories.empty or self.accounts.empty


@dataclass(frozen=True)
class TerritoryReport:
    """Everything the Territory balance page and `salesops territory` show."""

    territories: pd.DataFrame
    reps: pd.DataFrame
    balance: BalanceIndex
    rep_balance: BalanceIndex
    uncovered_potential: float
    proposal: Proposal
    quotas: pd.DataFrame
    settings: TerritorySettings


def periods_for(as_of: date) -> tuple[Period, Period]:
    """Returns (bookings window, quota year) for an analysis date.

    Bookings: the 12 whole months ending with as_of's month when as_of is a month end (so the
    monthly rollup serves it), else the 365 days up to as_of. Quota year: the 12 months from
    as_of's month.
    """
    if (as_of + timedelta(days=1)).day == 1:
        bookings = trailing_months(as_of, 12)
    else:
        bookings = Period(as_of - timedelta(days=364), as_of)
    start = as_of.replace(day=1)
    quota_year = Period(start, add_months(start, 12) - timedelta(days=1))
    return bookings, quota_year


def _sum_by(frame: pd.DataFrame, keys: list[str], value: str, name: str) -> pd.DataFrame:
    """Returns `value` summed by `keys` (missing keys kept), renamed `name`."""
    return (
        frame.groupby(keys, dropna=False, as_index=False)[value].sum().rename(columns={value: name})
    )


def territory_data(
    repo: Repository, scope: Scope = EVERYTHING, as_of: date | None = None
) -> TerritoryData:
    """Returns account facts, reps and territories read from the repository at `as_of`.

    Five GROUP BY queries of a few hundred rows each (no per-account rows; see
    `proposal_accounts`). `as_of` defaults to the last activity date in the database (so a
    demo or an old export is analysed as of its own "today"), or today for an empty database.
    Bookings (per rep, territory and segment) and open pipeline (per rep) are summed here into
    the account, rep and territory frames the territory functions take; a territory's open
    pipeline is that of the reps assigned to it, as its quota is theirs.
    """
    if as_of is None:
        as_of = repo.data_bounds()["last"] or date.today()
    bookings, quota_year = periods_for(as_of)
    facts = repo.territory_account_facts(scope)
    won = repo.territory_bookings(bookings, scope)
    pipe = repo.territory_open_pipeline().set_index("rep_id")["open_pipeline"]
    by_group = _sum_by(won, ["territory_id", "segment"], "bookings", "bookings_12m")
    # Imported data may have no segments at all: keep both keys text, not float NaN.
    by_group["segment"] = by_group["segment"].astype(object)
    accounts = facts.assign(segment=facts["segment"].astype(object)).merge(
        by_group, on=["territory_id", "segment"], how="left"
    )
    accounts["bookings_12m"] = accounts["bookings_12m"].fillna(0.0)
    reps = repo.territory_reps(quota_year, scope)
    rep_bookings = _sum_by(won, ["rep_id"], "bookings", "bookings_12m").set_index("rep_id")
    reps["bookings_12m"] = reps["id"].map(rep_bookings["bookings_12m"]).fillna(0.0)
    reps["open_pipeline"] = reps["id"].map(pipe).fillna(0.0)
    territories = repo.territory_list(scope)
    by_territory = reps.groupby("territory_id")["open_pipeline"].sum()
    territories["open_pipeline"] = territories["id"].map(by_territory).fillna(0.0)
    return TerritoryData(
        as_of=as_of,
        bookings=bookings,
        quota_year=quota_year,
        accounts=accounts,
        reps=reps,
        territories=territories,
    )


def proposal_accounts(repo: Repository, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """Returns one row per account (id, territory_id, segment, region, annual_potential)."""
    return repo.territory_accounts(scope)


def build_report(
    accounts: pd.DataFrame,
    reps: pd.DataFrame,
    territories: pd.DataFrame,
    as_of: date,
    settings: TerritorySettings | None = None,
    constraints: Constraints | None = None,
    weights: QuotaWeights | None = None,
    team_target: float | None = None,
    account_rows: pd.DataFrame | None = None,
) -> TerritoryReport:
    """Returns the territory and rep tables, balance indexes, a proposal and quota suggestions.

    Requires the frames described in `territory_metrics`; the proposal moves `account_rows`
    (one row per account, see `propose_moves`), which default to `accounts`. Assumptions,
    constraints and weights left out come from Settings; `team_target` None means the sum of
    the active reps' current quotas.
    """
    defaults = load_settings()
    settings = settings or TerritorySettings.from_settings(defaults)
    constraints = constraints or Constraints.from_settings(defaults)
    weights = weights or QuotaWeights.from_settings(defaults)
    terr = territory_metrics(accounts, reps, territories, as_of, settings)
    rep_frame = rep_metrics(accounts, reps, territories, as_of, settings)
    rows = accounts if account_rows is None else account_rows
    proposal = propose_moves(rows, terr, constraints)
    quotas = suggest_quotas(rep_frame, reps, team_target, as_of, weights, settings.ramp_days)
    return TerritoryReport(
        territories=terr,
        reps=rep_frame,
        balance=team_balance(terr),
        rep_balance=team_balance(rep_frame),
        uncovered_potential=uncovered_potential(terr),
        proposal=proposal,
        quotas=quotas,
        settings=settings,
    )


def report_from_data(
    data: TerritoryData,
    account_rows: pd.DataFrame,
    settings: TerritorySettings | None = None,
    constraints: Constraints | None = None,
    weights: QuotaWeights | None = None,
    team_target: float | None = None,
) -> TerritoryReport:
    """Returns the territory report for already-read data (see `build_report`).

    `account_rows` are the per-account rows the rebalancing proposal moves.
    """
    return build_report(
        data.accounts,
        data.reps,
        data.territories,
        data.as_of,
        settings,
        constraints,
        weights,
        team_target,
        account_rows=account_rows,
    )


def territory_report(
    repo: Repository,
    scope: Scope = EVERYTHING,
    settings: TerritorySettings | None = None,
    constraints: Constraints | None = None,
    weights: QuotaWeights | None = None,
    team_target: float | None = None,
    as_of: date | None = None,
) -> TerritoryReport:
    """Returns the territory report read from the repository (the CLI's one call)."""
    data = territory_data(repo, scope, as_of)
    rows = proposal_accounts(repo, scope)
    return report_from_data(data, rows, settings, constraints, weights, team_target)


def frame_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Returns the rows as JSON-ready dicts: <NA>/NaN as None, numpy scalars as Python."""
    return [
        {k: json_value(v) for k, v in row.items()}
        for row in frame.astype("object").to_dict(orient="records")
    ]


def _moves_json(report: TerritoryReport, names: dict[int, str]) -> list[dict[str, object]]:
    """Returns the proposal's moves as JSON dicts with territory names beside the ids."""
    return [
        {
            "account_id": int(m.account_id),
            "from": names.get(int(m.from_territory_id)),
            "to": names.get(int(m.to_territory_id)),
            "from_territory_id": int(m.from_territory_id),
            "to_territory_id": int(m.to_territory_id),
            "potential": float(m.potential),
            "cv_after": float(m.cv_after),
        }
        for m in report.proposal.moves.itertuples()
    ]


def report_to_json(report: TerritoryReport, move_names: dict[int, str] | None = None) -> dict:
    """Returns the report in the DESIGN.md `salesops territory --format json` shape.

    `move_names` maps territory ids to names for the proposal's "from"/"to" (default: the
    names in the territory table). Undefined figures are null with a *_reason beside them.
    """
    names = move_names or dict(
        zip(report.territories["territory_id"], report.territories["territory"], strict=True)
    )
    p = report.proposal
    return {
        "settings": {
            "peer": report.settings.peer,
            "threshold": report.settings.threshold,
            "coverage_hours": dict(report.settings.coverage_hours),
            "working_weeks_per_year": report.settings.working_weeks_per_year,
            "ramp_days": report.settings.ramp_days,
        },
        "territories": frame_records(report.territories),
        "reps": frame_records(report.reps),
        "balance": report.balance.as_dict(),
        "rep_balance": report.rep_balance.as_dict(),
        "uncovered_potential": report.uncovered_potential,
        "proposal": {
            "status": p.status,
            "binding": p.binding,
            "message": p.message,
            "moves": _moves_json(report, names),
            "before": p.before.as_dict(),
            "after": p.after.as_dict(),
        },
        "quota_suggestions": frame_records(report.quotas),
    }
