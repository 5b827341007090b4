"""The territory report: reads what the Territory page needs and runs the territory model.

The page, the CLI and the benchmark all call `territory_data` (a few small GROUP BY queries
plus the capacity model, `salesops.capacity.report`) and, for a rebalancing proposal,
`proposal_accounts`; `territory_report` does both and builds the one `TerritoryReport`.
Assumptions left out (None) come from Settings. Nothing here touches Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from salesops.calendar import Period, add_months
from salesops.capacity.model import CapacityModel, rep_capacity
from salesops.capacity.report import capacity_model, year_to
from salesops.capacity.workload import AccountHours, account_hours
from salesops.config import Settings, load_settings
from salesops.jsonable import json_value
from salesops.repository import EVERYTHING, Repository, Scope
from salesops.territory.assumptions import TerritorySettings
from salesops.territory.balance import (
    BalanceIndex,
    potential_balance,
    team_balance,
    uncovered_potential,
)
from salesops.territory.metrics import account_loads, rep_metrics, territory_metrics
from salesops.territory.mismatch import TerritoryMismatch, territory_mismatch
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
    deals: pd.DataFrame
    capacity: CapacityModel
    facts_all: pd.DataFrame
    rep_hours: pd.DataFrame

    @property
    def is_empty(self) -> bool:
        """Returns True when there are no territories or no accounts to balance."""
        return self.territories.empty or self.accounts.empty

    def account_hours(self, settings: TerritorySettings) -> AccountHours:
        """Returns the hours an account needs per segment: stated in `settings`, else measured."""
        stated = dict(settings.account_hours)
        return account_hours(self.facts_all, self.rep_hours, stated, settings.default_account_hours)


@dataclass(frozen=True)
class TerritoryReport:
    """Everything the Territory balance page and `salesops territory` show."""

    territories: pd.DataFrame
    reps: pd.DataFrame
    balance: BalanceIndex
    potential_balance: BalanceIndex
    rep_balance: BalanceIndex
    uncovered_potential: float
    proposal: Proposal
    hours: AccountHours
    capacity: CapacityModel
    settings: TerritorySettings
    mismatch: TerritoryMismatch | None = None  # account and rep territories that do not meet


def periods_for(as_of: date) -> tuple[Period, Period]:
    """Returns (bookings window, quota year) for an analysis date.

    Bookings: the 12 months to as_of (whole months when as_of is a month end, so the monthly
    rollup serves it). Quota year: the 12 months from the first of the month of the day
    after as_of (the next month when as_of is a month end).
    """
    start = (as_of + timedelta(days=1)).replace(day=1)
    return year_to(as_of), Period(start, add_months(start, 12) - timedelta(days=1))


def _sum_by(frame: pd.DataFrame, keys: list[str], value: str, name: str) -> pd.DataFrame:
    """Returns `value` summed by `keys` (missing keys kept), renamed `name`."""
    return (
        frame.groupby(keys, dropna=False, as_index=False)[value].sum().rename(columns={value: name})
    )


def _in_scope(facts: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """Returns the account facts of the scope's territories and segments."""
    keep = pd.Series(True, index=facts.index)
    if scope.territory_ids:
        keep &= facts["territory_id"].isin(scope.territory_ids)
    if scope.segments:
        keep &= facts["segment"].isin(scope.segments)
    return facts[keep].reset_index(drop=True)


def _won_in_year(repo: Repository, data_as_of: date, quota_year: Period, scope: Scope) -> pd.Series:
    """Returns bookings per rep from the quota year's start to as_of (empty if it starts later)."""
    if quota_year.start > data_as_of:
        return pd.Series(dtype="float64")
    won = repo.territory_bookings(Period(quota_year.start, data_as_of), scope)
    return won.groupby("rep_id")["bookings"].sum()


def _reps(
    repo: Repository,
    as_of: date,
    periods: tuple[Period, Period],
    scope: Scope,
    model: CapacityModel,
    pipeline: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns (reps in scope with capacity, bookings, pipeline, won in the year; bookings rows)."""
    bookings, quota_year = periods
    reps = rep_capacity(repo.territory_reps(quota_year, scope), model)
    won = repo.territory_bookings(bookings, scope)
    booked = _sum_by(won, ["rep_id"], "bookings", "bookings_12m").set_index("rep_id")
    reps["bookings_12m"] = reps["id"].map(booked["bookings_12m"]).fillna(0.0)
    by_rep = pipeline.groupby("rep_id")[["open_pipeline", "pipeline_in_year"]].sum()
    for col in ("open_pipeline", "pipeline_in_year"):
        reps[col] = reps["id"].map(by_rep[col]).fillna(0.0)
    reps["won_in_year"] = reps["id"].map(_won_in_year(repo, as_of, quota_year, scope)).fillna(0.0)
    return reps, won


def territory_data(
    repo: Repository, scope: Scope = EVERYTHING, as_of: date | None = None
) -> TerritoryData:
    """Returns account facts, reps (with capacity) and territories read at `as_of`.

    A few GROUP BY queries of a few hundred rows each (no per-account rows; see
    `proposal_accounts`) and the capacity model. `as_of` defaults to the last activity date
    in the database (so a demo or an old export is analysed as of its own "today"), or today
    for an empty database. A territory's open pipeline is that of the reps assigned to it,
    as its quota is theirs.
    """
    if as_of is None:
        as_of = repo.data_bounds()["last"] or date.today()
    periods = periods_for(as_of)
    model = capacity_model(repo, as_of, load_settings())
    facts_all = repo.territory_account_facts(EVERYTHING)
    pipeline = repo.territory_pipeline(periods[1])
    reps, won = _reps(repo, as_of, periods, scope, model, pipeline)
    by_group = _sum_by(won, ["territory_id", "segment"], "bookings", "bookings_12m")
    # Imported data may have no segments at all: keep both keys text, not float NaN.
    by_group["segment"] = by_group["segment"].astype(object)
    facts = _in_scope(facts_all, scope)
    accounts = facts.assign(segment=facts["segment"].astype(object)).merge(
        by_group, on=["territory_id", "segment"], how="left"
    )
    accounts["bookings_12m"] = accounts["bookings_12m"].fillna(0.0)
    territories = repo.territory_list(scope)
    everyone = repo.time_reps(EVERYTHING)[["id", "territory_id"]]
    rep_hours = model.shares.reps.merge(everyone, left_on="rep_id", right_on="id", how="left")
    return TerritoryData(
        as_of=as_of,
        bookings=periods[0],
        quota_year=periods[1],
        accounts=accounts,
        reps=reps,
        territories=territories,
        deals=_in_scope(pipeline, scope),
        capacity=model,
        facts_all=facts_all,
        rep_hours=rep_hours[["rep_id", "territory_id", "selling_hours"]],
    )


def proposal_accounts(repo: Repository, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """Returns one row per account (id, territory_id, segment, region, annual_potential)."""
    return repo.territory_accounts(scope)


def proposal_of(
    data: TerritoryData,
    account_rows: pd.DataFrame,
    settings: TerritorySettings,
    constraints: Constraints,
) -> Proposal:
    """Returns build_report's rebalancing proposal alone (what the what-if panel shows)."""
    return build_report(data, settings, constraints, account_rows).proposal


def build_report(
    data: TerritoryData,
    settings: TerritorySettings | None = None,
    constraints: Constraints | None = None,
    account_rows: pd.DataFrame | None = None,
) -> TerritoryReport:
    """Returns the territory and rep tables, balance indexes and a rebalancing proposal.

    The proposal moves `account_rows` (one row per account, see `propose_moves`); without
    them it is "not asked". Assumptions and constraints left out come from Settings.
    """
    defaults = load_settings()
    settings = settings or TerritorySettings.from_settings(defaults)
    constraints = constraints or Constraints.from_settings(defaults)
    hours = data.account_hours(settings)
    terr = territory_metrics(data.accounts, data.reps, data.territories, hours, settings)
    reps = rep_metrics(data.accounts, data.reps, data.territories, hours, settings, data.deals)
    rows = None if account_rows is None else proposal_rows(account_rows, hours)
    return TerritoryReport(
        territories=terr,
        reps=reps,
        balance=team_balance(terr),
        potential_balance=potential_balance(terr),
        rep_balance=team_balance(reps[reps["active"]]),
        uncovered_potential=uncovered_potential(terr),
        proposal=propose_moves(rows, terr, constraints),
        hours=hours,
        capacity=data.capacity,
        settings=settings,
        mismatch=territory_mismatch(terr),
    )


def proposal_rows(account_rows: pd.DataFrame, hours: AccountHours) -> pd.DataFrame:
    """Returns the per-account rows with the workload hours each account carries."""
    return account_rows.assign(workload_hours=account_loads(account_rows, hours)["workload_hours"])


def territory_report(
    repo: Repository,
    scope: Scope = EVERYTHING,
    settings: TerritorySettings | None = None,
    constraints: Constraints | None = None,
    as_of: date | None = None,
) -> TerritoryReport:
    """Returns the territory report read from the repository (the CLI's one call)."""
    data = territory_data(repo, scope, as_of)
    return build_report(data, settings, constraints, proposal_accounts(repo, scope))


def frame_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Returns the rows as JSON-ready dicts: <NA>/NaN as None, numpy scalars as Python."""
    return [
        {k: json_value(v) for k, v in row.items()}
        for row in frame.astype("object").to_dict(orient="records")
    ]


def report_to_json(report: TerritoryReport, defaults: Settings | None = None) -> dict:
    """Returns the report in the DESIGN.md `salesops territory --format json` shape.

    Undefined figures are null with a *_reason beside them; definitions are included.
    """
    from salesops.definitions import define

    p = report.proposal
    chosen = defaults or Settings()
    return {
        "settings": {
            "peer": report.settings.peer,
            "utilisation_over": report.settings.over,
            "utilisation_under": report.settings.under,
            "account_hours": frame_records(report.hours.frame()),
        },
        "definitions": {
            name: define(name, chosen) for name in ("capacity", "utilisation", "pipeline_coverage")
        },
        "capacity": report.capacity.to_json(),
        "territories": frame_records(report.territories),
        "reps": frame_records(report.reps),
        "balance": report.balance.as_dict(),
        "potential_balance": report.potential_balance.as_dict(),
        "rep_balance": report.rep_balance.as_dict(),
        "uncovered_potential": report.uncovered_potential,
        "territory_mismatch": None if report.mismatch is None else report.mismatch.as_dict(),
        "proposal": p.to_json(report.territories),
    }
