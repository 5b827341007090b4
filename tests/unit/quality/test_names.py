"""Company names reduced for matching duplicate accounts."""

from __future__ import annotations

import pytest

from salesops.quality.names import normalise_company_name


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme Inc.", "acme"),
        ("ACME, Inc", "acme"),
        ("The Acme Corporation", "acme"),
        ("Acme GmbH & Co. KG", "acme gmbh and"),  # only trailing suffixes are dropped
        ("Café Crème Ltd", "cafe creme"),
        ("Inc", "inc"),  # a name that is only a suffix keeps it
        (None, ""),
    ],
)
def test_normalise_company_name(name, key):
    assert normalise_company_name(name) == key
