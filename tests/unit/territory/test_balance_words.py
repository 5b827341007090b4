"""The Overview's sentence about workload balance."""

from __future__ import annotations

from salesops.territory.balance import balance_words


def test_uneven_is_bad_and_names_the_scale():
    text, tone = balance_words(0.33, 3, 2, 0.15, 0.3)
    assert text == (
        "Workload is uneven across territories (index 0.33, where 0 is perfectly even and "
        "above 0.30 is uneven): 3 over-loaded and 2 under-loaded territories."
    )
    assert tone == "bad"


def test_even_is_good_and_between_is_neutral():
    assert balance_words(0.1, 0, 0, 0.15, 0.3)[1] == "good"
    assert balance_words(0.2, 1, 0, 0.15, 0.3) == (
        "Workload is somewhat uneven (index 0.20, where 0 is perfectly even and above 0.30 "
        "is uneven): 1 over-loaded and 0 under-loaded territory.",
        "neutral",
    )
    assert balance_words(None, 0, 0, 0.15, 0.3)[0].startswith("Workload balance is undefined")


def test_even_but_flagged_reads_even_not_somewhat_uneven():
    # imported Maven: three territories at 4% utilisation, index 0.06
    assert balance_words(0.06, 0, 3, 0.15, 0.3) == (
        "Workload is even across territories (index 0.06, where 0 is perfectly even and above "
        "0.30 is uneven), but with 0 over-loaded and 3 under-loaded territories.",
        "neutral",
    )
