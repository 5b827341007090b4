"""Data-quality checks: pure functions over frames, each returning a count and offending rows.

Checks: likely-duplicate accounts (by normalised name), opportunities closed before they
were created, open deals past their expected close date, deals missing an amount, owner or
lead source, leads with no channel, reps with no territory. Each check returns a
`QualityCheck` with the offending rows so the Data page and `salesops quality` can show and
export them. Frames come from the repository (`salesops.repository.quality`) through
`salesops.quality.report`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from salesops.definitions import TERMS, define, is_overdue
from salesops.quality.names import normalise_company_name


@dataclass(frozen=True)
class QualityCheck:
    """One check's result: key, label, what it means, how many rows, and the rows themselves."""

    key: str
    label: str
    description: str
    count: int
    rows: pd.DataFrame

    def to_dict(self, max_rows: int) -> dict[str, object]:
        """Returns a JSON-ready dict with the count and up to `max_rows` offending rows."""
        sample = self.rows.head(max_rows).copy()
        for column in sample.columns:
            if pd.api.types.is_datetime64_any_dtype(sample[column]):
                sample[column] = sample[column].dt.strftime("%Y-%m-%d")
        records = sample.astype(object).where(sample.notna(), None).to_dict(orient="records")
        return {
            "key": self.key,
            "label": self.label,
            "description": self.description,
            "count": self.count,
            "rows": records,
        }


def duplicate_accounts(accounts: pd.DataFrame) -> QualityCheck:
    """Returns accounts whose normalised names collide ("Acme Inc." vs "ACME, Inc").

    Requires columns id, name. Returns a frame with columns match_key, id, name,
    group_size (sorted by match_key, id); count = accounts in a duplicate group.
    """
    frame = accounts[["id", "name"]].copy()
    frame["match_key"] = frame["name"].map(normalise_company_name)
    frame = frame[frame["match_key"] != ""]
    frame["group_size"] = frame.groupby("match_key")["id"].transform("size").astype("int64")
    rows = frame[frame["group_size"] > 1].sort_values(["match_key", "id"])
    rows = rows[["match_key", "id", "name", "group_size"]].reset_index(drop=True)
    groups = rows["match_key"].nunique()
    return QualityCheck(
        "duplicate_accounts",
        "Likely duplicate accounts",
        f"Accounts whose names match after removing case, punctuation and legal suffixes "
        f"({groups} group{'s' if groups != 1 else ''}).",
        len(rows),
        rows,
    )


def closed_before_created(opportunities: pd.DataFrame) -> QualityCheck:
    """Returns opportunities whose close date is before their created date.

    Requires columns id, external_id, name, created_at, closed_at. Returns those rows
    plus days_negative (created_at - closed_at in days).
    """
    frame = opportunities
    mask = frame["closed_at"].notna() & (frame["closed_at"] < frame["created_at"])
    rows = frame.loc[mask, ["id", "external_id", "name", "created_at", "closed_at"]].copy()
    rows["days_negative"] = (rows["created_at"] - rows["closed_at"]).dt.days.astype("int64")
    return QualityCheck(
        "closed_before_created",
        "Closed before created",
        "Deals whose close date is earlier than their created date (negative sales cycle).",
        len(rows),
        rows.reset_index(drop=True),
    )


def open_past_expected_close(opportunities: pd.DataFrame, as_of: date) -> QualityCheck:
    """Returns open deals whose expected close date is before `as_of`.

    Requires columns id, external_id, name, outcome, expected_close_date, rep_id. Returns
    those rows plus days_overdue.
    """
    frame = opportunities
    cutoff = pd.Timestamp(as_of)
    mask = is_overdue(frame["outcome"], frame["expected_close_date"], as_of)
    columns = ["id", "external_id", "name", "rep_id", "expected_close_date"]
    rows = frame.loc[mask, columns].copy()
    rows["days_overdue"] = (cutoff - rows["expected_close_date"]).dt.days.astype("int64")
    return QualityCheck(
        "open_past_close",
        TERMS["overdue"].label + " deals",
        f"{define('overdue')} As of {as_of.isoformat()}.",
        len(rows),
        rows.sort_values("days_overdue", ascending=False).reset_index(drop=True),
    )


def missing_fields(opportunities: pd.DataFrame) -> QualityCheck:
    """Returns deals missing an amount, an owner (rep) or a lead source (channel).

    Requires columns id, external_id, name, amount, rep_id, channel. Returns those rows
    plus `missing` ("amount, owner" ...).
    """
    frame = opportunities
    checks = {
        "amount": frame["amount"].isna(),
        "owner": frame["rep_id"].isna(),
        "source": frame["channel"].isna() | (frame["channel"].astype("str").str.strip() == ""),
    }
    any_missing = checks["amount"] | checks["owner"] | checks["source"]
    rows = frame.loc[any_missing, ["id", "external_id", "name"]].copy()
    labels = pd.Series("", index=rows.index, dtype="object")
    for label, mask in checks.items():
        labels = labels + mask[any_missing].map({True: f"{label}, ", False: ""})
    rows["missing"] = labels.str.rstrip(", ")
    counts = {label: int(mask.sum()) for label, mask in checks.items()}
    return QualityCheck(
        "missing_fields",
        "Deals missing amount, owner or source",
        missing_fields_description(counts["amount"], counts["owner"], counts["source"]),
        len(rows),
        rows.reset_index(drop=True),
    )


def missing_fields_description(amount: int, owner: int, source: int) -> str:
    """Returns the missing-fields check's sentence with the deals missing each field."""
    return (
        f"Deals with no amount ({amount:,}), no owner ({owner:,}) or no lead source ({source:,})."
    )


def leads_without_channel(leads: pd.DataFrame) -> QualityCheck:
    """Returns leads with an empty channel.

    Requires columns id, external_id, created_at, channel.
    """
    blank = leads["channel"].isna() | (leads["channel"].astype("str").str.strip() == "")
    rows = leads.loc[blank, ["id", "external_id", "created_at"]].reset_index(drop=True)
    return QualityCheck(
        "leads_without_channel",
        "Leads with no channel",
        "Leads whose channel (lead source) is empty; they drop out of by-channel figures.",
        len(rows),
        rows,
    )


def reps_without_territory(reps: pd.DataFrame) -> QualityCheck:
    """Returns reps with no territory. Requires columns id, name, territory_id."""
    rows = reps.loc[reps["territory_id"].isna(), ["id", "name"]].reset_index(drop=True)
    return QualityCheck(
        "reps_without_territory",
        "Reps with no territory",
        "Reps not assigned to a territory; territory figures leave their deals out.",
        len(rows),
        rows,
    )


@dataclass(frozen=True)
class QualityInputs:
    """The frames the checks run over (see each check for the columns it requires)."""

    accounts: pd.DataFrame
    opportunities: pd.DataFrame
    leads: pd.DataFrame
    reps: pd.DataFrame
    as_of: date


CHECKS: dict[str, Callable[[QualityInputs], QualityCheck]] = {
    "duplicate_accounts": lambda q: duplicate_accounts(q.accounts),
    "closed_before_created": lambda q: closed_before_created(q.opportunities),
    "open_past_close": lambda q: open_past_expected_close(q.opportunities, q.as_of),
    "missing_fields": lambda q: missing_fields(q.opportunities),
    "leads_without_channel": lambda q: leads_without_channel(q.leads),
    "reps_without_territory": lambda q: reps_without_territory(q.reps),
}


def run_checks(inputs: QualityInputs) -> list[QualityCheck]:
    """Returns every check's result, in CHECKS order."""
    return [check(inputs) for check in CHECKS.values()]


def summary_frame(checks: list[QualityCheck]) -> pd.DataFrame:
    """Returns a frame with columns key, check, count, description (one row per check)."""
    return pd.DataFrame(
        {
            "key": [c.key for c in checks],
            "check": [c.label for c in checks],
            "count": pd.Series([c.count for c in checks], dtype="int64"),
            "description": [c.description for c in checks],
        }
    )
