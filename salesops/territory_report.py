"""The territory report: reads what the Territory balance page needs and runs salesops.territory.

The page, the CLI and the benchmark all call `territory_data` (four GROUP BY queries) and
`territory_report`; nothing here touches Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from salesops.periods import Period, add_months
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
    """Returns (the 365 days up to as_of for bookings, the 12 months from as_of's month)."""
    bookings = Period(as_of - timedelta(days=364), as_of)
    start = as_of.replace(day=1)
    quota_year = Period(start, add_months(start, 12) - timedelta(days=1))
    return bookings, quota_year


def territory_data(
    repo: Repository, scope: Scope = EVERYTHING, as_of: date | None = None
) -> TerritoryData:
    """Returns accounts, reps and territories read from the repository at `as_of`.

    `as_of` defaults to the last activity date in the database (so a demo or an old export
    is analysed as of its own "today"), or today's date for an empty database.
    """
    if as_of is None:
        as_of = repo.data_bounds()["last"] or date.today()
    bookings, quota_year = periods_for(as_of)
    return TerritoryData(
        as_of=as_of,
        bookings=bookings,
        quota_year=quota_year,
        accounts=repo.territory_accounts(bookings, scope),
        reps=repo.territory_reps(bookings, quota_year, scope),
        territories=repo.territory_list(scope),
    )


def report_from_data(
    data: TerritoryData,
    settings: TerritorySettings | None = None,
    constraints: Constraints | None = None,
    weights: QuotaWeights | None = None,
    team_target: float | None = None,
) -> TerritoryReport:
    """Returns the territory report for already-read data (see salesops.territory.build_report)."""
    return build_report(
        data.accounts,
        data.reps,
        data.territories,
        data.as_of,
        settings,
        constraints,
        weights,
        team_target,
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
    return report_from_data(data, settings, constraints, weights, team_target)
