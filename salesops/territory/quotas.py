"""Quotas calibrated to attainment: the share of reps expected to make quota hits a target.

**Suggested quota** of a rep = the amount they book with the same chance θ as every other
rep (their expected bookings x the θ-quantile of the spread, `salesops.territory.outlook`),
kept within Settings `quota_change_cap` of their current quota (reps without one are not
capped), with θ chosen so that the **expected share of reps at or above 100%** of quota
equals Settings `attainment_target` (the caps can make that unreachable: the nearest share
is kept and the reason given). Reps who have left, or have no expected bookings in the quota
year, get no quota. A ramping rep's expected bookings, hence quota, are prorated by the ramp.
The suggestions of today's reps add up to what they can carry at the target share; a team
target above that is the **gap** new hires must cover (`salesops.plan`), one below it lowers
every quota in proportion (more reps then make quota, and the report says so). With
`spread_target=True` the whole target is spread over today's reps instead (θ solved for
the sum), and the expected share is what follows.
**Expected attainment distribution**: for each band of attainment (bookings / quota), the
expected number of reps in it, summed over reps from their spread: for current and
suggested quotas side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from salesops.config import Settings
from salesops.territory.outlook import Outlook

BANDS = ((0.0, 0.5, "< 50%"), (0.5, 0.8, "50–80%"), (0.8, 1.0, "80–100%"),
         (1.0, 1.2, "100–120%"), (1.2, np.inf, "≥ 120%"))  # fmt: skip
_ITERATIONS = 40  # θ to within 1e-12


@dataclass(frozen=True)
class QuotaPolicy:
    """How quotas are calibrated (defaults: Settings section plan)."""

    attainment_target: float
    change_cap: float
    shrink_months: float
    tolerance: float

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> QuotaPolicy:
        """Returns the quota policy of `settings`, with `overrides` by field name."""
        chosen = cls(
            attainment_target=float(settings.attainment_target),
            change_cap=float(settings.quota_change_cap),
            shrink_months=float(settings.quota_shrink_months),
            tolerance=float(settings.quota_tolerance),
        )
        return replace(chosen, **overrides)


@dataclass(frozen=True)
class QuotaResult:
    """Suggested quotas, the expected share at quota, the gap to the target, and why."""

    table: pd.DataFrame
    team_target: float
    suggested_total: float
    carried_total: float
    gap: float
    expected_share_current: float | None
    expected_share_suggested: float | None
    distribution: pd.DataFrame
    notes: tuple[str, ...]
    reason: str | None
    chance: float = 0.0  # the common chance θ each rep's quota was set at


def _bounds(current: np.ndarray, eligible: np.ndarray, cap: float) -> tuple[np.ndarray, np.ndarray]:
    """Returns each rep's lowest and highest allowed quota (no cap without a current quota)."""
    capped = eligible & (current > 0)
    lo = np.where(capped, current * (1 - cap), 0.0)
    hi = np.where(capped, current * (1 + cap), np.inf)
    return np.where(eligible, lo, 0.0), np.where(eligible, hi, 0.0)


def _solve(fn: Callable[[float], float], goal: float, increasing: bool) -> float:
    """Returns θ in (0, 1) with fn(θ) closest to `goal` by bisection (fn monotone in θ)."""
    lo, hi = 1e-4, 1 - 1e-4
    for _ in range(_ITERATIONS):
        mid = (lo + hi) / 2
        above = fn(mid) > goal
        if above == increasing:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def expected_share(outlook: Outlook, quotas: np.ndarray) -> float | None:
    """Returns the expected share of reps with a quota who reach it (None without spread)."""
    chance = outlook.chance(quotas)
    has = np.asarray(quotas) > 0
    if outlook.spread is None or not has.any():
        return None
    return float(np.nanmean(chance[has]))


def attainment_distribution(
    outlook: Outlook, current: np.ndarray, suggested: np.ndarray
) -> pd.DataFrame:
    """Returns the expected number of reps per attainment band, for current and suggested quotas.

    Columns: band, current, suggested (expected reps; empty without a measured spread).
    """
    rows = []
    if outlook.spread is None:
        return pd.DataFrame(columns=["band", "current", "suggested"])
    for low, high, label in BANDS:
        counts = []
        for quotas in (current, suggested):
            at_least_low = (
                outlook.chance(quotas, low) if low > 0 else np.where(quotas > 0, 1.0, 0.0)
            )
            at_least_high = outlook.chance(quotas, high) if np.isfinite(high) else 0.0
            counts.append(float(np.nansum(np.where(quotas > 0, at_least_low - at_least_high, 0.0))))
        rows.append({"band": label, "current": counts[0], "suggested": counts[1]})
    return pd.DataFrame(rows)


def _cents(values: np.ndarray) -> np.ndarray:
    """Returns amounts rounded to cents."""
    return np.round(np.asarray(values, dtype="float64"), 2)


def _flags(
    active: np.ndarray, current: np.ndarray, suggested: np.ndarray, tolerance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Returns (current / suggested - 1, flag) per rep."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(suggested > 0, current / np.where(suggested > 0, suggested, 1) - 1, np.nan)
    flag = np.where(
        ~active,
        "inactive",
        np.where(
            suggested <= 0,
            np.where(current > 0, "no expected bookings", "no quota"),
            np.where(current <= 0, "no current quota",
                     np.where(ratio > tolerance, "over-assigned",
                              np.where(ratio < -tolerance, "under-assigned", "fair"))),
        ),
    )  # fmt: skip
    return ratio, flag


@dataclass(frozen=True)
class _Calibration:
    """The quota function of θ for one outlook and its bounds."""

    outlook: Outlook
    lo: np.ndarray
    hi: np.ndarray
    eligible: np.ndarray

    def quotas(self, theta: float) -> np.ndarray:
        """Returns every rep's quota at chance θ, within the caps (0 when not eligible)."""
        raw = self.outlook.quantile_quotas(theta)
        return np.where(self.eligible, np.clip(raw, self.lo, self.hi), 0.0)

    def share(self, theta: float) -> float:
        """Returns the expected share at quota of the quotas at θ."""
        return expected_share(self.outlook, self.quotas(theta)) or 0.0


def _at_share(cal: _Calibration, target: float) -> tuple[np.ndarray, list[str], float]:
    """Returns (quotas, notes, θ): quotas whose expected share at quota is `target`.

    All at the common chance θ, or the nearest share the caps allow.
    """
    theta = _solve(cal.share, target, increasing=True)
    quotas = cal.quotas(theta)
    reached = cal.share(theta)
    notes = []
    if abs(reached - target) > 0.005:
        notes.append(
            f"The ±{_cap_text(cal)} change cap keeps the expected share at quota at "
            f"{reached:.0%} instead of {target:.0%}: the nearest reachable."
        )
    return quotas, notes, theta


def _cap_text(cal: _Calibration) -> str:
    """Returns the cap as a percentage, read back from the bounds."""
    capped = cal.eligible & np.isfinite(cal.hi) & (cal.hi > 0)
    if not capped.any():
        return "no"
    i = int(np.flatnonzero(capped)[0])
    return f"{(cal.hi[i] - cal.lo[i]) / (cal.hi[i] + cal.lo[i]):.0%}"


def _spread_over_reps(cal: _Calibration, target: float) -> tuple[np.ndarray, list[str], float]:
    """Returns quotas of today's reps summing to `target` (θ solved for the sum), notes, θ."""
    theta = _solve(lambda t: float(cal.quotas(t).sum()), target, increasing=False)
    quotas = cal.quotas(theta)
    free = cal.eligible & (quotas > cal.lo + 0.01) & (quotas < cal.hi - 0.01)
    residual = target - quotas.sum()
    if free.any() and quotas[free].sum() > 0:
        quotas = quotas + np.where(free, residual * quotas / quotas[free].sum(), 0.0)
    notes = []
    if abs(target - quotas.sum()) > 1.0:
        notes.append(
            f"The change cap lets today's reps carry at most {quotas.sum():,.0f} of the "
            f"{target:,.0f} target."
        )
    return quotas, notes, theta


def _scaled_down(quotas: np.ndarray, target: float, carried: float) -> tuple[np.ndarray, list[str]]:
    """Returns quotas lowered in proportion to sum to a target below what reps carry."""
    note = (
        f"The target ({target:,.0f}) is below what today's reps are expected to book at the "
        f"target share ({carried:,.0f}): every quota is lowered in proportion, so more reps "
        "are expected to make quota."
    )
    return quotas * (target / carried if carried > 0 else 0.0), [note]


def _exact(quotas: np.ndarray, total: float) -> np.ndarray:
    """Returns quotas in cents whose sum is exactly `total` (the rounding put on the largest)."""
    out = _cents(quotas)
    if len(out) and out.max() > 0:
        out[int(np.argmax(out))] += round(total - out.sum(), 2)
    return out


def _fallback(cal: _Calibration, current: np.ndarray, target: float | None) -> np.ndarray:
    """Returns quotas in proportion to expected bookings when the spread is unknown."""
    expected = np.where(cal.eligible, cal.outlook.reps["expected"].to_numpy(dtype="float64"), 0.0)
    total = float(current[cal.eligible].sum()) if target is None else float(target)
    return expected / expected.sum() * total if expected.sum() > 0 else np.zeros(len(expected))


def suggested_quotas(
    outlook: Outlook,
    active: np.ndarray,
    current: np.ndarray,
    policy: QuotaPolicy,
    team_target: float | None = None,
    spread_target: bool = False,
) -> tuple[np.ndarray, float, float, float, list[str], float]:
    """Returns (quotas in cents, team target, carried, gap, notes, θ): the arithmetic.

    What `calibrate_quotas` tabulates; the backtest calls it directly (no tables).
    """
    expected = outlook.expected
    eligible = active & (expected > 0)
    lo, hi = _bounds(current, eligible, policy.change_cap)
    cal = _Calibration(outlook, lo, hi, eligible)
    notes: list[str] = []
    theta = policy.attainment_target
    if outlook.spread is None:
        quotas = _fallback(cal, current, team_target)
        carried = target = float(quotas.sum())
        notes.append(f"Quotas follow expected bookings only: {outlook.reason}.")
    else:
        quotas, notes, theta = _at_share(cal, policy.attainment_target)
        carried = float(quotas.sum())
        target = carried if team_target is None else float(team_target)
        if spread_target and team_target is not None:
            quotas, more, theta = _spread_over_reps(cal, target)
            notes += more
        elif target < carried:
            quotas, more = _scaled_down(quotas, target, carried)
            notes += more
    gap = round(max(0.0, target - float(quotas.sum())), 2)  # in cents, as the quotas
    return _exact(quotas, target - gap), target, carried, gap, notes, theta


def calibrate_quotas(
    outlook: Outlook,
    reps: pd.DataFrame,
    policy: QuotaPolicy,
    team_target: float | None = None,
    spread_target: bool = False,
) -> QuotaResult:
    """Returns quotas calibrated to the attainment target, summing to the team target.

    Requires `reps` in the order of `outlook.reps`, with columns rep_id, rep, territory,
    active, current_quota. `team_target` None means what today's reps carry at the target
    share. Returns a QuotaResult whose table has columns rep_id, rep, territory, segment,
    expected_bookings, ramped_months, current_quota, suggested_quota, change,
    chance_current, chance_suggested, capped, flag (and `gap`: the part of the target left
    for new hires, 0 with `spread_target`).
    """
    active = reps["active"].to_numpy(dtype=bool)
    current = pd.to_numeric(reps["current_quota"], errors="coerce").fillna(0.0).to_numpy()
    quotas, target, carried, gap, notes, theta = suggested_quotas(
        outlook, active, current, policy, team_target, spread_target
    )
    result = _result(outlook, reps, quotas, current, policy, target, carried, gap, notes)
    return replace(result, chance=theta)


def _result(
    outlook: Outlook,
    reps: pd.DataFrame,
    quotas: np.ndarray,
    current: np.ndarray,
    policy: QuotaPolicy,
    target: float,
    carried: float,
    gap: float,
    notes: list[str],
) -> QuotaResult:
    """Returns the QuotaResult: the per-rep table, shares and the attainment distribution."""
    active = reps["active"].to_numpy(dtype=bool)
    _, flag = _flags(active, current, quotas, policy.tolerance)
    held = np.where(active, current, 0.0)
    has_current = (current > 0) & active
    moved = quotas / np.where(has_current, current, 1) - 1
    capped = has_current & (quotas > 0)
    capped &= np.abs(quotas - current) >= policy.change_cap * current - 0.01
    table = pd.DataFrame(
        {
            "rep_id": reps["rep_id"].to_numpy(),
            "rep": reps["rep"].to_numpy(),
            "territory": reps["territory"].to_numpy(),
            "segment": outlook.reps["segment"].to_numpy(),
            "expected_bookings": outlook.reps["expected"].to_numpy(),
            "ramped_months": outlook.reps["ramped_months"].to_numpy(),
            # "—", not $0, where a rep has none (missing quotas count as 0 in the sums)
            "current_quota": pd.array(np.where(current > 0, current, np.nan), dtype="Float64"),
            "suggested_quota": quotas,
            "change": pd.array(np.where(has_current, moved, np.nan), dtype="Float64"),
            "chance_current": pd.array(outlook.chance(held), dtype="Float64"),
            "chance_suggested": pd.array(outlook.chance(quotas), dtype="Float64"),
            "capped": capped,
            "flag": flag,
        }
    )
    return QuotaResult(
        table=table,
        team_target=float(target),
        suggested_total=float(quotas.sum()),
        carried_total=float(carried),
        gap=float(gap),
        expected_share_current=expected_share(outlook, held),
        expected_share_suggested=expected_share(outlook, quotas),
        distribution=attainment_distribution(outlook, held, quotas),
        notes=tuple(notes),
        reason=outlook.reason,
    )
