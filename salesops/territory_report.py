"""The territory report: reads what the Territory balance page needs and runs salesops.territory.

The page, the CLI and the benchmark all call `territory_data` (five small GROUP BY queries)
and, for a rebalancing proposal, `proposal_accounts`; nothing here touches Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from salesops.calendar import Period, add_months, trailing_months
from salesops.repository import EVERYTHING, Repository, Scope
from salesops.territory import (
    Constraints,
    QuotaWeights,
    TerritoryReport,
    TerritorySettings,
    build_report,
)


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


def report_from_data(
    data: TerritoryData,
    account_rows: pd.DataFrame,
    settings: TerritorySettings | None = None,
    constraints: Constraints | None = None,
    weights: QuotaWeights | None = None,
    team_target: float | None = None,
) -> TerritoryReport:
    """Returns the territory report for already-read data (see salesops.territory.build_report).

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
