"""The whole dry run on the shipped sample files."""

from __future__ import annotations

import pytest

from salesops.importing.mapping import layout_from_mapping
from salesops.importing.pipeline import validate_files
from salesops.importing.reading import CsvInput
from tests.unit.importing.conftest import SAMPLES


@pytest.mark.parametrize(
    ("name", "source", "mapping"),
    [
        ("salesforce_opportunities.csv", "salesforce", None),
        ("hubspot_deals_eu.csv", "hubspot", None),
        ("generic_pipedrive.csv", "generic", "generic_pipedrive.yaml"),
    ],
)
def test_shipped_samples_validate_cleanly(name, source, mapping):
    layout = layout_from_mapping(SAMPLES / mapping) if mapping else None
    report = validate_files([CsvInput.from_path(SAMPLES / name)], source, layout=layout)
    assert report.ok, report.first_error()
    assert report.rows_valid == report.rows_read > 0
