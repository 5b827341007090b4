"""Moving the middle: the rep productivity distribution and what lifting its middle is worth.

Reps are ranked by productivity (bookings per selling hour, or bookings per rep); with
``n`` ranked reps the bottom and top ``floor(n x (1 - middle)/2)`` are excluded and the
rest is the middle (``middle`` is ``Settings.middle_share``). Lifting a rep's
productivity by ``p`` at the same selling hours adds ``p x bookings`` for that rep.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.figures import Figure
from salesops.time_allocation.ratios import NO_SELLING_REASON, ratio
from salesops.time_allocation.records import to_json

BASIS_LABELS = {"per_selling_hour": "bookings per selling hour", "per_rep": "bookings per rep"}


def productivity_distribution(
    rep_summary: pd.DataFrame, *, basis: str, middle_share: float
) -> pd.DataFrame:
    """Returns each rep's productivity, rank and group (bottom / middle / top).

    ``basis="per_selling_hour"`` ranks by bookings per selling hour (reps with no
    selling hours are listed with group ``excluded`` and a reason);
    ``basis="per_rep"`` ranks by bookings. With n ranked reps, the bottom and top
    ``k = floor(n x (1 - middle_share) / 2)`` are excluded from the middle; the
    single best rep is ``top_performer``.

    Requires columns ``rep_id``, ``name``, ``bookings``, ``selling_hours``.

    Returns a frame with columns ``rep_id``, ``name``, ``bookings``, ``selling_hours``,
    ``productivity`` (Float64), ``rank`` (1 = lowest, Int64), ``group``,
    ``top_performer`` (bool), ``reason``; sorted by productivity ascending, excluded last.
    """
    if basis not in BASIS_LABELS:
        raise ValueError(f"basis must be 'per_selling_hour' or 'per_rep', not {basis!r}.")
    if not 0 < middle_share <= 1:
        raise ValueError("middle_share must be in (0, 1].")
    out = rep_summary[["rep_id", "name", "bookings", "selling_hours"]].copy()
    if basis == "per_selling_hour":
        ok = out["selling_hours"] > 0
        out["productivity"] = (out["bookings"] / out["selling_hours"].where(ok)).astype("Float64")
        out["reason"] = pd.Series(NO_SELLING_REASON, index=out.index, dtype=object).where(~ok)
    else:
        out["productivity"] = out["bookings"].astype("Float64")
        out["reason"] = pd.Series(None, index=out.index, dtype=object)
    ranked = out[out["productivity"].notna()].sort_values(["productivity", "rep_id"])
    n = len(ranked)
    k = math.floor(n * (1 - middle_share) / 2 + 1e-9)
    ranked = ranked.assign(rank=pd.array(range(1, n + 1), dtype="Int64"))
    group = np.where(
        ranked["rank"] <= k, "bottom", np.where(ranked["rank"] > n - k, "top", "middle")
    )
    ranked = ranked.assign(group=group, top_performer=ranked["rank"] == n)
    rest = out[out["productivity"].isna()].assign(
        rank=pd.array([pd.NA] * int(out["productivity"].isna().sum()), dtype="Int64"),
        group="excluded",
        top_performer=False,
    )
    result = pd.concat([ranked, rest.sort_values("rep_id")], ignore_index=True)
    result["top_performer"] = result["top_performer"].astype(bool)
    return result[
        [
            "rep_id",
            "name",
            "bookings",
            "selling_hours",
            "productivity",
            "rank",
            "group",
            "top_performer",
            "reason",
        ]
    ]


@dataclass(frozen=True)
class MiddleLift:
    """What lifting the middle of the distribution adds versus lifting the top performer."""

    lift: float
    middle_reps: int
    middle_bookings: float
    middle_gain: float
    top_rep: str | None
    top_bookings: float
    top_gain: float
    total_bookings: float
    middle_gain_share_of_total: Figure
    middle_to_top_ratio: Figure

    def to_json(self) -> dict[str, object]:
        """Returns a JSON-safe dict; undefined figures are null with a ``*_reason`` key."""
        return to_json(self)


def middle_lift(distribution: pd.DataFrame, lift: float) -> MiddleLift:
    """Returns the bookings added by lifting the middle group vs the top performer by ``lift``.

    Lifting a rep's productivity by ``lift`` at the same selling hours (or the same
    headcount) adds ``lift x bookings`` for that rep.

    Requires the output of ``productivity_distribution``.
    """
    if lift < 0:
        raise ValueError("lift cannot be negative.")
    group = distribution["group"].to_numpy(dtype=object)
    bookings = distribution["bookings"].to_numpy(dtype=float)
    is_top = distribution["top_performer"].to_numpy(dtype=bool)
    middle_bookings = float(bookings[group == "middle"].sum())
    top_bookings = float(bookings[is_top].sum())
    total = float(bookings[group != "excluded"].sum())
    top_names = distribution["name"].to_numpy(dtype=object)[is_top]
    middle_gain = middle_bookings * lift
    top_gain = top_bookings * lift
    return MiddleLift(
        lift=lift,
        middle_reps=int((group == "middle").sum()),
        middle_bookings=middle_bookings,
        middle_gain=middle_gain,
        top_rep=str(top_names[0]) if len(top_names) else None,
        top_bookings=top_bookings,
        top_gain=top_gain,
        total_bookings=total,
        middle_gain_share_of_total=ratio(middle_gain, total, "no bookings among ranked reps"),
        middle_to_top_ratio=ratio(
            middle_gain, top_gain, "top performer adds nothing (no bookings or lift 0)"
        ),
    )
