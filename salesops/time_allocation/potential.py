"""The account potential behind the what-if's second ceiling: the scope's accounts or reps."""

from __future__ import annotations

import pandas as pd


def scope_potential(
    account_facts: pd.DataFrame,
    chosen_reps: pd.DataFrame | None,
    territory_reps: pd.DataFrame | None,
    default_weekly_hours: float,
) -> float:
    """Returns the yearly potential of the accounts in scope, or the chosen reps' part of it.

    `account_facts` has territory_id and annual_potential (summed per territory and
    segment). Without chosen reps (None) every account counts. With them, each territory's
    potential is split among its reps (`territory_reps`: id, territory_id,
    weekly_capacity_hours, missing hours read as `default_weekly_hours`) in proportion to
    their weekly hours, as Territory balance splits accounts no rep holds deals on, and the
    chosen reps' parts are summed.
    """
    potential = pd.to_numeric(account_facts["annual_potential"]).fillna(0.0).clip(lower=0.0)
    if chosen_reps is None:
        return float(potential.sum())
    by_territory = potential.groupby(account_facts["territory_id"]).sum()
    if territory_reps is None or territory_reps.empty:
        return 0.0
    hours = pd.to_numeric(territory_reps["weekly_capacity_hours"]).fillna(default_weekly_hours)
    team_hours = hours.groupby(territory_reps["territory_id"]).transform("sum")
    share = (hours / team_hours.where(team_hours > 0)).fillna(0.0)
    chosen = territory_reps["id"].isin(chosen_reps["id"])
    part = share[chosen] * territory_reps.loc[chosen, "territory_id"].map(by_territory).fillna(0)
    return float(part.sum())
