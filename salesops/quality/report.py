"""The data-quality report: offending rows checked in Python, totals and trend counted in SQL.

What the Data page, `salesops quality` and the tests call: it reads candidate rows and
counts through the repository (`salesops.repository.quality`) and runs the checks of
`salesops.quality.checks` over them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Protocol

import pandas as pd

from salesops.config import Settings
from salesops.quality.checks import (
    QualityCheck,
    QualityInputs,
    missing_fields_description,
    run_checks,
)


class QualityRepository(Protocol):
    """What quality_report needs from the repository (salesops.repository.quality)."""

    def quality_accounts(self) -> pd.DataFrame:
        """Returns every account's id and name."""
        ...

    def quality_opportunities(self, as_of: date, limit: int) -> pd.DataFrame:
        """Returns deals failing any opportunity check (at most `limit`)."""
        ...

    def quality_leads(self, limit: int) -> pd.DataFrame:
        """Returns leads with no channel (at most `limit`)."""
        ...

    def quality_reps(self) -> pd.DataFrame:
        """Returns reps with no territory."""
        ...

    def quality_counts(self, as_of: date) -> dict[str, int]:
        """Returns total counts per check key."""
        ...

    def quality_trend(self, as_of: date) -> pd.DataFrame:
        """Returns problem counts per created month: columns month, check, count."""
        ...


@dataclass(frozen=True)
class QualityReport:
    """Every check for one as-of date, with totals counted in SQL and a monthly trend."""

    as_of: date
    checks: list[QualityCheck]
    trend: pd.DataFrame

    def to_dict(self, max_rows: int) -> dict[str, object]:
        """Returns the `salesops quality --format json` shape (`max_rows` rows per check)."""
        trend = self.trend.copy()
        trend["month"] = trend["month"].dt.strftime("%Y-%m-%d")
        return {
            "as_of": self.as_of.isoformat(),
            "checks": [c.to_dict(max_rows) for c in self.checks],
            "trend": trend.to_dict(orient="records"),
        }


TREND_LABELS = {
    "closed_before_created": "Closed before created",
    "open_past_close": "Overdue deals",
    "missing_amount": "Deals without amount",
    "missing_owner": "Deals without owner",
    "missing_source": "Deals without lead source",
    "leads_without_channel": "Leads without channel",
}


def _with_totals(check: QualityCheck, totals: dict[str, int]) -> QualityCheck:
    """Returns `check` with its count (and the counts in its sentence) from the totals.

    The checks run over at most the row limit's rows; what they say of all rows comes from SQL.
    """
    check = replace(check, count=totals.get(check.key, check.count))
    parts = ("missing_amount", "missing_owner", "missing_source")
    if check.key == "missing_fields" and all(p in totals for p in parts):
        check = replace(check, description=missing_fields_description(*(totals[p] for p in parts)))
    return check


def quality_report(
    repo: QualityRepository,
    as_of: date | None = None,
    settings: Settings | None = None,
    row_limit: int | None = None,
) -> QualityReport:
    """Returns the data-quality report: offending rows checked here, totals from SQL.

    `as_of` (default: today, UTC) is the date open deals are judged overdue against. Row
    lists are capped at `row_limit` per check (default `settings.quality_row_limit`; the
    Data page asks for `quality_rows_shown`); counts are always totals.
    """
    as_of = as_of or datetime.now(UTC).date()
    limit = row_limit or (settings or Settings()).quality_row_limit
    inputs = QualityInputs(
        accounts=repo.quality_accounts(),
        opportunities=repo.quality_opportunities(as_of, limit),
        leads=repo.quality_leads(limit),
        reps=repo.quality_reps(),
        as_of=as_of,
    )
    totals = repo.quality_counts(as_of)
    checks = [_with_totals(check, totals) for check in run_checks(inputs)]
    trend = repo.quality_trend(as_of)
    trend["label"] = trend["check"].map(TREND_LABELS).fillna(trend["check"])
    return QualityReport(as_of, checks, trend)
