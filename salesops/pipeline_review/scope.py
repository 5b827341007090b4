"""Whose pipeline a review covers: the company, a manager's team, a territory's reps, or a rep."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from salesops.numbers import parse_id
from salesops.repository import Scope

ScopeKind = Literal["company", "team", "territory", "rep", "selection"]
SCOPE_KINDS: tuple[ScopeKind, ...] = ("company", "team", "territory", "rep")


@dataclass(frozen=True)
class ReviewScope:
    """Whose pipeline the review covers; `repository_scope` is what queries filter on."""

    kind: ScopeKind = "company"
    value: str | int | None = None
    label: str = "Whole company"
    rep_ids: tuple[int, ...] = field(default_factory=tuple)
    territory_ids: tuple[int, ...] = field(default_factory=tuple)

    @property
    def repository_scope(self) -> Scope:
        """Returns the repository Scope (rep ids, or territory ids meaning the reps' own)."""
        return Scope(territory_ids=self.territory_ids, rep_ids=self.rep_ids)

    def to_dict(self) -> dict[str, object]:
        """Returns {"kind", "value", "label"}."""
        return {"kind": self.kind, "value": self.value, "label": self.label}


COMPANY = ReviewScope()


def resolve_scope(
    kind: str, value: str | int | None, reps: pd.DataFrame, territories: pd.DataFrame
) -> ReviewScope:
    """Returns the ReviewScope for a kind and a value (manager name, territory id, rep id).

    Requires reps with columns id, name, territory_id, manager and territories with id, name.
    Raises ValueError with one sentence when the kind or value is unknown.
    """
    if kind not in SCOPE_KINDS:
        raise ValueError(f"Unknown scope {kind!r}: use company, team, territory or rep.")
    if kind == "company":
        return COMPANY
    if kind == "team":
        return _team(value, reps)
    number = _as_int(value)
    if kind == "territory":
        match = territories[territories["id"] == number] if number is not None else territories[:0]
        if number is None or match.empty:
            raise ValueError(f"There is no territory with id {value!r}.")
        return ReviewScope("territory", number, str(match["name"].iloc[0]), territory_ids=(number,))
    match = reps[reps["id"] == number] if number is not None else reps[:0]
    if number is None or match.empty:
        raise ValueError(f"There is no rep with id {value!r}.")
    return ReviewScope("rep", number, str(match["name"].iloc[0]), rep_ids=(number,))


def _team(manager: str | int | None, reps: pd.DataFrame) -> ReviewScope:
    """Returns the scope of the reps managed by `manager`; ValueError when there are none."""
    members = reps[reps["manager"] == manager]
    if manager is None or members.empty:
        raise ValueError(f"No team is managed by {manager!r}.")
    return ReviewScope(
        "team", str(manager), f"Team {manager}", rep_ids=tuple(int(i) for i in members["id"])
    )


def _as_int(value: str | int | None) -> int | None:
    """Returns an integer id given as an int or a string of digits, else None."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    return parse_id(value) if isinstance(value, str) else None


def selection_scope(
    territory_ids: tuple[int, ...],
    teams: tuple[str, ...],
    rep_ids: tuple[int, ...],
    reps: pd.DataFrame,
    territories: pd.DataFrame,
) -> ReviewScope:
    """Returns the ReviewScope of the app's shared filters (any territories, teams and reps).

    One territory, one team or one rep alone gives that kind of scope (as `resolve_scope`);
    any other mix is a "selection": the chosen reps (or every rep of the chosen teams),
    within the chosen territories. Requires the frames `resolve_scope` requires.
    """
    if not (territory_ids or teams or rep_ids):
        return COMPANY
    if len(territory_ids) == 1 and not teams and not rep_ids:
        return resolve_scope("territory", territory_ids[0], reps, territories)
    if len(teams) == 1 and not territory_ids and not rep_ids:
        return resolve_scope("team", teams[0], reps, territories)
    if len(rep_ids) == 1:
        return resolve_scope("rep", rep_ids[0], reps, territories)
    members = tuple(rep_ids) or tuple(
        int(i) for i in reps.loc[reps["manager"].isin(list(teams)), "id"]
    )
    names = dict(zip(territories["id"].astype(int), territories["name"], strict=True))
    parts = [str(names.get(t, t)) for t in territory_ids] + [f"team {t}" for t in teams]
    if rep_ids:
        parts.append(f"{len(rep_ids)} reps")
    return ReviewScope(
        "selection", None, " · ".join(parts), rep_ids=members, territory_ids=tuple(territory_ids)
    )
