"""Account and rep territories that do not meet: the balance page's data-quality sentence."""

from __future__ import annotations

import pandas as pd

from salesops.territory.mismatch import territory_mismatch


def metrics(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["territory", "accounts", "reps"])


def test_accounts_and_reps_in_different_territories_are_named():
    rows = [("US-West", 40, 0), ("US-East", 25, 0), ("EMEA North", 5, 0), ("Canada", 5, 0)]
    found = territory_mismatch(metrics([*rows, ("West", 0, 4), ("East", 0, 6)]))
    assert found is not None
    assert found.accounts_only == ("US-West", "US-East", "Canada", "EMEA North")
    assert found.reps_only == ("East", "West")  # most reps first
    sentence = found.sentence()
    assert sentence.startswith(
        "Account and rep territories do not match: 4 territories have accounts but no active "
        "rep (US-West, US-East, Canada and 1 more) and 2 have reps but no accounts (East, West)."
    )
    assert '"US-West" against "West"' in sentence
    assert found.as_dict()["reps_without_accounts"] == ["East", "West"]
    assert found.sentence(name=lambda n: f"<{n}>", few=1).count("<") == 2


def test_one_of_each_reads_in_the_singular():
    found = territory_mismatch(metrics([("Belgium", 1, 0), ("Central", 0, 11)]))
    assert found is not None
    assert "1 territory has accounts but no active rep (Belgium) and 1 has reps" in (
        found.sentence()
    )


def test_territories_that_meet_are_no_mismatch():
    # an uncovered territory beside covered ones is plainly uncovered, not a naming problem
    assert territory_mismatch(metrics([("West", 10, 2), ("East", 3, 0)])) is None
    # reps without accounts beside covered territories: under-loaded, not a mismatch
    assert territory_mismatch(metrics([("West", 10, 2), ("East", 0, 3)])) is None
    assert territory_mismatch(metrics([("West", 10, 2)])) is None
    assert territory_mismatch(metrics([])) is None


def test_a_partial_overlap_still_names_the_ones_that_do_not_meet():
    found = territory_mismatch(
        metrics([("West", 10, 2), ("US-East", 8, 0), ("East", 0, 3), ("Empty", 0, 0)])
    )
    assert found is not None
    assert (found.accounts_only, found.reps_only) == (("US-East",), ("East",))
