"""Human formatting of figures: the one money formatter, ratios, days, changes and cells.

Money has two forms, used everywhere (tiles, chart axes and labels, tables, the CLI and
the meeting pack): compact, for a figure read at a glance ("$45.3M", "$294k", "$950"),
and full, for a table cell or a tooltip ("$45,253,000"): whole currency units, never
cents. Chart axes use the same rule through `charts/formats.py`. Undefined is "—".
"""

from __future__ import annotations

import math

import pandas as pd

EM_DASH = "—"
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "BRL": "R$"}
# Compact money: an amount from `threshold` up is divided by `unit`, suffixed with `letter`
# and written to at most `decimals` decimals (trailing zeros dropped).
COMPACT_STEPS = ((1e9, 1e9, "B", 2), (1e6, 1e6, "M", 2), (1e4, 1e3, "k", 1))


def currency_symbol(currency: str) -> str | None:
    """Returns the symbol written before amounts in `currency`, or None (code written after)."""
    return CURRENCY_SYMBOLS.get(currency.upper())


def currency_affixes(currency: str) -> tuple[str, str]:
    """Returns (prefix, suffix) around an amount: ("$", "") for USD, ("", " CHF") for CHF."""
    symbol = currency_symbol(currency)
    return (symbol, "") if symbol else ("", f" {currency.upper()}")


def _trim(number: float, decimals: int) -> str:
    """Returns the number with thousands separators and at most `decimals` decimals."""
    text = f"{number:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def is_undefined(value: object) -> bool:
    """Returns True for None, NaN and NaT (a figure that could not be computed)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_money(value: float | None, currency: str, full: bool = False) -> str:
    """Returns an amount: compact ("$45.3M", "$294k", "-$950") or full ("$45,253,000").

    Compact divides from 10,000 up (k, M, B; at most two decimals, trailing zeros
    dropped); full writes whole currency units with thousands separators.
    """
    if is_undefined(value):
        return EM_DASH
    amount = float(value)  # type: ignore[arg-type]
    prefix, suffix = currency_affixes(currency)
    sign = "-" if amount < 0 and round(abs(amount)) > 0 else ""
    amount = abs(amount)
    if not full:
        for threshold, unit, letter, decimals in COMPACT_STEPS:
            if amount >= threshold:
                return f"{sign}{prefix}{_trim(amount / unit, decimals)}{letter}{suffix}"
    return f"{sign}{prefix}{amount:,.0f}{suffix}"


def format_value(value: float | None, unit: str, currency: str | None = None) -> str:
    """Returns `value` formatted for its unit; — if undefined.

    Units: ratio (a fraction, shown as %), pp (a fraction, shown as percentage points),
    days, hours, months, x (a multiple), count, money (compact; needs the database
    currency, Settings.currency), number.
    """
    if is_undefined(value):
        return EM_DASH
    number = float(value)  # type: ignore[arg-type]
    if unit == "money":
        if currency is None:
            raise ValueError("format_value needs the currency to format money.")
        return format_money(number, currency)
    formats = {
        "ratio": f"{number:.1%}",
        "pp": f"{number * 100:.1f} pp",
        "days": f"{number:,.0f} days",
        "hours": f"{number:,.0f} h",
        "months": f"{number:,.1f} mo",
        "x": f"{number:,.1f}×",
        "count": f"{number:,.0f}",
    }
    return formats.get(unit, _trim(number, 2))


def format_change(change: float | None, unit: str, currency: str | None = None) -> str | None:
    """Returns a signed change for a delta label (ratios in percentage points), or None.

    A change that rounds to nothing reads "no change" (never "+$0" or "-0.0 pp").
    """
    if is_undefined(change):
        return None
    number = float(change)  # type: ignore[arg-type]
    text = format_value(abs(number), "pp" if unit == "ratio" else unit, currency)
    if _rounds_to_zero(text):
        return "no change"
    return ("+" if number > 0 else "-") + text


def _rounds_to_zero(text: str) -> bool:
    """Returns True when a formatted magnitude shows only zeros ("$0", "0.0 pp", "0 days")."""
    digits = [c for c in text if c.isdigit()]
    return bool(digits) and set(digits) == {"0"}


def is_material(
    change: float | None, previous: float | None, unit: str, noise_pp: float, noise_share: float
) -> bool:
    """Returns True when a change is big enough to colour (red or green) on a tile.

    A rate must move by at least `noise_pp` percentage points (Settings.change_noise_pp);
    anything else by at least `noise_share` of the previous value
    (Settings.change_noise_share). Undefined changes are not material.
    """
    if is_undefined(change):
        return False
    size = abs(float(change))  # type: ignore[arg-type]
    if unit == "ratio":
        return size * 100 >= noise_pp
    if is_undefined(previous) or previous == 0:
        return size > 0
    return size >= noise_share * abs(float(previous))  # type: ignore[arg-type]


def format_date(value: object) -> str:
    """Returns a date as "4 Mar 2026" (a time of day is never shown); — if undefined."""
    if is_undefined(value):
        return EM_DASH
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {stamp:%b %Y}"


def format_cell(value: object, kind: str, currency: str) -> str:
    """Returns one table cell as text in its column's kind (the meeting pack, text columns).

    Kinds are those of salesops.ui.tables column specs: money (full), money_change
    (signed, full), ratio, pp, days, hours, count, x, number, date, bool, text.
    """
    if kind == "bool":
        return "Yes" if value is True or value == 1 else ("" if is_undefined(value) else "No")
    if is_undefined(value):
        return EM_DASH
    if kind == "date":
        return format_date(value)
    if kind == "money":
        return format_money(float(value), currency, full=True)  # type: ignore[arg-type]
    if kind == "money_change":
        number = float(value)  # type: ignore[arg-type]
        text = format_money(abs(number), currency, full=True)
        return text if _rounds_to_zero(text) else ("+" if number > 0 else "-") + text
    if kind in ("ratio", "pp", "days", "hours", "count", "x", "months"):
        return format_value(float(value), kind)  # type: ignore[arg-type]
    if kind == "number" and isinstance(value, int | float) and not math.isnan(float(value)):
        return _trim(float(value), 2)
    return str(value)
