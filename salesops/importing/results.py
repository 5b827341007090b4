"""What an import found and did: per-file validation reports, the batch report, the outcome.

Row numbers in reports are spreadsheet rows: header = row 1, first data row = row 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from salesops.importing.issues import ERROR, WARNING, RowIssue
from salesops.importing.writing import WriteCounts

ISSUE_COLUMNS = ["file", "row", "column", "value", "expected", "severity"]


@dataclass
class FileReport:
    """The validation result for one file: detected settings, counts, problems, a preview."""

    file: str
    source: str
    entity: str
    layout: str
    label: str
    detected: dict[str, str]
    rows_read: int = 0
    rows_valid: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    issue_count: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    column_map: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)
    sha256: str = ""

    @property
    def errors(self) -> list[RowIssue]:
        """Returns the problems that block the import."""
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[RowIssue]:
        """Returns the problems that are reported but do not block the import."""
        return [i for i in self.issues if i.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True when the file can be written (no errors)."""
        return not self.errors

    def to_dict(self, max_issues: int) -> dict[str, object]:
        """Returns the JSON-ready summary of the file with its first `max_issues` problems."""
        return {
            "file": self.file,
            "source": self.source,
            "entity": self.entity,
            "layout": self.layout,
            "detected": self.detected,
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "unknown_columns": self.unknown_columns,
            "notes": list(self.notes),
            "issues": [
                {
                    "row": i.row,
                    "column": i.column,
                    "value": i.value,
                    "expected": i.expected,
                    "severity": i.severity,
                }
                for i in self.issues[:max_issues]
            ],
        }

    def text_lines(self, max_issues: int) -> list[str]:
        """Returns the file's summary as printed by `salesops import` (first `max_issues`)."""
        lines = [
            f"{self.file}: {self.label}; {self.rows_read:,} rows read, "
            f"{self.rows_valid:,} valid, {len(self.errors):,} errors, "
            f"{len(self.warnings):,} warnings"
        ]
        if self.detected:
            lines.append("  detected: " + ", ".join(f"{k}={v}" for k, v in self.detected.items()))
        lines += [f"  note: {note}" for note in self.notes]
        lines += [f"  {issue.severity}: {issue.sentence()}" for issue in self.issues[:max_issues]]
        if len(self.issues) > max_issues:
            lines.append(f"  … {self.issue_count - max_issues:,} more")
        return lines


@dataclass
class ImportReport:
    """Validation results for a batch of files; `ok` only when every file is clean."""

    files: list[FileReport]

    @property
    def ok(self) -> bool:
        """True when every file validated without errors."""
        return bool(self.files) and all(f.ok for f in self.files)

    @property
    def rows_read(self) -> int:
        """Returns the data rows read over all files."""
        return sum(f.rows_read for f in self.files)

    @property
    def rows_valid(self) -> int:
        """Returns the rows without errors over all files."""
        return sum(f.rows_valid for f in self.files)

    @property
    def errors(self) -> list[RowIssue]:
        """Returns every blocking problem over all files."""
        return [i for f in self.files for i in f.errors]

    def issues_frame(self) -> pd.DataFrame:
        """Returns a frame with columns file, row, column, value, expected, severity."""
        rows = [
            (i.file, i.row, i.column, i.value, i.expected, i.severity)
            for f in self.files
            for i in f.issues
        ]
        frame = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def first_error(self) -> str | None:
        """Returns the first blocking problem as a sentence (for the CLI's one-line error)."""
        errors = self.errors
        if not errors:
            return None
        more = len(errors) - 1
        suffix = f" (and {more} more problem{'s' if more != 1 else ''})" if more else ""
        return errors[0].sentence() + suffix

    def to_dict(self, max_issues: int) -> dict[str, object]:
        """Returns a JSON-ready summary (at most `max_issues` problems listed per file)."""
        return {
            "ok": self.ok,
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "files": [f.to_dict(max_issues) for f in self.files],
        }


@dataclass
class ImportOutcome:
    """What an import did: the validation report, whether anything was written, and counts."""

    report: ImportReport
    written: bool
    counts: dict[str, WriteCounts] = field(default_factory=dict)
    already_imported: dict[str, datetime] = field(default_factory=dict)
    message: str = ""
    batch: int | None = None  # the import run's id (what `salesops import --undo` takes)

    @property
    def failed(self) -> bool:
        """True when a file was rejected or a row had an error and nothing was written."""
        return bool(self.report.errors) and not self.written

    def to_dict(self, max_issues: int) -> dict[str, object]:
        """Returns the `salesops import --format json` shape: report summary plus write counts."""
        payload = self.report.to_dict(max_issues)
        payload["written"] = self.written
        payload["message"] = self.message
        payload["batch"] = self.batch
        payload["already_imported"] = {k: v.isoformat() for k, v in self.already_imported.items()}
        payload["counts"] = {
            name: {
                "inserted": c.inserted,
                "updated": c.updated,
                "unchanged": c.unchanged,
                "rejected": c.rejected,
                "history": c.history,
                "created": c.created_references,
            }
            for name, c in self.counts.items()
        }
        return payload

    def text_lines(self, max_issues: int) -> list[str]:
        """Returns what `salesops import` prints: each file's summary, then the message."""
        lines = [line for f in self.report.files for line in f.text_lines(max_issues)]
        return [*lines, self.message]
