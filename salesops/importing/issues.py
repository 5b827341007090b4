"""Row-level problems: what went wrong where, and the collector validation fills per chunk.

Row numbers are spreadsheet row numbers: the header is row 1 and the first data row is
row 2, which is what Excel, Numbers and LibreOffice show beside the row. A problem names the
file, that row, the column header as written in the file, the offending value and what was
expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from salesops.importing.plan import FilePlan

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class RowIssue:
    """One problem: file, spreadsheet row (None = whole file), column, value, what was expected."""

    file: str
    row: int | None
    column: str
    value: str
    expected: str
    severity: str = ERROR

    def sentence(self) -> str:
        """Returns the problem as one sentence: 'f.csv row 7, Close Date: "x" — expected ...'."""
        if self.row is None and not self.column and not self.value:
            return self.expected  # a whole-file rejection is already a full sentence
        where = f"{self.file} row {self.row}" if self.row is not None else self.file
        column = f", {self.column}" if self.column else ""
        value = f' "{self.value}"' if self.value != "" else " (empty)"
        if self.row is None and not self.value:
            value = ""
        return f"{where}{column}:{value} — expected {self.expected}"


class IssueCollector:
    """Collects one chunk's problems and which rows (and targets) failed with an error."""

    def __init__(self, plan: FilePlan, chunk_index: pd.Index) -> None:
        self.plan = plan
        self.issues: list[RowIssue] = []
        self.bad = pd.Series(False, index=chunk_index)
        self.failed: dict[str, pd.Series] = {}

    def add(
        self,
        mask: pd.Series,
        target: str,
        values: pd.Series | None,
        expected: str | pd.Series,
        severity: str = ERROR,
    ) -> None:
        """Records a problem on every row of `mask`, showing `values` and what was expected."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        column = self.plan.raw_header(target)
        rows = mask[mask].index
        shown = values.reindex(rows) if values is not None else pd.Series("", index=rows)
        expectations = (
            expected.reindex(rows).astype("str")
            if isinstance(expected, pd.Series)
            else pd.Series(expected, index=rows)
        )
        for row, value, wanted in zip(rows, shown, expectations, strict=True):
            text = "" if value is None or value is pd.NA or value != value else value
            self.issues.append(
                RowIssue(self.plan.file, int(row), column, str(text), wanted, severity)
            )
        if severity == ERROR:
            self.bad |= mask
            previous = self.failed.get(target)
            self.failed[target] = mask if previous is None else (previous | mask)

    def failed_on(self, target: str) -> pd.Series:
        """Returns the mask of rows already reported for `target`."""
        return self.failed.get(target, pd.Series(False, index=self.bad.index))
