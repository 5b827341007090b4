"""The greedy account-move search behind a rebalancing proposal, on arrays.

Each step evaluates every allowed (source, target, account group) and applies the single move
that lowers the CV of the load (workload / capacity: utilisation) the most, provided the
Gini does not rise either. Moving load p from territory a to b changes the sum S1 and
the sum of squares S2 of the PPH values linearly and quadratically in p, so
CV^2 = n S2(p) / S1(p)^2 - 1 has one stationary point p* = (2 k S2 - beta S1) /
(2 alpha S1 - beta k); the best account of a group is therefore one of the two neighbours of
p* in the group's sorted loads, or the smallest or largest one. Only those four are
evaluated, which makes each step exact and cheap at 100k accounts. Ties go to the lowest
(source, target), then the account with the least potential (the least to hand over), then
the lowest id.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from salesops.territory.balance import EPS

# (account_id, from_territory_id, to_territory_id, potential, cv_after)
Move = tuple[int, int, int, float, float]
# (territory position, segment, region) -> [sorted loads, account ids, potentials]
Groups = dict[tuple[int, str, str], list[np.ndarray]]
# How many of the best CV candidates are tried for a Gini that does not rise.
_GINI_TRIES = 64


@dataclass
class Board:
    """The territories as arrays; `pot` changes as moves are applied."""

    tid: np.ndarray
    cap: np.ndarray
    cap_eff: np.ndarray  # what the load is divided by: capacity (x peer median PPH for swaps)
    pot: np.ndarray
    covered: np.ndarray
    inv_c: np.ndarray  # 1 / cap_eff where covered, else 0
    region: np.ndarray
    segment: np.ndarray


@dataclass(frozen=True)
class Limits:
    """When the search stops: the move cap (and its name), the smallest gain, the time limit."""

    max_moves: int
    cap_name: str
    min_gain: float
    started: float
    time_limit_s: float


@dataclass(frozen=True)
class Candidates:
    """Candidate moves: load, source and target positions, account id, potential (tie-break)."""

    p: np.ndarray
    ca: np.ndarray
    cb: np.ndarray
    cid: np.ndarray
    tie: np.ndarray


def _cv_from_sums(s1: np.ndarray, s2: np.ndarray, n: int) -> np.ndarray:
    """Returns the CV from the sum and the sum of squares of n values (population)."""
    mean = s1 / n
    var = np.maximum(s2 / n - mean**2, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mean > 0, np.sqrt(var) / np.where(mean > 0, mean, 1.0), np.inf)


def _gini_rows(x: np.ndarray) -> np.ndarray:
    """Returns the Gini of each row of a 2-D array (population formula on sorted values)."""
    n = x.shape[1]
    xs = np.sort(x, axis=1)
    total = xs.sum(axis=1)
    ranks = np.arange(1, n + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = 2 * (xs * ranks).sum(axis=1) / (n * total) - (n + 1) / n
    return np.where(total > 0, np.maximum(g, 0.0), np.inf)


def transfer_optimum(
    board: Board, x: np.ndarray, sums: tuple[float, float], a: int, b: np.ndarray
) -> np.ndarray:
    """Returns, per target in `b`, the amount moved from `a` that minimises the CV (p*)."""
    s1, s2 = sums
    inv_c = board.inv_c
    k = inv_c[b] - inv_c[a]
    beta = 2 * x[b] * inv_c[b] - 2 * x[a] * inv_c[a]
    alpha = inv_c[a] ** 2 + inv_c[b] ** 2
    den = 2 * alpha * s1 - beta * k
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(den) > EPS, (2 * k * s2 - beta * s1) / den, 0.0)


def _neighbours(
    board: Board, x: np.ndarray, sums: tuple[float, float], a: int, b: np.ndarray, gp: np.ndarray
) -> np.ndarray:
    """Returns, per target in `b`, the 4 positions in `gp` worth evaluating (shape 4 x len(b)).

    The smallest, the largest and the two neighbours of the CV-minimising amount p*.
    """
    pstar = transfer_optimum(board, x, sums, a, b)
    j = np.searchsorted(gp, pstar)
    idx = np.stack([np.zeros_like(j), np.full_like(j, len(gp) - 1), j - 1, j])
    return np.clip(idx, 0, len(gp) - 1)


def _candidates(
    board: Board,
    x: np.ndarray,
    sums: tuple[float, float],
    groups: Groups,
    targets: dict[tuple[int, str, str], np.ndarray],
) -> Candidates | None:
    """Returns the moves worth evaluating from each group to its targets, None if there are none."""
    cand_p, cand_a, cand_b, cand_id, cand_tie = [], [], [], [], []
    for key, (gp, gid, gpot) in groups.items():
        b = targets[key]
        if len(b) == 0 or len(gp) == 0:
            continue
        idx = _neighbours(board, x, sums, key[0], b, gp)
        cand_p.append(gp[idx].ravel())
        cand_a.append(np.full(idx.size, key[0]))
        cand_b.append(np.tile(b, 4))
        cand_id.append(gid[idx].ravel())
        cand_tie.append(gpot[idx].ravel())
    if not cand_p:
        return None
    return Candidates(
        np.concatenate(cand_p),
        np.concatenate(cand_a),
        np.concatenate(cand_b),
        np.concatenate(cand_id),
        np.concatenate(cand_tie),
    )


def after_each(
    board: Board, x: np.ndarray, sums: tuple[float, float], c: Candidates
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Returns the CV after each candidate move and the source's and target's new loads."""
    s1, s2 = sums
    inv_c, covered = board.inv_c, board.covered
    xa_new = x[c.ca] - c.p * inv_c[c.ca]
    xb_new = x[c.cb] + c.p * inv_c[c.cb]
    ns1 = s1 - x[c.ca] - x[c.cb] + xa_new + xb_new
    ns2 = s2 - x[c.ca] ** 2 - x[c.cb] ** 2 + xa_new**2 + xb_new**2
    # Uncovered sources contribute nothing to the sums: their x and 1/C are 0.
    ns1 = np.where(covered[c.ca], ns1, s1 - x[c.cb] + xb_new)
    ns2 = np.where(covered[c.ca], ns2, s2 - x[c.cb] ** 2 + xb_new**2)
    return _cv_from_sums(ns1, ns2, int(covered.sum())), xa_new, xb_new


def first_fair(
    board: Board,
    x: np.ndarray,
    c: Candidates,
    after: tuple[np.ndarray, np.ndarray, np.ndarray],
    min_gain: float,
) -> int | None:
    """Returns the candidate with the lowest CV below the current one whose Gini does not rise.

    None when no candidate lowers the CV by `min_gain` or none of the best few keeps the Gini.
    """
    cv, xa_new, xb_new = after
    covered = board.covered
    n_cov = int(covered.sum())
    s1, s2 = x[covered].sum(), (x[covered] ** 2).sum()
    cur_cv = float(_cv_from_sums(np.array([s1]), np.array([s2]), n_cov)[0])
    cur_gini = float(_gini_rows(x[covered][None, :])[0])
    improving = cv < cur_cv - max(min_gain, 1e-12)
    if not improving.any():
        return None
    order = np.lexsort((c.cid, c.tie, board.tid[c.cb], board.tid[c.ca], np.round(cv, 12)))
    cov_idx = np.flatnonzero(covered)
    for o in order[:_GINI_TRIES]:
        if not improving[o]:
            return None
        trial = x.copy()
        trial[c.ca[o]] = xa_new[o] if covered[c.ca[o]] else 0.0
        trial[c.cb[o]] = xb_new[o]
        if _gini_rows(trial[cov_idx][None, :])[0] <= cur_gini + 1e-12:
            return int(o)
    return None


def _best_move(
    board: Board,
    groups: Groups,
    targets: dict[tuple[int, str, str], np.ndarray],
    min_gain: float,
) -> tuple[int, int, Move] | None:
    """Returns (source position, target position, move) of the best next move, or None."""
    covered = board.covered
    x = np.where(covered, board.pot * board.inv_c, 0.0)
    sums = (x[covered].sum(), (x[covered] ** 2).sum())
    c = _candidates(board, x, sums, groups, targets)
    if c is None:
        return None
    after = after_each(board, x, sums, c)
    chosen = first_fair(board, x, c, after, min_gain)
    if chosen is None:
        return None
    a, b, pa = int(c.ca[chosen]), int(c.cb[chosen]), float(c.p[chosen])
    account = int(c.cid[chosen])
    return a, b, (account, int(board.tid[a]), int(board.tid[b]), pa, float(after[0][chosen]))


def _apply(board: Board, groups: Groups, a: int, b: int, move: Move) -> None:
    """Moves the account's load from position a to b and takes it out of its group."""
    account, _, _, pa, _ = move
    board.pot[a] -= pa
    board.pot[b] += pa
    for key, (gp, gid, gpot) in groups.items():
        if key[0] == a:
            hit = np.flatnonzero(gid == account)
            if len(hit):
                groups[key] = [np.delete(gp, hit), np.delete(gid, hit), np.delete(gpot, hit)]
                break


def search_moves(
    board: Board,
    groups: Groups,
    targets: dict[tuple[int, str, str], np.ndarray],
    limits: Limits,
) -> tuple[list[Move], str, str]:
    """Returns the moves found, the status and its message; applies them to `board.pot`.

    Status "improved" (moves found; the message names the cap when it stopped the search),
    "no_improvement" or "time_limit" (the moves found so far).
    """
    moves: list[Move] = []
    status, msg = "no_improvement", "No allowed move lowers the load balance index."
    while len(moves) < limits.max_moves:
        if time.perf_counter() - limits.started > limits.time_limit_s:
            return moves, "time_limit", "Time limit reached: best moves found so far."
        best = _best_move(board, groups, targets, limits.min_gain)
        if best is None:
            return moves, status, msg
        a, b, move = best
        _apply(board, groups, a, b, move)
        moves.append(move)
        status, msg = "improved", f"{len(moves)} move(s) lower the load balance index."
    cap = limits.cap_name.replace("_", " ")
    return moves, "improved", f"{len(moves)} move(s); the {cap} cap stopped the search."
