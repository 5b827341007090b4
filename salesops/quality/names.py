"""Company names reduced for matching, so "ACME, Inc." and "Acme Inc" are seen as one."""

from __future__ import annotations

import re
import unicodedata

LEGAL_SUFFIXES = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "llp",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "company",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "bv",
        "nv",
        "plc",
        "pty",
        "srl",
        "spa",
        "oy",
        "ab",
        "as",
        "kg",
    }
)


def normalise_company_name(name: str | None) -> str:
    """Returns a company name reduced for matching: "ACME, Inc." and "Acme Inc" -> "acme".

    Accents are removed, case folded, "&" read as "and", punctuation dropped, a leading
    "the" and trailing legal suffixes (Inc, LLC, GmbH, Ltd, Corp, ...) removed.
    """
    if name is None or (isinstance(name, float) and name != name):
        return ""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    words = text.split()
    if words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words = words[:-1]
    return " ".join(words)
