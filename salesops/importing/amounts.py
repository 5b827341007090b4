"""Amounts in CSV exports: one decimal convention per file (detected or set), currencies checked.

"(1,234)" and "-1,234" are negative; currency symbols and codes are read (and must match the
database currency) and stripped with spaces and apostrophes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from salesops.importing.uniques import per_distinct

CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "R$": "BRL"}
_CURRENCY_RE = r"(R\$|[$€£¥]|\b[A-Za-z]{3}\b)"
# Numbers written without sign, currency or grouping, read as they are.
_PLAIN_NUMBER = {".": r"\d+(\.\d+)?", ",": r"\d+"}
_NUMBER_PATTERNS = {
    # decimal "." : 1234.5 / 1,234.50 ; decimal "," : 1234,5 / 1.234,50 / 1 234,50
    ".": re.compile(r"^(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$"),
    ",": re.compile(r"^(\d+|\d{1,3}(\.\d{3})+)(,\d+)?$"),
}


def _strip_currency(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Returns (number text without currency/space/apostrophes, ISO currency found or NA)."""
    token = text.str.extract(_CURRENCY_RE, expand=False)
    currency = token.map(lambda t: CURRENCY_SYMBOLS.get(t, str(t).upper()), na_action="ignore")
    number = text.str.replace(_CURRENCY_RE, "", regex=True)
    number = number.str.replace(r"[\s\u00a0\u202f']", "", regex=True)
    return number, currency


@dataclass
class NumberEvidence:
    """Evidence for the decimal separator in amount columns (accumulated over chunks)."""

    comma_decimal: int = 0
    dot_decimal: int = 0

    def add(self, values: pd.Series) -> None:
        """Counts values that can only be read with a decimal comma, or only with a decimal dot.

        A value without a comma or a dot tells neither; the others count once per distinct
        value, weighted by how often it occurs.
        """
        values = values.dropna().astype("str").str.strip()
        values = values[values.str.contains(r"[.,]", regex=True).fillna(False)]
        if values.empty:
            return
        weights = values.value_counts(sort=False)
        distinct = pd.Series(weights.index, dtype="str")
        weights = pd.Series(weights.to_numpy(), index=distinct.index)

        def count(mask: pd.Series) -> int:
            return int(weights[mask.fillna(False).to_numpy(dtype=bool)].sum())

        number, _ = _strip_currency(distinct.str.strip("()-"))
        both = number.str.contains(",", regex=False) & number.str.contains(".", regex=False)
        last_comma = number.str.rfind(",") > number.str.rfind(".")
        self.comma_decimal += count(both & last_comma)
        self.dot_decimal += count(both & ~last_comma)
        only_comma = number.str.contains(",", regex=False) & ~both
        comma_not_thousands = only_comma & ~number.str.fullmatch(r"\d{1,3}(,\d{3})+")
        self.comma_decimal += count(comma_not_thousands)
        only_dot = number.str.contains(".", regex=False) & ~both
        many_dots = only_dot & number.str.fullmatch(r"\d{1,3}(\.\d{3}){2,}")
        self.comma_decimal += count(many_dots)
        self.dot_decimal += count(only_dot & ~number.str.fullmatch(r"\d{1,3}(\.\d{3})+"))

    def choose(self, delimiter: str) -> str:
        """Returns the decimal separator: the majority, else "," for ;-files, else "."."""
        if self.comma_decimal > self.dot_decimal:
            return ","
        if self.dot_decimal > self.comma_decimal:
            return "."
        return "," if delimiter == ";" else "."


def parse_amounts(values: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Returns (amount float64 or NaN, bad-value mask, currency found in the value or NA).

    "(1,234)" and "-1,234" are negative; currency symbols/codes and spaces are stripped;
    with decimal ",", "." and spaces are thousands separators ("1.234,50" -> 1234.5). Plain
    numbers ("1234", "1234.5" with a decimal dot) are read directly; the rest once per
    distinct value.
    """
    text = values.astype("str").str.strip()
    plain = text.str.fullmatch(_PLAIN_NUMBER[decimal]).fillna(False).astype(bool)
    amount = pd.Series(float("nan"), index=values.index, dtype="float64")
    bad = pd.Series(False, index=values.index)
    currency = pd.Series(pd.NA, index=values.index, dtype="object")
    if plain.any():
        amount[plain] = pd.to_numeric(text[plain], errors="coerce").astype("float64")
        bad[plain] = amount[plain].isna()
    rest = ~plain
    if rest.any():
        parsed = per_distinct(values[rest], lambda v: _parse_amounts(v, decimal))
        amount[rest], bad[rest], currency[rest] = parsed
    return amount, bad, currency


def _parse_amounts(values: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Returns parse_amounts(values, decimal), reading every value through the full rules."""
    text = values.astype("str").str.strip()
    present = values.notna() & (text != "")
    negative = text.str.fullmatch(r"\(.*\)") | text.str.startswith("-")
    inner = text.str.replace(r"^\((.*)\)$", r"\1", regex=True).str.lstrip("-").str.strip()
    number, currency = _strip_currency(inner)
    number = number.str.lstrip("-")
    well_formed = number.str.fullmatch(_NUMBER_PATTERNS[decimal].pattern).fillna(False)
    if decimal == ",":
        canonical = number.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        canonical = number.str.replace(",", "", regex=False)
    amount = pd.to_numeric(canonical.where(well_formed), errors="coerce").astype("float64")
    amount = amount.where(~negative.fillna(False), -amount)
    bad = present & amount.isna()
    return amount.where(present), bad, currency.where(present)
