"""The greedy account-swap search: exchange accounts of one segment to even out potential.

A swap gives account a of territory A to B and account b of B to A. Both are of the same
segment, so each territory keeps its workload (and utilisation) while the potential it holds
changes by d = potential(a) - potential(b). Each step applies the swap that lowers the CV of
potential per selling hour relative to peers (PPH / peer median) the most without raising its
Gini: for every allowed pair of groups the best partner b of each a is one of the two whose
potential is nearest p_a - d*, d* being the CV-minimising transfer between A and B (see
`move_search.transfer_optimum`). An account takes part in at most one swap or move.
"""

from __future__ import annotations

import time

import numpy as np

from salesops.territory.move_search import (
    Board,
    Candidates,
    Limits,
    after_each,
    first_fair,
    transfer_optimum,
)

# (account given by A, account given by B, territory A, territory B, potential a, potential b,
#  cv_after)
Swap = tuple[int, int, int, int, float, float, float]
# (territory position, segment, region) -> [sorted potentials, account ids]
SwapGroups = dict[tuple[int, str, str], list[np.ndarray]]


def _pair_candidates(
    board: Board,
    x: np.ndarray,
    sums: tuple[float, float],
    ga: list[np.ndarray],
    gb: list[np.ndarray],
    ab: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Returns (net transfer d, id of a, id of b) for the two best partners of every a."""
    a, b = ab
    (pa, ida), (pb, idb) = ga, gb
    if len(pa) == 0 or len(pb) == 0:
        return np.array([]), np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    dstar = float(transfer_optimum(board, x, sums, a, np.array([b]))[0])
    j = np.searchsorted(pb, pa - dstar)
    both = np.clip(np.concatenate([j - 1, j]), 0, len(pb) - 1)
    own = np.concatenate([np.arange(len(pa)), np.arange(len(pa))])
    return pa[own] - pb[both], ida[own], idb[both]


def _candidates(
    board: Board, x: np.ndarray, sums: tuple[float, float], groups: SwapGroups, pairs: list[tuple]
) -> tuple[Candidates, np.ndarray] | None:
    """Returns every swap worth evaluating as a net move (p = d from A to B) plus b's ids."""
    d, ca, cb, ida, idb = [], [], [], [], []
    for key_a, key_b in pairs:
        dd, aa, bb = _pair_candidates(
            board, x, sums, groups[key_a], groups[key_b], (key_a[0], key_b[0])
        )
        d.append(dd)
        ida.append(aa)
        idb.append(bb)
        ca.append(np.full(len(dd), key_a[0]))
        cb.append(np.full(len(dd), key_b[0]))
    if not d or not sum(len(v) for v in d):
        return None
    cand = Candidates(
        np.concatenate(d),
        np.concatenate(ca),
        np.concatenate(cb),
        np.concatenate(ida),
        np.concatenate(ida).astype("float64"),  # ties: the lowest account of A first
    )
    return cand, np.concatenate(idb)


def _drop(groups: SwapGroups, position: int, account: int) -> None:
    """Takes `account` out of the group it belongs to in territory `position`."""
    for key, (gp, gid) in groups.items():
        if key[0] == position:
            hit = np.flatnonzero(gid == account)
            if len(hit):
                groups[key] = [np.delete(gp, hit), np.delete(gid, hit)]
                return


def search_swaps(
    board: Board, groups: SwapGroups, pairs: list[tuple], limits: Limits
) -> tuple[list[Swap], str]:
    """Returns the swaps found and why the search stopped; applies them to `board.pot`.

    `pairs` lists the (group of A, group of B) that may exchange accounts.
    """
    swaps: list[Swap] = []
    while len(swaps) < limits.max_moves:
        if time.perf_counter() - limits.started > limits.time_limit_s:
            return swaps, "time limit"
        covered = board.covered
        x = np.where(covered, board.pot * board.inv_c, 0.0)
        sums = (x[covered].sum(), (x[covered] ** 2).sum())
        found = _candidates(board, x, sums, groups, pairs)
        if found is None:
            break
        cand, id_b = found
        after = after_each(board, x, sums, cand)
        chosen = first_fair(board, x, cand, after, limits.min_gain)
        if chosen is None:
            break
        a, b, d = int(cand.ca[chosen]), int(cand.cb[chosen]), float(cand.p[chosen])
        acc_a, acc_b = int(cand.cid[chosen]), int(id_b[chosen])
        pot_b = float(groups_potential(groups, b, acc_b))
        board.pot[a] -= d
        board.pot[b] += d
        _drop(groups, a, acc_a)
        _drop(groups, b, acc_b)
        swaps.append((acc_a, acc_b, int(board.tid[a]), int(board.tid[b]), pot_b + d, pot_b,
                      float(after[0][chosen])))  # fmt: skip
    stop = "swap cap" if len(swaps) >= limits.max_moves else "no swap lowers the index"
    return swaps, stop


def groups_potential(groups: SwapGroups, position: int, account: int) -> float:
    """Returns the potential of `account` in territory `position` (0 if not found)."""
    for key, (gp, gid) in groups.items():
        if key[0] == position:
            hit = np.flatnonzero(gid == account)
            if len(hit):
                return float(gp[hit[0]])
    return 0.0
