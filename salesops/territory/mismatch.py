"""Account and rep territories that do not meet: a data-quality sentence for the balance page.

A real company's accounts and reps often name their territories differently ("US-West" on
the accounts, "West" on the reps, or the customer's country against the rep's region). Then
the territories with accounts have no reps and those with reps have no accounts: every
account reads uncovered and every rep under-loaded, which is a mapping problem, not a
workload one. `territory_mismatch` finds that case so the page can say so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

FEW = 3  # territories named on each side; the rest are counted


@dataclass(frozen=True)
class TerritoryMismatch:
    """Territories with accounts but no active rep, and with active reps but no accounts."""

    accounts_only: tuple[str, ...]  # most accounts first
    reps_only: tuple[str, ...]  # most reps first

    def sentence(self, name: Callable[[str], str] = str, few: int = FEW) -> str:
        """Returns the data-quality sentence naming `few` territories of each kind.

        `name` formats each territory name (the page escapes them for Markdown).
        """
        accounts = _named(self.accounts_only, name, few)
        reps = _named(self.reps_only, name, few)
        n_acc, n_rep = len(self.accounts_only), len(self.reps_only)
        return (
            f"Account and rep territories do not match: {n_acc} "
            f"territor{'y has' if n_acc == 1 else 'ies have'} accounts but no active rep "
            f"({accounts}) and {n_rep} {'has' if n_rep == 1 else 'have'} reps but no accounts "
            f"({reps}). Account and rep territory names often differ in a company's data "
            '("US-West" against "West", a country against a region): until each account is '
            "in a territory its reps work, those accounts read uncovered and those reps "
            "under-loaded. Give the accounts the reps' territory names and import them again."
        )

    def as_dict(self) -> dict[str, object]:
        """Returns the mismatch as JSON-ready lists with the sentence."""
        return {
            "accounts_without_reps": list(self.accounts_only),
            "reps_without_accounts": list(self.reps_only),
            "sentence": self.sentence(),
        }


def _named(names: tuple[str, ...], name: Callable[[str], str], few: int) -> str:
    """Returns the first `few` names joined, with "and N more" for the rest."""
    shown = ", ".join(name(n) for n in names[:few])
    rest = len(names) - few
    return f"{shown} and {rest} more" if rest > 0 else shown


def territory_mismatch(metrics: pd.DataFrame) -> TerritoryMismatch | None:
    """Returns the territories that do not meet, or None when accounts and reps share some.

    Requires columns territory, accounts, reps (active reps), one row per territory (as
    `territory_metrics` returns). Only when some territories have accounts and no active
    rep *and* others have active reps and no accounts is it a mismatch; territories with
    accounts but no reps alone are plainly uncovered (the page says so elsewhere).
    """
    accounts = pd.to_numeric(metrics["accounts"], errors="coerce").fillna(0)
    reps = pd.to_numeric(metrics["reps"], errors="coerce").fillna(0)
    only_acc = metrics.assign(_n=accounts)[(accounts > 0) & (reps == 0)]
    only_rep = metrics.assign(_n=reps)[(reps > 0) & (accounts == 0)]
    if only_acc.empty or only_rep.empty:
        return None

    def ordered(frame: pd.DataFrame) -> tuple[str, ...]:
        frame = frame.assign(_name=frame["territory"].astype(str))
        frame = frame.sort_values(["_n", "_name"], ascending=[False, True], kind="stable")
        return tuple(frame["_name"])

    return TerritoryMismatch(ordered(only_acc), ordered(only_rep))
