"""Issue 21: the forecast's overdue count reads the quality rollup's open deals, and equals the
scan of the opportunities on every day and scope."""

from __future__ import annotations

from datetime import timedelta

import pytest

from salesops.cli.common import open_repository
from salesops.repository import EVERYTHING, Scope

SCOPES = [
    EVERYTHING,
    Scope(territory_ids=(2,)),
    Scope(segments=("SMB",)),
    Scope(rep_ids=(1, 5)),
    Scope(territory_ids=(1, 3), segments=("Enterprise",)),
]


@pytest.mark.parametrize("which", ["sqlite", "postgresql"])
def test_overdue_from_the_rollup_equals_the_scan(which, demo_url, request):
    url = demo_url if which == "sqlite" else request.getfixturevalue("pg_demo_url")
    repo = open_repository(url)
    last = repo.data_bounds()["last"]
    counted = 0
    for as_of in (last, last - timedelta(days=45), last + timedelta(days=200)):
        for scope in SCOPES:
            rollup = repo.overdue_pipeline(as_of, scope)
            raw = repo.overdue_pipeline(as_of, scope, source="raw")
            assert rollup["deals"] == raw["deals"], (as_of, scope)
            assert rollup["amount"] == pytest.approx(raw["amount"], rel=1e-12, abs=1e-6)
            counted += rollup["deals"]
    assert counted > 0  # overdue deals exist: the comparison means something
