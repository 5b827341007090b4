"""HubSpot's deal-stage history: one "date entered" column per stage on the deals export.

HubSpot writes them as `Date entered "Contract Sent (Sales Pipeline)"` (labels) or
`hs_date_entered_contractsent` (internal names). Each dated cell is the day the deal
entered that stage; together they are the deal's stage history, written to
opportunity_history in place of the history the deal's import would infer.
"""

from __future__ import annotations

import re

import pandas as pd

from salesops.importing.dates import parse_timestamps
from salesops.importing.history_rows import TIMESTAMP
from salesops.importing.issues import IssueCollector
from salesops.importing.layouts import Layout
from salesops.importing.plan import FilePlan
from salesops.importing.reading import normalise_header

# On normalised headers (lower case, `_` as spaces).
ENTERED_API = r"hs date entered (.+)"
ENTERED_LABEL = r'date entered "(.+?)(?: \(.+\))?"'
ENTERED_PATTERNS = (ENTERED_API, ENTERED_LABEL)
ENTERED_PREFIX = "_entered::"


def stage_entry_columns(layout: Layout, columns: tuple[str, ...]) -> dict[str, str]:
    """Returns {normalised column: our stage name} for the stage-entry columns of a header.

    Columns naming a stage the layout does not know are left out.
    """
    rules = {normalise_header(k).replace(" ", ""): v for k, v in layout.stages.items()}
    found: dict[str, str] = {}
    for column in columns:
        for pattern in ENTERED_PATTERNS:
            match = re.fullmatch(pattern, column)
            if match:
                rule = rules.get(match.group(1).replace(" ", ""))
                if rule is not None:
                    found[column] = rule.stage
                break
    return found


def read_entries(plan: FilePlan, chunk: pd.DataFrame, found: IssueCollector) -> pd.DataFrame:
    """Returns one `_entered::<stage>` timestamp column per stage; records unreadable dates."""
    out = pd.DataFrame(index=chunk.index)
    fmt = plan.date_format or plan.layout.date_formats[0]
    for column, stage in plan.stage_entries.items():
        text = chunk[column].astype("str").str.strip()
        raw = text.where(chunk[column].notna() & (text != ""))
        stamps = parse_timestamps(raw.fillna(""), fmt)
        header = plan.fmt.raw_columns[plan.fmt.columns.index(column)].strip()
        found.add(raw.notna() & stamps.isna(), header, raw, "the day the deal entered the stage")
        out[ENTERED_PREFIX + stage] = stamps
    return out


def entry_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Returns the deals' stage entries as history rows, one per dated stage.

    Columns: opportunity_external_id, changed_at (day), `_changed_ts`, stage.
    """
    columns = [c for c in rows.columns if str(c).startswith(ENTERED_PREFIX)]
    if not columns:
        return pd.DataFrame()
    long = rows[["external_id", *columns]].melt(
        id_vars="external_id", var_name="stage", value_name=TIMESTAMP
    )
    long = long[long[TIMESTAMP].notna()]
    long["stage"] = long["stage"].str.removeprefix(ENTERED_PREFIX)
    long["changed_at"] = long[TIMESTAMP].dt.normalize()
    return long.rename(columns={"external_id": "opportunity_external_id"}).reset_index(drop=True)
