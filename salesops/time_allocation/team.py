"""Who is in the team of a period: the reps in scope, employed in it, in the chosen teams.

The team of a period is the reps employed in it (hire/end dates) plus anyone who
logged hours or booked in it; a team (manager) filter narrows the repository scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from salesops.repository import Scope


def reps_in_scope(
    reps: pd.DataFrame,
    *,
    territory_ids: Sequence[int] = (),
    managers: Sequence[str] = (),
    rep_ids: Sequence[int] = (),
) -> pd.DataFrame:
    """Returns the reps matching every non-empty filter (territory, manager/team, rep).

    Requires columns ``id``, ``territory_id``, ``manager`` (only when filtering by manager).
    """
    keep = pd.Series(True, index=reps.index)
    if territory_ids:
        keep &= reps["territory_id"].isin(list(territory_ids))
    if managers:
        keep &= reps["manager"].isin(list(managers))
    if rep_ids:
        keep &= reps["id"].isin(list(rep_ids))
    return reps[keep]


def employed_during(
    reps: pd.DataFrame, start: pd.Timestamp | str, end: pd.Timestamp | str
) -> pd.DataFrame:
    """Returns the reps employed at some point in [start, end] (unknown dates count as employed).

    Requires columns ``hire_date`` and optionally ``end_date``.
    """
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    hired = pd.to_datetime(reps["hire_date"])
    keep = hired.isna() | (hired <= hi)
    if "end_date" in reps:
        left = pd.to_datetime(reps["end_date"])
        keep &= left.isna() | (left >= lo)
    return reps[keep]


def team_scope(scope: Scope, reps: pd.DataFrame, managers: Sequence[str]) -> Scope | None:
    """Returns the scope narrowed to the reps of the chosen teams (managers).

    No managers chosen returns ``scope`` unchanged; None means no rep is left (the
    chosen teams and rep filter do not overlap), which the caller shows as empty.
    Requires columns ``id``, ``manager`` in ``reps``.
    """
    if not managers:
        return scope
    ids = set(reps.loc[reps["manager"].isin(list(managers)), "id"].astype(int))
    if scope.rep_ids:
        ids &= set(scope.rep_ids)
    if not ids:
        return None
    return replace(scope, rep_ids=tuple(sorted(ids)))
