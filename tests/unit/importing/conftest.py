"""Small CSV inputs built in the tests, and helpers to read a one-file report."""

from __future__ import annotations

from pathlib import Path

from salesops.importing.reading import CsvInput

SF_HEADER = "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,Close Date,Stage,Amount"  # noqa: E501
SAMPLES = Path(__file__).resolve().parents[3] / "data" / "samples"


def csv_input(text: str, name: str = "deals.csv", encoding: str = "utf-8") -> CsvInput:
    return CsvInput(name=name, data=text.encode(encoding))


def sf(*rows: str, header: str = SF_HEADER) -> CsvInput:
    return csv_input("\n".join([header, *rows]) + "\n")


def only_file(report):
    assert len(report.files) == 1
    return report.files[0]


def rejection(report) -> str:
    file = only_file(report)
    assert not file.ok
    assert file.issues[0].row is None
    return file.issues[0].expected
