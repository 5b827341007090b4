"""The demo company's names: no serial numbers, distinct, deals named after their accounts."""

from __future__ import annotations

import re

from salesops.demo.names import account_name, deal_name, rep_name
from salesops.quality.names import normalise_company_name


def test_rep_names_have_no_serial_numbers_and_do_not_repeat():
    names = [rep_name(i) for i in range(300)]
    assert names[:3] == ["Alex Garcia", "Sam Silva", "Jordan Moreau"]
    assert len(set(names)) == 300
    assert not [n for n in names if re.search(r"\d", n)]
    assert names[256] == "Alex A. Garcia"  # past 256 pairs, a middle initial


def test_account_names_are_distinct_and_read_like_companies():
    names = [account_name(i) for i in range(20_000)]
    assert len(set(names)) == 20_000
    # distinct for the duplicate check too, which ignores case, punctuation and legal forms
    assert len({normalise_company_name(n) for n in names}) == 20_000
    assert names[0] == "Acme Harbor Inc."
    assert not [n for n in names if re.search(r"\d", n)]
    assert names[13 * 24] == "Acme Harbor Inc. (Boston)"
    assert names[13 * 24 * 21].startswith("Acme Harbor Summit ")  # then a second word


def test_deal_names_say_whose_and_what():
    assert (
        deal_name("Acme Harbor Inc.", "SMB", 1, False) == "Acme Harbor: Annual subscription (new)"
    )
    assert deal_name("Acme Harbor Inc.", "Enterprise", 6, True) == (
        "Acme Harbor: Analytics suite (expansion)"
    )
