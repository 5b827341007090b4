"""How an import adds an activity type it has not met: selling, or back office, by its name."""

from __future__ import annotations

import pytest

from salesops.importing.entity_checks import (
    default_back_office,
    default_category,
    default_type_words,
)


@pytest.mark.parametrize(
    ("activity", "category", "back_office", "words"),
    [
        ("Customer meetings", "selling", False, "selling"),
        ("Call", "selling", False, "selling"),
        ("Quote configuration", "non_selling", True, "non-selling, back office"),
        ("Send Letter/Quote", "non_selling", True, "non-selling, back office"),
        ("Proposal writing", "non_selling", True, "non-selling, back office"),
        ("Order processing", "non_selling", True, "non-selling, back office"),
        ("Admin", "non_selling", False, "non-selling"),
        ("Training", "non_selling", False, "non-selling"),
        # a selling word wins: presenting a proposal to the customer is selling
        ("Proposal presentation", "selling", False, "selling"),
    ],
)
def test_new_activity_types_take_their_category_and_back_office_flag_from_the_name(
    activity, category, back_office, words
):
    assert default_category(activity) == category
    assert default_back_office(activity) is back_office
    assert default_type_words(activity) == words
