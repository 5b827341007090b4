"""The scan pass keeps ids' hashes only, then compares the text of rows whose hash repeats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.importing import plan as plan_module
from salesops.importing.pipeline import validate_files
from salesops.importing.plan import ValidationContext
from salesops.importing.reading import ReadSettings
from tests.unit.importing.conftest import only_file, sf


def _series(values: list[str | None], first_row: int) -> pd.Series:
    return pd.Series(values, index=range(first_row, first_row + len(values)), dtype="str")


def test_repeated_hashes_are_those_of_ids_in_more_than_one_row_across_chunks():
    ids = plan_module.IdHashes()
    ids.add(_series(["a", "b", "", None, "c"], 2))
    ids.add(_series(["d", "b", "", "a", "a"], 7))
    expected = sorted(plan_module.hash_ids(pd.Series(["a", "b"], dtype="str")).tolist())
    assert ids.repeated().tolist() == expected
    empty = plan_module.IdHashes()
    empty.add(_series(["x", "y", "", None, ""], 2))
    assert empty.repeated().tolist() == []


@pytest.fixture
def colliding(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every id hashes to the same value: each row is a candidate, the text must decide."""
    rereads: list[int] = []
    monkeypatch.setattr(plan_module, "hash_ids", lambda ids: np.zeros(len(ids), dtype="uint64"))
    real = plan_module.repeated_ids

    def counting(plan, ids, reread):  # type: ignore[no-untyped-def]
        def counted():  # type: ignore[no-untyped-def]
            rereads.append(1)
            return reread()

        return real(plan, ids, counted)

    monkeypatch.setattr(plan_module, "repeated_ids", counting)
    return rereads


ROWS = (
    "006A,One,Acme,Ann,2024-01-01,2024-02-01,Closed Won,100",
    "006B,Two,Acme,Ann,2024-01-01,2024-02-01,Closed Won,100",
    "006C,Three,Acme,Ann,2024-01-01,2024-02-01,Closed Won,100",
    "006B,Four,Acme,Ann,2024-01-01,2024-02-01,Closed Won,100",  # repeats row 3
    "006D,Five,Acme,Ann,2024-01-01,2024-02-01,Closed Won,100",
    " 006A ,Six,Acme,Ann,2024-01-01,2024-02-01,Closed Won,100",  # repeats row 2 (stripped)
)


@pytest.mark.parametrize("chunk_rows", [2, 50_000])
def test_colliding_hashes_still_report_the_right_row_and_column(colliding, chunk_rows):
    settings = ReadSettings(chunk_rows=chunk_rows)
    file = only_file(validate_files([sf(*ROWS)], "salesforce", settings=settings))
    problems = sorted((i.row, i.column, i.expected) for i in file.errors)
    assert problems == [
        (5, "Opportunity ID", "a unique id (row 3 has the same id)"),
        (7, "Opportunity ID", "a unique id (row 2 has the same id)"),
    ]
    assert file.rows_valid == 4
    assert colliding == [1]  # the file was read again for the colliding rows' text


def test_colliding_hashes_of_different_ids_are_not_repeats(colliding):
    distinct = [r for r in ROWS if "Four" not in r and "Six" not in r]
    file = only_file(validate_files([sf(*distinct)], "salesforce"))
    assert file.ok and file.rows_valid == 4


def test_colliding_hashes_with_last_row_wins(colliding):
    context = ValidationContext(duplicates="last")
    file = only_file(validate_files([sf(*ROWS)], "salesforce", context=context))
    assert file.ok
    assert sorted(w.row for w in file.warnings) == [2, 3]
    assert sorted(file.preview["name"]) == ["Five", "Four", "Six", "Three"]


def test_ids_without_a_shared_hash_are_not_read_again(monkeypatch):
    reads: list[int] = []
    real = plan_module.repeated_ids

    def counting(plan, ids, reread):  # type: ignore[no-untyped-def]
        return real(plan, ids, lambda: reads.append(1) or reread())

    monkeypatch.setattr(plan_module, "repeated_ids", counting)
    distinct = [r for r in ROWS if "Four" not in r and "Six" not in r]
    assert only_file(validate_files([sf(*distinct)], "salesforce")).ok
    assert reads == []
