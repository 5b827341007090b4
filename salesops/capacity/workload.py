"""Workload: the yearly selling hours an account needs, stated per segment or measured.

**Account hours** of a segment: stated in Settings `account_hours` (or on the page), else
**measured**: the selling hours reps logged in the 12 months to the analysis date, spread
evenly over the accounts of their territory, averaged over the segment's accounts (only
territories with logged selling time count). A segment with neither uses Settings
`default_account_hours`, labelled as assumed. **Workload hours** of a territory or rep =
the sum of their accounts' hours; **utilisation** = workload hours / capacity hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

STATED = "stated"
MEASURED = "measured from time logs"
ASSUMED = "assumed (Settings default_account_hours)"
NO_SEGMENT = "(no segment)"


def segment_key(values: pd.Series) -> pd.Series:
    """Returns segments as text keys, a missing segment as "(no segment)"."""
    return values.astype("object").where(values.notna(), NO_SEGMENT).astype(str)


@dataclass(frozen=True)
class AccountHours:
    """Yearly hours an account needs, by segment, and where each number comes from."""

    hours: tuple[tuple[str, float, str], ...]
    default: float

    def lookup(self, segments: pd.Series) -> np.ndarray:
        """Returns the yearly hours of each account segment (the default for unknown ones)."""
        table = {segment: hours for segment, hours, _ in self.hours}
        keys = segment_key(segments)
        return keys.map(table).fillna(self.default).to_numpy(dtype="float64")

    def frame(self) -> pd.DataFrame:
        """Returns the hours as a table: segment, hours, source."""
        return pd.DataFrame(list(self.hours), columns=["segment", "hours", "source"])

    def describe(self) -> str:
        """Returns the sentence stating each segment's hours and their source."""
        parts = [f"{segment} {hours:.1f} h ({source})" for segment, hours, source in self.hours]
        return "Hours an account needs per year: " + ("; ".join(parts) or "none") + "."


def account_hours(
    accounts: pd.DataFrame,
    rep_hours: pd.DataFrame,
    stated: Mapping[str, float],
    default: float,
) -> AccountHours:
    """Returns each account segment's yearly hours: stated, else measured, else the default.

    Requires columns territory_id, segment, accounts (a count per row) in `accounts` and
    territory_id, selling_hours (logged in the last 12 months) in `rep_hours`.
    """
    acc = pd.DataFrame(
        {
            "territory_id": accounts["territory_id"],
            "segment": segment_key(accounts["segment"]),
            "n": pd.to_numeric(accounts["accounts"], errors="coerce").fillna(0.0),
        }
    )
    logged = rep_hours.groupby("territory_id")["selling_hours"].sum()
    per_territory = acc.groupby("territory_id")["n"].sum()
    per_account = (logged / per_territory.reindex(logged.index)).where(logged > 0)
    acc["hours_each"] = acc["territory_id"].map(per_account)
    worked = acc[acc["hours_each"].notna() & (acc["n"] > 0)]
    hours_given = (worked["hours_each"] * worked["n"]).groupby(worked["segment"]).sum()
    measured = hours_given / worked.groupby("segment")["n"].sum()
    rows = []
    for segment in sorted(set(acc["segment"]) | set(stated)):
        if segment in stated:
            rows.append((segment, float(stated[segment]), STATED))
        elif segment in measured.index and measured[segment] > 0:
            rows.append((segment, float(measured[segment]), MEASURED))
        else:
            rows.append((segment, float(default), ASSUMED))
    return AccountHours(tuple(rows), float(default))
