"""The validation report: issues frame, first error sentence, JSON summary."""

from __future__ import annotations

from salesops.importing.pipeline import validate_files
from tests.unit.importing.conftest import sf


def test_report_frame_and_first_error_sentence():
    inp = sf("006A,Deal,Acme,Ann,2024-01-05,2024-02-01,Warp,100")
    report = validate_files([inp], "salesforce")
    frame = report.issues_frame()
    assert frame.columns.tolist() == ["file", "row", "column", "value", "expected", "severity"]
    assert frame.iloc[0]["row"] == 2
    assert report.first_error().startswith(
        'deals.csv row 2, Stage: "Warp" — expected a known stage'
    )
    assert report.to_dict(max_issues=200)["files"][0]["errors"] == 1
