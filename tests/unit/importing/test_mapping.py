"""Generic layouts from YAML/JSON mapping files."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from salesops.importing.mapping import layout_from_mapping
from salesops.importing.pipeline import validate_files
from salesops.importing.reading import ImportRejected
from tests.unit.importing.conftest import csv_input, only_file


def test_generic_mapping_file_yaml(tmp_path):
    mapping = tmp_path / "crm.yaml"
    mapping.write_text(
        "entity: opportunities\n"
        "source: pipedrive\n"
        "columns:\n"
        "  external_id: Deal ID\n"
        "  created_at: Added\n"
        "  closed_at: Closed\n"
        "  stage: Phase\n"
        "  amount: Value\n"
        "date_format: '%d.%m.%Y'\n"
        "stages:\n"
        "  Gewonnen: {stage: Closed Won, outcome: won}\n"
        "  Verloren: {stage: Closed Lost, outcome: lost}\n"
        "  Angebot: {outcome: open, probability: 0.6}\n"
    )
    layout = layout_from_mapping(mapping)
    text = (
        "Deal ID;Added;Closed;Phase;Value\n"
        "D1;01.02.2024;15.03.2024;Gewonnen;1.500,00\n"
        "D2;05.02.2024;;Angebot;800\n"
    )
    file = only_file(validate_files([csv_input(text)], "generic", layout=layout))
    assert file.ok, file.issues
    assert file.source == "pipedrive"
    assert file.preview["stage"].tolist() == ["Closed Won", "Angebot"]
    assert file.preview["amount"].tolist() == [1500.0, 800.0]
    assert file.preview["closed_at"].iloc[0] == pd.Timestamp("2024-03-15")


def test_generic_mapping_json_with_outcome_column(tmp_path):
    mapping = tmp_path / "crm.json"
    mapping.write_text(
        json.dumps(
            {
                "entity": "opportunities",
                "columns": {
                    "external_id": "id",
                    "created_at": "created",
                    "closed_at": "closed",
                    "stage": "stage",
                    "outcome": "result",
                },
                "date_format": "%Y-%m-%d",
                "outcome_values": {"W": "won", "L": "lost", "": "open"},
            }
        )
    )
    text = (
        "id,created,closed,stage,result\n"
        "1,2024-01-01,2024-01-09,Any Stage,W\n"
        "2,2024-01-01,,Early,\n"
    )
    layout = layout_from_mapping(mapping)
    file = only_file(validate_files([csv_input(text)], "generic", layout=layout))
    assert file.ok, file.issues
    assert file.preview["outcome"].tolist() == ["won", "open"]
    assert file.preview["stage"].tolist() == ["Any Stage", "Early"]


def test_generic_mapping_rejects_unknown_targets():
    with pytest.raises(ImportRejected, match="not fields of leads"):
        layout_from_mapping({"entity": "leads", "columns": {"amount": "Value"}})
