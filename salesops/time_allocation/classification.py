"""Activity classification: each logged activity's category from the activity catalogue.

**Selling share** = hours in activities whose category is ``selling`` / all hours
logged. Hours in activities unknown to ``activity_types`` (only kept when asked to)
count in the denominator as category ``unknown``, so the share is never inflated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SELLING = "selling"
NON_SELLING = "non_selling"
UNKNOWN = "unknown"
CATEGORIES = (SELLING, NON_SELLING)


class UnknownActivityError(ValueError):
    """Activities were logged that ``activity_types`` does not define."""

    def __init__(self, activities: Sequence[str], hours: float) -> None:
        self.activities = tuple(activities)
        self.hours = float(hours)
        super().__init__(unknown_activity_message(self.activities, self.hours))


def unknown_activity_message(activities: Sequence[str], hours: float) -> str:
    """Returns the one-sentence message naming activities missing from activity_types."""
    names = ", ".join(repr(a) for a in activities)
    return (
        f"{len(activities)} logged activit{'y is' if len(activities) == 1 else 'ies are'} "
        f"not in activity_types ({names}; {hours:g} hours): add them to activity_types "
        "with a category (selling / non_selling)."
    )


@dataclass(frozen=True)
class Classified:
    """Activity rows joined with their category; unknown activities listed, never dropped."""

    frame: pd.DataFrame
    unknown_activities: tuple[str, ...] = ()
    unknown_hours: float = 0.0

    @property
    def warning(self) -> str | None:
        """Returns the unknown-activity message, or None when every activity is known."""
        if not self.unknown_activities:
            return None
        return unknown_activity_message(self.unknown_activities, self.unknown_hours) + (
            " Their hours count as 'unknown' (not selling) until then."
        )


def classify_activities(
    activities: pd.DataFrame, activity_types: pd.DataFrame, *, on_unknown: str = "raise"
) -> Classified:
    """Returns the activity rows with ``category`` and ``is_back_office`` added.

    Requires columns ``activity``, ``hours`` (any others, e.g. ``rep_id``, ``period``,
    ``count``, are kept) in ``activities`` and ``activity``, ``category``,
    ``is_back_office`` in ``activity_types``.

    Returns a frame with the input columns plus ``category`` (``selling``,
    ``non_selling`` or ``unknown``) and ``is_back_office`` (bool).

    Args:
        activities: Activity hours at any grain.
        activity_types: The activity catalogue.
        on_unknown: ``"raise"`` raises UnknownActivityError listing the activities not
            in the catalogue; ``"keep"`` keeps their rows as category ``unknown`` and
            reports them on the result (``Classified.warning``).

    Raises:
        UnknownActivityError: an activity is not in ``activity_types`` and
            ``on_unknown="raise"``.
        ValueError: ``activity_types`` has a category other than selling/non_selling,
            or ``on_unknown`` is not one of the two options.
    """
    if on_unknown not in ("raise", "keep"):
        raise ValueError(f"on_unknown must be 'raise' or 'keep', not {on_unknown!r}.")
    bad = sorted(set(activity_types["category"].dropna()) - set(CATEGORIES))
    if bad or activity_types["category"].isna().any():
        raise ValueError(
            f"activity_types has categories {bad or ['<empty>']}; "
            "each activity must be 'selling' or 'non_selling'."
        )
    catalogue = activity_types.drop_duplicates("activity").set_index("activity")
    category = dict(zip(catalogue.index, catalogue["category"], strict=True))
    back_office = {
        a for a, b in zip(catalogue.index, catalogue["is_back_office"], strict=True) if b
    }
    frame = activities.copy()
    # Classify each distinct name once (tens of them), then spread by its code.
    codes, names = pd.factorize(frame["activity"].astype(object))
    names = [*names, np.nan]  # code -1 (a missing name) picks this last slot
    known = np.array([name in category for name in names])[codes]
    unknown: tuple[str, ...] = tuple(
        sorted({str(name) for name in np.asarray(names, dtype=object)[codes][~known]})
    )
    frame["hours"] = frame["hours"].astype(float)
    unknown_hours = float(frame["hours"].to_numpy()[~known].sum())
    if unknown and on_unknown == "raise":
        raise UnknownActivityError(unknown, unknown_hours)
    frame["category"] = np.array([category.get(n, UNKNOWN) for n in names], dtype=object)[codes]
    frame["is_back_office"] = np.array([n in back_office for n in names], dtype=bool)[codes]
    return Classified(frame=frame, unknown_activities=unknown, unknown_hours=unknown_hours)


def activity_rows(rows: Classified | pd.DataFrame) -> pd.DataFrame:
    """Returns the classified frame of `rows` (a Classified result or a classified frame)."""
    return rows.frame if isinstance(rows, Classified) else rows
