"""The quality report over a fake repository: totals from SQL win, row lists are capped."""

from __future__ import annotations

from datetime import date

import pandas as pd

from salesops.config import Settings
from salesops.quality.report import quality_report

D = pd.Timestamp


class FakeQualityRepository:
    """Answers the quality queries from small frames and records the row limits asked for."""

    def __init__(self) -> None:
        self.limits: list[int] = []

    def quality_accounts(self) -> pd.DataFrame:
        return pd.DataFrame({"id": [1, 2, 3], "name": ["Acme Inc.", "ACME, Inc", "Beta"]})

    def quality_opportunities(self, as_of: date, limit: int) -> pd.DataFrame:
        self.limits.append(limit)
        return pd.DataFrame(
            {
                "id": [1],
                "external_id": ["a"],
                "name": ["A"],
                "outcome": ["won"],
                "created_at": [D("2024-01-10")],
                "closed_at": [D("2024-01-05")],
                "expected_close_date": [pd.NaT],
                "amount": [100.0],
                "rep_id": pd.array([1], dtype="Int64"),
                "channel": ["web"],
            }
        )

    def quality_leads(self, limit: int) -> pd.DataFrame:
        self.limits.append(limit)
        return pd.DataFrame(
            {"id": [1], "external_id": ["l1"], "created_at": [D("2024-01-01")], "channel": [None]}
        )

    def quality_reps(self) -> pd.DataFrame:
        return pd.DataFrame({"id": [], "name": [], "territory_id": pd.array([], dtype="Int64")})

    def quality_counts(self, as_of: date) -> dict[str, int]:
        # the row list holds one deal closed before created; SQL counted 7 in all
        return {"closed_before_created": 7, "leads_without_channel": 1}

    def quality_trend(self, as_of: date) -> pd.DataFrame:
        return pd.DataFrame(
            {"month": [D("2024-01-01")], "check": ["closed_before_created"], "count": [7]}
        )


def test_counts_are_sql_totals_and_rows_are_capped_by_settings():
    repo = FakeQualityRepository()
    report = quality_report(repo, date(2024, 6, 1), Settings(quality_row_limit=25))
    assert repo.limits == [25, 25]
    counts = {c.key: c.count for c in report.checks}
    assert counts["closed_before_created"] == 7  # the total, not the one row read
    assert len(report.checks[1].rows) == 1
    assert counts["duplicate_accounts"] == 2  # not counted in SQL: counted from the rows
    assert report.trend["label"].tolist() == ["Closed before created"]
    payload = report.to_dict(max_rows=0)
    assert payload["as_of"] == "2024-06-01"
    assert all(check["rows"] == [] for check in payload["checks"])


def test_row_limit_defaults_to_the_setting():
    repo = FakeQualityRepository()
    quality_report(repo, date(2024, 6, 1))
    assert repo.limits == [Settings().quality_row_limit] * 2 == [50_000, 50_000]


def test_the_missing_fields_sentence_counts_every_deal_not_the_rows_read():
    class Counted(FakeQualityRepository):
        def quality_counts(self, as_of: date) -> dict[str, int]:
            # 8,800 deals without a lead source in all; the page reads at most a few rows
            return {"missing_amount": 3, "missing_owner": 0, "missing_source": 8800}

    report = quality_report(Counted(), date(2024, 6, 1), row_limit=1)
    check = next(c for c in report.checks if c.key == "missing_fields")
    assert check.description == (
        "Deals with no amount (3), no owner (0) or no lead source (8,800)."
    )
