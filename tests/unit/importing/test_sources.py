"""Known exports: the layout is chosen from the header, within a source."""

from __future__ import annotations

import pytest

from salesops.importing.detection import choose_layout
from salesops.importing.pipeline import validate_files
from salesops.importing.reading import ImportRejected
from tests.unit.importing.conftest import csv_input, rejection


def test_missing_required_column_lists_missing_and_unknown_columns():
    inp = csv_input("Opportunity ID,Stage,Mystery\n006A,Closed Won,x\n")
    message = rejection(validate_files([inp], "salesforce-opportunities"))
    assert "created_at (as 'Created Date' or 'Create Date')" in message
    assert "expected_close_date (as 'Close Date')" in message
    assert "Unknown columns: mystery" in message


def test_layout_is_chosen_from_headers_within_a_source():
    layout = choose_layout("salesforce", ("lead id", "created date", "lead source"))
    assert layout.key == "salesforce-leads"
    layout = choose_layout("hubspot", ("record id", "deal stage", "create date", "amount"))
    assert layout.key == "hubspot-deals"


def test_unknown_source_is_rejected_with_the_known_ones():
    with pytest.raises(ImportRejected, match="Unknown source 'zoho': use one of salesforce"):
        choose_layout("zoho", ("a",))
