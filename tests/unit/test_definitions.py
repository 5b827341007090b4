"""The shared vocabulary: each term defined once, with its one implementation."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from salesops.config import Settings
from salesops.definitions import TERMS, define, is_overdue, pipeline_coverage
from salesops.pipeline_review.coverage import coverage_ratio


def test_every_term_has_a_label_and_a_definition_with_its_settings_filled_in():
    assert set(TERMS) == {
        "pipeline_coverage", "overdue", "stale", "capacity", "utilisation", "cash_funnel",
        "cash_cycle_days", "dso", "overdue_receivable", "order_complete", "cash_pulled_forward",
    }  # fmt: skip
    for name, term in TERMS.items():
        text = define(name)
        assert term.label and len(text) > 40 and "{" not in text
    assert "over-loaded above 110%" in define("utilisation")
    changed = Settings(utilisation_over=1.25)
    assert "over-loaded above 125%" in define("utilisation", changed)


def test_pipeline_coverage_by_hand_and_undefined_cases():
    assert pipeline_coverage(300.0, 200.0, 50.0).value == pytest.approx(2.0)
    assert pipeline_coverage(0.0, 50.0, 10.0).value == 0.0  # no pipeline is a defined 0x
    assert pipeline_coverage(10.0, None, 0.0).reason == "no quota for the period"
    done = pipeline_coverage(10.0, 50.0, 50.0)
    assert done.value is None and done.reason == "quota already met"
    # The review's quarter coverage is this definition with the quarter named
    assert coverage_ratio(10.0, None, 0.0).reason == "no quota for the quarter"
    assert coverage_ratio(300.0, 200.0, 50.0).value == pytest.approx(2.0)


def test_overdue_is_open_and_expected_before_the_as_of_date():
    outcome = pd.Series(["open", "open", "won", "open", "open"])
    close = pd.Series(pd.to_datetime(["2026-01-31", "2026-02-01", "2026-01-01", None,
                                      "2026-01-15"]))  # fmt: skip
    assert is_overdue(outcome, close, date(2026, 2, 1)).tolist() == [
        True, False, False, False, True
    ]  # fmt: skip
