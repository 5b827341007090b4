"""Plausible names for the demo company's reps, accounts and deals, without serial numbers.

Names are a mixed-radix reading of the row's position in fixed word lists (no random draws,
so the demo's numbers do not change with its names), unique as long as the lists allow:
256 reps, then a middle initial; 13 x 24 accounts, then a city, then a second word (legal
forms vary but never tell two accounts apart); every deal names its account and what is
being sold.
"""

from __future__ import annotations

from salesops.demo.catalog import (
    CITIES,
    COMPANY_STEMS,
    COMPANY_WORDS,
    DEAL_KINDS,
    FIRST_NAMES,
    LAST_NAMES,
    LEGAL_FORMS,
    SEGMENT_OFFERINGS,
)


def rep_name(i: int) -> str:
    """Returns the name of the rep at position `i` (0-based): "Alex Garcia", "Sam Kim".

    The first 256 are distinct first and last name pairs; later ones add a middle initial.
    """
    first = FIRST_NAMES[i % 16]
    last = LAST_NAMES[(i * 7 + i // 16) % 16]  # for i < 256 no pair repeats
    if i < 256:
        return f"{first} {last}"
    return f"{first} {chr(65 + (i // 256 - 1) % 26)}. {last}"


def account_name(i: int) -> str:
    """Returns the name of the account at position `i` (0-based): "Acme Harbor Inc.".

    Names stay distinct even with legal forms ignored (as the data-quality duplicate check
    reads them): the first 13 x 24 accounts by stem and word, the next 20 rounds with a
    city, then a second word (13 x 24 x 21 x 24 in all); the legal form only varies.
    """
    stems, words = len(COMPANY_STEMS), len(COMPANY_WORDS)
    word_at = (i // stems) % words
    rounds = i // (stems * words)
    city, extra = rounds % (len(CITIES) + 1), rounds // (len(CITIES) + 1)
    name = f"{COMPANY_STEMS[i % stems]} {COMPANY_WORDS[word_at]}"
    if extra:
        name += f" {COMPANY_WORDS[(word_at + extra) % words]}"
    name += f" {LEGAL_FORMS[(i * 5 + i // stems) % len(LEGAL_FORMS)]}"
    if city:
        name += f" ({CITIES[city - 1]})"
    return name


def deal_name(account: str, segment: str, i: int, expansion: bool) -> str:
    """Returns a deal's name: its account's short name, then what is sold.

    E.g. "Acme Harbor: Platform licences (new)". `i` picks the offering and kind;
    expansion deals are upsells to an existing customer.
    """
    return named_deal(short_name(account), segment, i, expansion)


def short_name(account: str) -> str:
    """Returns an account's name as its deals start: its first two words ("Acme Harbor")."""
    return " ".join(account.split(" ")[:2])


def named_deal(short: str, segment: str, i: int, expansion: bool) -> str:
    """Returns deal_name's name from the account's short_name (computed once per account)."""
    offerings = SEGMENT_OFFERINGS[segment]
    offering = offerings[i % len(offerings)]
    kind = "expansion" if expansion else DEAL_KINDS[(i // len(offerings)) % len(DEAL_KINDS)]
    return f"{short}: {offering} ({kind})"
