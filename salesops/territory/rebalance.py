"""Rebalancing: account moves that lower the balance index, as a what-if proposal.

**Rebalancing proposal**: greedy best-improvement local search on the exact CV, one account
move at a time (see `propose_moves`; the search itself is in `salesops.territory.move_search`).
Nothing is written: the page previews the moves and the index before and after.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from salesops.config import Settings
from salesops.territory.balance import BalanceIndex, balance_index, peer_norm
from salesops.territory.columns import numeric
from salesops.territory.move_search import Board, Groups, Limits, Move, search_moves


@dataclass(frozen=True)
class Constraints:
    """What a rebalancing proposal may do (defaults: Settings `rebalance_*`).

    `max_moves` and `max_share` (fraction of all accounts) cap the number of moves; the smaller
    one binds. `keep_largest` keeps each territory's N largest accounts (by potential) where
    they are. `min_gain` is the smallest CV reduction worth one move, so the proposal stops
    instead of making many tiny moves.
    """

    same_region: bool
    same_segment: bool
    max_moves: int | None
    max_share: float | None
    keep_largest: int
    min_gain: float
    time_limit_s: float

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> Constraints:
        """Returns the proposal constraints of `settings`, with `overrides` by field name."""
        chosen = cls(
            same_region=settings.rebalance_same_region,
            same_segment=settings.rebalance_same_segment,
            max_moves=settings.rebalance_max_moves,
            max_share=settings.rebalance_max_share,
            keep_largest=settings.rebalance_keep_largest,
            min_gain=settings.rebalance_min_gain,
            time_limit_s=settings.rebalance_time_limit_s,
        )
        return replace(chosen, **overrides)


@dataclass(frozen=True)
class Proposal:
    """A rebalancing proposal: the moves, the index before and after, and how it ended.

    `status` is "improved", "no_improvement" (no allowed move lowers the index), "trivial"
    (fewer than two territories with capacity), "time_limit" (best found when time ran out)
    or "infeasible" (the constraints allow no move at all; `binding` names the constraint).
    `moves` has columns account_id, from_territory_id, to_territory_id, potential, cv_after.
    """

    status: str
    moves: pd.DataFrame
    before: BalanceIndex
    after: BalanceIndex
    binding: str | None = None
    message: str = ""
    territories_after: pd.DataFrame = field(default_factory=pd.DataFrame)


MOVE_COLUMNS = ["account_id", "from_territory_id", "to_territory_id", "potential", "cv_after"]


def _empty_moves() -> pd.DataFrame:
    """Returns a move list without rows, with the columns and dtypes of `Proposal.moves`."""
    return pd.DataFrame(
        {
            "account_id": pd.Series(dtype="Int64"),
            "from_territory_id": pd.Series(dtype="Int64"),
            "to_territory_id": pd.Series(dtype="Int64"),
            "potential": pd.Series(dtype="float64"),
            "cv_after": pd.Series(dtype="float64"),
        }
    )


def _moves_frame(moves: list[Move]) -> pd.DataFrame:
    """Returns the moves as the `Proposal.moves` frame."""
    if not moves:
        return _empty_moves()
    return pd.DataFrame(moves, columns=MOVE_COLUMNS).astype(
        {"account_id": "Int64", "from_territory_id": "Int64", "to_territory_id": "Int64"}
    )


def _board(territories: pd.DataFrame) -> Board:
    """Returns the territories as arrays for the search (potential, capacity, 1 / capacity).

    The relative load is PPH / peer median with the peer medians held at the current
    assignment; with one team-wide median this is a constant factor and leaves CV and Gini
    unchanged.
    """
    terr = territories.reset_index(drop=True)
    cap = terr["capacity_hours"].to_numpy(dtype="float64")
    covered = cap > 0
    cap_eff = cap * peer_norm(terr)
    return Board(
        tid=terr["territory_id"].to_numpy(),
        cap=cap,
        cap_eff=cap_eff,
        pot=terr["potential"].to_numpy(dtype="float64").copy(),
        covered=covered,
        inv_c=np.where(covered, 1.0 / np.where(covered, cap_eff, 1.0), 0.0),
        region=_text_or_none(terr["region"]),
        segment=_text_or_none(terr["segment"]),
    )


def _text_or_none(column: pd.Series) -> np.ndarray:
    """Returns the column as an object array with None where it is missing."""
    return column.astype("object").where(column.notna(), None).to_numpy()


def _index_of(board: Board, pot: np.ndarray) -> BalanceIndex:
    """Returns the balance index of the covered territories at potentials `pot`."""
    return balance_index(pot[board.covered] / board.cap_eff[board.covered])


def _territories_after(territories: pd.DataFrame, board: Board) -> pd.DataFrame:
    """Returns territory_id, potential, capacity_hours and PPH after the moves."""
    t_after = territories.reset_index(drop=True)[["territory_id"]].copy()
    t_after["potential"] = board.pot
    t_after["capacity_hours"] = board.cap
    t_after["potential_per_capacity_hour"] = pd.Series(
        np.where(board.covered, board.pot / np.where(board.covered, board.cap, 1.0), np.nan)
    ).astype("Float64")
    return t_after


def _move_cap(constraints: Constraints, n_accounts: int) -> tuple[int, str]:
    """Returns the number of moves allowed and the constraint that sets it."""
    cap_moves = n_accounts if constraints.max_moves is None else int(constraints.max_moves)
    binding_cap = "max_moves"
    if constraints.max_share is not None:
        by_share = math.floor(constraints.max_share * n_accounts + 1e-9)
        if by_share < cap_moves:
            cap_moves, binding_cap = by_share, "max_share"
    return cap_moves, binding_cap


def _movable_groups(
    accounts: pd.DataFrame, board: Board, keep_largest: int
) -> tuple[Groups, str | None]:
    """Returns the movable accounts grouped by (territory, segment, region), or why none moves.

    Each group holds its accounts' potentials sorted ascending (ties by id) and their ids.
    Accounts in a territory the board does not know are left out; an account without a
    region takes its territory's.
    """
    pos = pd.Series(np.arange(len(board.tid)), index=board.tid)
    a_pos = pos.reindex(accounts["territory_id"].to_numpy()).to_numpy()
    known = ~np.isnan(a_pos.astype("float64"))
    acc = accounts[known].reset_index(drop=True)
    a_pos = a_pos[known].astype(int)
    a_pot = numeric(acc, "annual_potential").clip(lower=0).to_numpy()
    a_seg = _text_or_none(acc["segment"])
    a_reg = board.region[a_pos]
    if "region" in acc:
        own = _text_or_none(acc["region"])
        a_reg = np.where(pd.isna(own), a_reg, own)
    movable = a_pot > 0
    if keep_largest > 0:
        rank = pd.Series(a_pot).groupby(a_pos).rank(method="first", ascending=False).to_numpy()
        movable &= rank > keep_largest
    if not movable.any():
        return {}, "keep_largest" if keep_largest > 0 and (a_pot > 0).any() else "no_potential"
    a_ids = acc["id"].to_numpy()
    keys = pd.DataFrame(
        {"t": a_pos, "seg": pd.Series(a_seg, dtype="object").fillna("\0"),
         "reg": pd.Series(a_reg, dtype="object").fillna("\0")}
    )[movable]  # fmt: skip
    groups: Groups = {}
    for (t, seg, reg), idx in keys.groupby(["t", "seg", "reg"], sort=True).groups.items():
        ii = np.asarray(idx)
        order = np.lexsort((a_ids[ii], a_pot[ii]))
        groups[(int(t), seg, reg)] = [a_pot[ii][order], a_ids[ii][order]]
    return groups, None


def _targets(board: Board, key: tuple[int, str, str], constraints: Constraints) -> np.ndarray:
    """Returns the positions of the territories a group's accounts may move to."""
    t, seg, reg = key
    ok = board.covered.copy()
    ok[t] = False
    if constraints.same_segment:
        ok &= np.array([(s is None) or (s == seg) for s in board.segment])
    if constraints.same_region:
        ok &= np.array([(r is not None) and (r == reg) for r in board.region])
    return np.flatnonzero(ok)


def _no_target_message(constraints: Constraints) -> tuple[str, str]:
    """Returns (binding constraint, message) when no group has a territory to move to."""
    rules = (("same_region", constraints.same_region), ("same_segment", constraints.same_segment))
    names = [name for name, on in rules if on]
    reason = (
        f"no other territory with capacity satisfies {' and '.join(names)}."
        if names
        else "no other territory has capacity."
    )
    return "+".join(names) or "capacity", "No account may move: " + reason


_NO_ACCOUNT = {
    "keep_largest": "Keeping each territory's largest accounts leaves no account to move.",
    "no_potential": "No account has potential to move.",
}


def propose_moves(
    accounts: pd.DataFrame, territories: pd.DataFrame, constraints: Constraints
) -> Proposal:
    """Returns account moves that lower the balance index the most with as few moves as possible.

    Requires columns:
      accounts: id, territory_id, annual_potential, segment, optional region (defaults to the
        region of the account's current territory);
      territories: territory_id, region, segment, potential, capacity_hours, optional
        peer_median (as returned by `territory_metrics`; the objective is then the balance
        index of `team_balance`, over PPH / peer median with the medians held fixed).

    Method: greedy best-improvement local search on the exact objective (see
    `move_search.search_moves`). It stops when no move lowers the CV by `min_gain`, when the
    move cap is reached, or at the time limit (status "time_limit", best found so far). An
    account moves at most once; nothing moves into a territory without capacity; accounts
    may move out of an uncovered territory. CV never rises: a move is taken only if it lowers
    CV and does not raise Gini.
    """
    started = time.perf_counter()
    board = _board(territories)
    before = _index_of(board, board.pot)

    def result(status: str, moves: list[Move], binding: str | None, msg: str) -> Proposal:
        """Returns the proposal with the board's potentials as they are now."""
        after = _index_of(board, board.pot)
        t_after = _territories_after(territories, board)
        return Proposal(status, _moves_frame(moves), before, after, binding, msg, t_after)

    if int(board.covered.sum()) < 2:
        return result(
            "trivial",
            [],
            None,
            "Fewer than two territories have capacity: the current assignment is the only one.",
        )
    if before.cv is None:
        return result("trivial", [], None, f"Nothing to balance: {before.reason}.")
    acc = accounts.reset_index(drop=True)
    cap_moves, binding_cap = _move_cap(constraints, len(acc))
    if cap_moves <= 0:
        message = f"The {binding_cap.replace('_', ' ')} cap allows no move at all."
        return result("infeasible", [], binding_cap, message)
    groups, none_movable = _movable_groups(acc, board, constraints.keep_largest)
    if none_movable is not None:
        return result("infeasible", [], none_movable, _NO_ACCOUNT[none_movable])
    targets = {key: _targets(board, key, constraints) for key in groups}
    if not any(len(v) for v in targets.values()):
        return result("infeasible", [], *_no_target_message(constraints))
    limits = Limits(cap_moves, binding_cap, constraints.min_gain, started, constraints.time_limit_s)
    moves, status, msg = search_moves(board, groups, targets, limits)
    return result(status, moves, None, msg)
