"""Rebalancing: account moves that even out utilisation and swaps that even out potential.

**Rebalancing proposal** (a what-if: nothing is written):
1. *moves*: greedy best-improvement search on the exact CV of utilisation (workload /
   selling capacity), one account at a time (`salesops.territory.move_search`);
2. *swaps*: accounts of one segment exchanged between territories, which leaves every
   workload as it is and lowers the CV of potential per selling hour relative to peers
   (`salesops.territory.swap_search`).
When the constraints allow nothing at all the proposal is "infeasible", names the binding
constraint and carries the **nearest feasible** proposal: the same search with that one
constraint relaxed, and what it would achieve.
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
from salesops.territory.swap_search import Swap, SwapGroups, search_swaps

CONSTRAINT_LABELS = {
    "same_region": "same region only",
    "same_segment": "same segment only",
    "max_moves": "the cap on moves",
    "max_share": "the cap on the share of accounts moved",
    "keep_largest": "keeping each territory's largest accounts",
}


@dataclass(frozen=True)
class Constraints:
    """What a rebalancing proposal may do (defaults: Settings `rebalance_*`).

    `max_moves` and `max_share` (fraction of all accounts) cap the number of moves; the smaller
    one binds; `max_swaps` caps the swaps. `keep_largest` keeps each territory's N largest
    accounts (by potential) where they are. `min_gain` is the smallest index reduction worth
    one move or swap, so the proposal stops instead of making many tiny ones.
    """

    same_region: bool
    same_segment: bool
    max_moves: int | None
    max_share: float | None
    keep_largest: int
    min_gain: float
    time_limit_s: float
    max_swaps: int = 0

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
            max_swaps=settings.rebalance_max_swaps,
        )
        return replace(chosen, **overrides)


@dataclass(frozen=True)
class Nearest:
    """The nearest feasible proposal: which constraint was relaxed, and what it achieves."""

    relaxed: str
    constraints: Constraints
    proposal: Proposal

    def sentence(self) -> str:
        """Returns the one sentence the page and the CLI show about it."""
        p = self.proposal
        label = CONSTRAINT_LABELS.get(self.relaxed, self.relaxed)
        if not len(p.moves) and not len(p.swaps):
            return f"Relaxing {label} does not help either: {p.message}"
        before, after = p.before.cv, p.after.cv
        change = "" if before is None or after is None else f" ({before:.3f} → {after:.3f})"
        return (
            f"Nearest feasible: without {label}, {len(p.moves)} move(s) and {len(p.swaps)} "
            f"swap(s) lower the load balance index{change}."
        )


@dataclass(frozen=True)
class Proposal:
    """A rebalancing proposal: moves, swaps, the indexes before and after, and how it ended.

    `status` is "improved", "no_improvement" (nothing allowed lowers the indexes), "trivial"
    (fewer than two territories with capacity), "time_limit" (best found when time ran out),
    "not_asked" (no account rows given) or "infeasible" (the constraints allow no move at
    all; `binding` names the constraint and `nearest` holds the nearest feasible proposal).
    `moves` has columns account_id, from_territory_id, to_territory_id, workload_hours,
    potential, cv_after; `swaps` has account_id, partner_id, territory_id, partner_territory_id,
    potential, partner_potential, cv_after (CV of relative potential per selling hour).
    """

    status: str
    moves: pd.DataFrame
    before: BalanceIndex
    after: BalanceIndex
    binding: str | None = None
    message: str = ""
    territories_after: pd.DataFrame = field(default_factory=pd.DataFrame)
    swaps: pd.DataFrame = field(default_factory=pd.DataFrame)
    potential_before: BalanceIndex = field(default_factory=lambda: BalanceIndex(None, None, 0))
    potential_after: BalanceIndex = field(default_factory=lambda: BalanceIndex(None, None, 0))
    nearest: Nearest | None = None

    def to_json(self, territories: pd.DataFrame) -> dict[str, object]:
        """Returns the proposal as JSON with territory names beside the ids."""
        names = dict(zip(territories["territory_id"], territories["territory"], strict=True))
        moves = [
            {
                "account_id": int(m.account_id),
                "from": names.get(int(m.from_territory_id)),
                "to": names.get(int(m.to_territory_id)),
                "from_territory_id": int(m.from_territory_id),
                "to_territory_id": int(m.to_territory_id),
                "workload_hours": float(m.workload_hours),
                "potential": float(m.potential),
                "cv_after": float(m.cv_after),
            }
            for m in self.moves.itertuples()
        ]
        swaps = [
            {k: (int(v) if k.endswith("id") else float(v)) for k, v in row.items()}
            for row in self.swaps.to_dict(orient="records")
        ]
        return {
            "status": self.status,
            "binding": self.binding,
            "message": self.message,
            "nearest": None if self.nearest is None else self.nearest.sentence(),
            "moves": moves,
            "swaps": swaps,
            "before": self.before.as_dict(),
            "after": self.after.as_dict(),
            "potential_before": self.potential_before.as_dict(),
            "potential_after": self.potential_after.as_dict(),
        }


MOVE_COLUMNS = ["account_id", "from_territory_id", "to_territory_id", "workload_hours", "cv_after"]
SWAP_COLUMNS = ["account_id", "partner_id", "territory_id", "partner_territory_id", "potential",
                "partner_potential", "cv_after"]  # fmt: skip


def _moves_frame(moves: list[Move], potentials: pd.Series) -> pd.DataFrame:
    """Returns the moves as the `Proposal.moves` frame (with each account's potential)."""
    frame = pd.DataFrame(moves, columns=MOVE_COLUMNS).astype(
        {"account_id": "Int64", "from_territory_id": "Int64", "to_territory_id": "Int64",
         "workload_hours": "float64", "cv_after": "float64"}
    )  # fmt: skip
    frame.insert(4, "potential", frame["account_id"].map(potentials).astype("float64"))
    return frame


def _swaps_frame(swaps: list[Swap]) -> pd.DataFrame:
    """Returns the swaps as the `Proposal.swaps` frame."""
    return pd.DataFrame(swaps, columns=SWAP_COLUMNS).astype(
        {"account_id": "Int64", "partner_id": "Int64", "territory_id": "Int64",
         "partner_territory_id": "Int64", "potential": "float64",
         "partner_potential": "float64", "cv_after": "float64"}
    )  # fmt: skip


def _text_or_none(column: pd.Series) -> np.ndarray:
    """Returns the column as an object array with None where it is missing."""
    return column.astype("object").where(column.notna(), None).to_numpy()


def _board(territories: pd.DataFrame, value: str, cap_eff: np.ndarray) -> Board:
    """Returns the territories as arrays for a search over `value` / `cap_eff`."""
    terr = territories.reset_index(drop=True)
    cap = terr["capacity_hours"].to_numpy(dtype="float64")
    covered = cap > 0
    return Board(
        tid=terr["territory_id"].to_numpy(),
        cap=cap,
        cap_eff=cap_eff,
        pot=numeric(terr, value).to_numpy().copy(),
        covered=covered,
        inv_c=np.where(covered, 1.0 / np.where(covered, cap_eff, 1.0), 0.0),
        region=_text_or_none(terr["region"]),
        segment=_text_or_none(terr["segment"]),
    )


def _index_of(board: Board) -> BalanceIndex:
    """Returns the balance index of the covered territories' value / cap_eff."""
    return balance_index(board.pot[board.covered] / board.cap_eff[board.covered])


def _move_cap(constraints: Constraints, n_accounts: int) -> tuple[int, str]:
    """Returns the number of moves allowed and the constraint that sets it."""
    cap_moves = n_accounts if constraints.max_moves is None else int(constraints.max_moves)
    binding_cap = "max_moves"
    if constraints.max_share is not None:
        by_share = math.floor(constraints.max_share * n_accounts + 1e-9)
        if by_share < cap_moves:
            cap_moves, binding_cap = by_share, "max_share"
    return cap_moves, binding_cap


@dataclass(frozen=True)
class _Accounts:
    """The proposal's accounts as arrays: territory position, keys, load, potential, id."""

    pos: np.ndarray
    seg: np.ndarray
    reg: np.ndarray
    load: np.ndarray
    pot: np.ndarray
    ids: np.ndarray
    movable: np.ndarray


def _accounts(rows: pd.DataFrame, board: Board, keep_largest: int) -> _Accounts:
    """Returns the accounts in known territories as arrays (see `_Accounts`).

    An account without a region takes its territory's; each territory's `keep_largest`
    largest accounts (by potential) are not movable.
    """
    pos = pd.Series(np.arange(len(board.tid)), index=board.tid)
    a_pos = pos.reindex(rows["territory_id"].to_numpy()).to_numpy()
    known = ~np.isnan(a_pos.astype("float64"))
    acc = rows[known].reset_index(drop=True)
    a_pos = a_pos[known].astype(int)
    a_reg = board.region[a_pos]
    if "region" in acc:
        own = _text_or_none(acc["region"])
        a_reg = np.where(pd.isna(own), a_reg, own)
    pot = numeric(acc, "annual_potential").clip(lower=0).to_numpy()
    load = numeric(acc, "workload_hours").clip(lower=0).to_numpy()
    movable = load > 0
    if keep_largest > 0:
        rank = pd.Series(pot).groupby(a_pos).rank(method="first", ascending=False).to_numpy()
        movable &= rank > keep_largest
    seg = pd.Series(_text_or_none(acc["segment"]), dtype="object").fillna("\0").to_numpy()
    reg = pd.Series(a_reg, dtype="object").fillna("\0").to_numpy()
    return _Accounts(a_pos, seg, reg, load, pot, acc["id"].to_numpy(), movable)


def _groups(acc: _Accounts, mask: np.ndarray, with_load: bool) -> dict:
    """Returns accounts grouped by (territory, segment, region), sorted by load or potential."""
    keys = pd.DataFrame({"t": acc.pos, "seg": acc.seg, "reg": acc.reg})[mask]
    out: dict = {}
    for (t, seg, reg), idx in keys.groupby(["t", "seg", "reg"], sort=True).groups.items():
        ii = np.asarray(idx)
        if with_load:
            order = np.lexsort((acc.ids[ii], acc.pot[ii], acc.load[ii]))
            out[(int(t), seg, reg)] = [acc.load[ii][order], acc.ids[ii][order], acc.pot[ii][order]]
        else:
            order = np.lexsort((acc.ids[ii], acc.pot[ii]))
            out[(int(t), seg, reg)] = [acc.pot[ii][order], acc.ids[ii][order]]
    return out


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


def _swap_pairs(board: Board, groups: SwapGroups, constraints: Constraints) -> list[tuple]:
    """Returns the (group, group) pairs that may swap: same segment, both covered, region rule."""
    keys = [k for k in groups if board.covered[k[0]]]
    return [
        (a, b)
        for a in keys
        for b in keys
        if a[0] < b[0] and a[1] == b[1] and (not constraints.same_region or a[2] == b[2])
    ]


def _no_target(constraints: Constraints) -> tuple[str, str]:
    """Returns (binding constraint, message) when no group has a territory to move to."""
    rules = (("same_region", constraints.same_region), ("same_segment", constraints.same_segment))
    names = [name for name, on in rules if on]
    if not names:
        return "capacity", "No account may move: no other territory has selling capacity."
    labels = " and ".join(CONSTRAINT_LABELS[n] for n in names)
    return names[0], f"No account may move: no other territory with capacity fits {labels}."


_RELAX: dict[str, dict[str, Any]] = {
    "same_region": {"same_region": False},
    "same_segment": {"same_segment": False},
    "keep_largest": {"keep_largest": 0},
    "max_moves": {"max_moves": 1},
    "max_share": {"max_share": None},
}


@dataclass
class _Search:
    """One proposal's working state: both boards, the accounts and what was found."""

    territories: pd.DataFrame
    constraints: Constraints
    load: Board
    pot: Board
    started: float
    moves: list[Move] = field(default_factory=list)
    swaps: list[Swap] = field(default_factory=list)
    blocked: tuple[str, str] | None = None  # (binding constraint, message) when no move may run
    note: str = ""

    def proposal(self, status: str, message: str, before: tuple, potentials: pd.Series) -> Proposal:
        """Returns the Proposal as the boards stand now."""
        terr = self.territories.reset_index(drop=True)
        after = terr[["territory_id"]].copy()
        after["workload_hours"] = self.load.pot
        after["potential"] = self.pot.pot
        after["capacity_hours"] = self.load.cap
        covered = self.load.covered
        denominator = np.where(covered, self.load.cap, 1.0)
        after["utilisation"] = pd.array(np.where(covered, self.load.pot / denominator, np.nan),
                                        dtype="Float64")  # fmt: skip
        after["potential_per_capacity_hour"] = pd.array(
            np.where(covered, self.pot.pot / denominator, np.nan), dtype="Float64"
        )
        return Proposal(
            status=status,
            moves=_moves_frame(self.moves, potentials),
            before=before[0],
            after=_index_of(self.load),
            message=message,
            territories_after=after,
            swaps=_swaps_frame(self.swaps),
            potential_before=before[1],
            potential_after=_index_of(self.pot),
        )


def _run_moves(search: _Search, acc: _Accounts, n_rows: int) -> None:
    """Runs the move search (or records why no move may run) and moves potential with it."""
    c = search.constraints
    cap_moves, binding_cap = _move_cap(c, n_rows)
    if not acc.movable.any():
        if c.keep_largest > 0 and (acc.load > 0).any():
            search.blocked = ("keep_largest", "Keeping each territory's largest accounts leaves "
                              "no account to move.")  # fmt: skip
        else:
            search.blocked = ("no_workload", "No account carries workload to move.")
        return
    if cap_moves <= 0:
        label = CONSTRAINT_LABELS[binding_cap]
        search.blocked = (binding_cap, f"{label[0].upper()}{label[1:]} allows no move at all.")
        return
    groups: Groups = _groups(acc, acc.movable, with_load=True)
    targets = {key: _targets(search.load, key, c) for key in groups}
    if not any(len(v) for v in targets.values()):
        search.blocked = _no_target(c)
        return
    limits = Limits(cap_moves, binding_cap, c.min_gain, search.started, c.time_limit_s)
    search.moves, _, search.note = search_moves(search.load, groups, targets, limits)
    where = pd.Series(np.arange(len(search.pot.tid)), index=search.pot.tid)
    potentials = pd.Series(acc.pot, index=acc.ids)
    for account, src, dst, _, _ in search.moves:
        search.pot.pot[where[src]] -= potentials[account]
        search.pot.pot[where[dst]] += potentials[account]


def _run_swaps(search: _Search, acc: _Accounts) -> str:
    """Runs the swap search over the accounts no move touched; returns why it stopped."""
    c = search.constraints
    if c.max_swaps <= 0:
        return ""
    moved = np.isin(acc.ids, [m[0] for m in search.moves])
    groups: SwapGroups = _groups(acc, acc.movable & ~moved, with_load=False)
    pairs = _swap_pairs(search.pot, groups, c)
    limits = Limits(c.max_swaps, "max_swaps", c.min_gain, search.started, c.time_limit_s)
    search.swaps, stop = search_swaps(search.pot, groups, pairs, limits)
    return stop


def _outcome(search: _Search, stop: str) -> tuple[str, str]:
    """Returns (status, message) of a finished search."""
    n_moves, n_swaps = len(search.moves), len(search.swaps)
    if "time limit" in (search.note + stop).lower():
        return "time_limit", f"Time limit reached: best {n_moves} move(s), {n_swaps} swap(s)."
    if n_moves or n_swaps:
        text = f"{n_moves} move(s) even out utilisation; {n_swaps} swap(s) even out potential."
        if "cap stopped" in search.note:
            text += " " + search.note.split("; ", 1)[-1].capitalize()
        return "improved", text
    if search.blocked is not None:
        return "infeasible", search.blocked[1]
    return "no_improvement", "No allowed move or swap lowers the balance indexes."


def propose_moves(
    accounts: pd.DataFrame | None,
    territories: pd.DataFrame,
    constraints: Constraints,
    find_nearest: bool = True,
) -> Proposal:
    """Returns account moves and swaps that even out utilisation and potential per hour.

    Requires columns:
      accounts: id, territory_id, annual_potential, segment, workload_hours, optional region
        (defaults to the region of the account's current territory); None: "not asked";
      territories: territory_id, region, segment, potential, workload_hours, capacity_hours,
        optional peer_median (as returned by `territory_metrics`).
    Moves never raise the CV (nor the Gini) of utilisation, swaps those of relative potential
    per selling hour; nothing moves into a territory without capacity; an account moves or
    swaps at most once. With `find_nearest`, an infeasible proposal carries the nearest
    feasible one (the binding constraint relaxed).
    """
    terr = territories.reset_index(drop=True)
    cap = terr["capacity_hours"].to_numpy(dtype="float64")
    load = _board(terr, "workload_hours", cap)
    pot = _board(terr, "potential", cap * peer_norm(terr))
    search = _Search(terr, constraints, load, pot, time.perf_counter())
    before = (_index_of(search.load), _index_of(search.pot))
    if accounts is None:
        return search.proposal("not_asked", "No proposal asked for.", before, pd.Series())
    if int(search.load.covered.sum()) < 2:
        message = (
            "Fewer than two territories have capacity: the current assignment is the only one."
        )
        return search.proposal("trivial", message, before, pd.Series())
    if before[0].cv is None:
        return search.proposal("trivial", f"Nothing to balance: {before[0].reason}.", before,
                               pd.Series())  # fmt: skip
    rows = accounts.reset_index(drop=True)
    acc = _accounts(rows, search.load, constraints.keep_largest)
    potentials = pd.Series(acc.pot, index=acc.ids)
    _run_moves(search, acc, len(rows))
    stop = _run_swaps(search, acc)
    status, message = _outcome(search, stop)
    proposal = search.proposal(status, message, before, potentials)
    if status != "infeasible" or search.blocked is None:
        return proposal
    binding = search.blocked[0]
    nearest = None
    if find_nearest and binding in _RELAX:
        relaxed = replace(constraints, **_RELAX[binding])
        nearest = Nearest(binding, relaxed, propose_moves(rows, territories, relaxed, False))
    return replace(proposal, binding=binding, nearest=nearest)
