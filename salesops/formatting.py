"""Human formatting of KPI values, shared by the app and the CLI table output."""

from __future__ import annotations

EM_DASH = "—"
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "BRL": "R$"}


def currency_symbol(currency: str) -> str | None:
    """Returns the symbol written before amounts in `currency`, or None (code written after)."""
    return CURRENCY_SYMBOLS.get(currency.upper())


def format_value(value: float | None, unit: str, currency: str | None = None) -> str:
    """Returns `value` formatted for its unit (ratio, days, money, months, x); — if None.

    Money needs the database currency (Settings.currency); other units ignore it.
    """
    if value is None or value != value:
        return EM_DASH
    if unit == "ratio":
        return f"{value:.1%}"
    if unit == "days":
        return f"{value:,.0f} days"
    if unit == "months":
        return f"{value:,.1f} mo"
    if unit == "x":
        return f"{value:,.1f}×"
    if unit == "money":
        if currency is None:
            raise ValueError("format_value needs the currency to format money.")
        symbol = currency_symbol(currency) or ""
        suffix = "" if symbol else f" {currency}"
        sign = "-" if value < 0 else ""
        amount = abs(value)
        if amount >= 1e6:
            return f"{sign}{symbol}{amount / 1e6:,.2f}M{suffix}"
        if amount >= 1e4:
            return f"{sign}{symbol}{amount / 1e3:,.1f}k{suffix}"
        return f"{sign}{symbol}{amount:,.0f}{suffix}"
    return f"{value:,.2f}"


def format_change(change: float | None, unit: str, currency: str | None = None) -> str | None:
    """Returns a signed change for a delta label (ratios in percentage points), or None."""
    if change is None or change != change:
        return None
    if unit == "ratio":
        return f"{change * 100:+.1f} pp"
    text = format_value(abs(change), unit, currency)
    return ("+" if change >= 0 else "-") + text
