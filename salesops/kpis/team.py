"""A rep's numbers beside their team's totals: the team is summed, never listed by name.

This is where a rep's view is anonymised: the repository's TEAM_TOTALS query returns only
sums over the rep's team (no rep, deal or account key), and the comparison reports the
team as one line ("Your team, N reps") next to the rep's own figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesops.calendar import Period
from salesops.config import Settings
from salesops.figures import Figure
from salesops.kpis.metrics import win_rate_of
from salesops.repository import Repository


@dataclass(frozen=True)
class Side:
    """Closed-deal totals for one side of the comparison (you, or your team)."""

    won: int
    lost: int
    won_amount: float

    @property
    def win_rate(self) -> Figure:
        """Returns won / (won + lost); undefined with no closed deals."""
        return win_rate_of({"won": self.won, "lost": self.lost}, Settings())


@dataclass(frozen=True)
class TeamComparison:
    """The viewer's own closed-deal totals and their team's, over one period."""

    period: Period
    mine: Side
    team: Side
    team_reps: int


def _side(frame: pd.DataFrame) -> Side:
    """Returns the one row of summed facts as a Side (zeros when nothing closed)."""
    if frame.empty:
        return Side(0, 0, 0.0)
    row = frame.fillna(0).iloc[0]
    return Side(int(row["won"]), int(row["lost"]), float(row["won_amount"]))


def team_comparison(repo: Repository, period: Period) -> TeamComparison:
    """Returns the viewer's won/lost/bookings beside their team's totals (no names)."""
    mine = repo.closed_opportunity_facts(period, by=())
    team = repo.team_closed_totals(period)
    return TeamComparison(period, _side(mine), _side(team), len(repo.team.rep_ids))
