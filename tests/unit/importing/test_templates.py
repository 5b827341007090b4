"""Each downloadable template, filled in as offered, is detected as its layout and validates."""

from __future__ import annotations

import pytest

from salesops.export import to_safe_csv
from salesops.importing.pipeline import validate_files
from salesops.importing.plan import ValidationContext
from salesops.importing.reading import CsvInput
from salesops.importing.templates import TEMPLATES
from tests.unit.importing.conftest import only_file


@pytest.mark.parametrize("key", list(TEMPLATES))
def test_template_as_downloaded_is_its_layout_and_valid(key):
    template = TEMPLATES[key]
    data = to_safe_csv(template.frame())  # exactly the bytes the Data page offers
    data = data if isinstance(data, bytes) else data.encode("utf-8-sig")
    context = ValidationContext(known_reps=frozenset({"Ann Lee"}))
    file = only_file(validate_files([CsvInput(f"{key}.csv", data)], "salesops", context=context))
    assert file.layout == template.layout
    assert file.errors == []
    assert file.rows_valid == len(template.rows)
    assert file.unknown_columns == []


def test_the_orders_entity_writes_every_column_of_the_orders_table():
    from salesops.db import schema as s
    from salesops.importing.entity_writing import _ORDER_COLUMNS
    from salesops.importing.layouts import TARGETS

    keys = {"id", "source", "external_id", "account_id", "opportunity_id", "rep_id"}
    table = {c.name for c in s.orders.columns} - keys
    # every column an order file can fill is a target, and every such target is written
    assert table == set(_ORDER_COLUMNS)
    assert table <= set(TARGETS["orders"])
    assert {"rep", "account_external_id", "opportunity_external_id"} <= set(TARGETS["orders"])
