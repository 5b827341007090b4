"""The one parser of numbers typed by a user: ids in links and numeric command-line options.

`"²".isdigit()` is true and `int()` refuses strings over 4,300 digits, `float("inf")` and
`float("1e300")` parse, and NaN compares false with everything: every id read from a URL
and every number read from an option goes through here, so none of them reach a model or
SQL unchecked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Longer digit strings are not ids (a BIGINT holds 18 digits).
MAX_ID_DIGITS = 18
# Money columns are NUMERIC(16, 2) (salesops.db.schema.Money); kept here, not imported from
# the schema, so the command line's option parsers load without SQLAlchemy.
MONEY_PRECISION, MONEY_SCALE = 16, 2
# The largest amount a money column holds (14 digits before the point).
MONEY_LIMIT = 10.0 ** (MONEY_PRECISION - MONEY_SCALE)


def parse_id(text: str | None) -> int | None:
    """Returns the non-negative integer written in ASCII digits, or None ("²" and 10**5000 too)."""
    if not text:
        return None
    text = text.strip()
    if not text or len(text) > MAX_ID_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


@dataclass(frozen=True)
class NumberRange:
    """What a numeric option accepts: finite, within [low, high] (`low` excluded if open)."""

    noun: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False

    def describe(self) -> str:
        """Returns the accepted range as words ("a fraction above 0 and at most 1")."""
        parts = []
        if self.low is not None:
            parts.append(f"{'above' if self.low_open else 'at least'} {_shown(self.low)}")
        if self.high is not None:
            parts.append(f"at most {_shown(self.high)}")
        return self.noun + (" " + " and ".join(parts) if parts else "")

    def parse(self, text: str | float) -> float:
        """Returns the number in `text`; ValueError with one sentence when it is out of range."""
        try:
            value = float(text)
        except (TypeError, ValueError):
            value = math.nan
        too_low = self.low is not None and (
            value <= self.low if self.low_open else value < self.low
        )
        too_high = self.high is not None and value > self.high
        if not math.isfinite(value) or too_low or too_high:
            raise ValueError(f"{str(text)!r} is out of range: use {self.describe()}.")
        return value


def _shown(value: float) -> str:
    """Returns a bound as written for people: 1,000 and 100,000,000,000,000, 0.01."""
    return f"{int(value):,}" if value == int(value) else f"{value:g}"


# The kinds of number the command line takes.
AMOUNT = NumberRange("an amount", low=0, high=MONEY_LIMIT, low_open=True)
NON_NEGATIVE_AMOUNT = NumberRange("an amount", low=0, high=MONEY_LIMIT)
FRACTION = NumberRange("a fraction", low=0, high=1)
POSITIVE_FRACTION = NumberRange("a fraction", low=0, high=1, low_open=True)
RATIO = NumberRange("a ratio", low=0, high=1000)
EXPONENT = NumberRange("an exponent", low=0.01, high=1)
