"""Number formats shared by every chart: money in the database currency, ratios, days."""

from __future__ import annotations

from typing import Any

import altair as alt

from salesops.formatting import currency_symbol

RATIO = ".0%"
DAYS = ",.0f"
MONTHS = ",.1f"
MULTIPLE = ",.1f"


def money_format(currency: str, compact: bool = False) -> str:
    """Returns the d3 format of an amount: "$,.0f" / "$,.3~s" (d3's "$" prints the symbol).

    Compact keeps three significant digits, trailing zeros trimmed: with two, a zoomed axis
    (the pipeline waterfall's, $2.25B to $2.6B) labelled two ticks alike ("$2.5G" twice).
    """
    return ("$" if currency_symbol(currency) == "$" else "") + (",.3~s" if compact else ",.0f")


# d3's SI prefix for 10^9 is G (giga); money reads B (billion)
_BILLIONS = "replace(datum.label, 'G', 'B')"


def money_axis(currency: str, compact: bool = True, **kwargs: Any) -> alt.Axis:
    """Returns an axis labelled in `currency`: $1.2M / $2.45B for USD, €1.2M, CHF 1.2M..."""
    fmt = money_format(currency, compact)
    label = _BILLIONS if compact else "datum.label"
    if currency_symbol(currency) != "$":
        label = f"'{_prefix(currency)}' + {label}"
    return alt.Axis(format=fmt, labelExpr=label, **kwargs)


def money_tooltip(field: str, title: str, currency: str) -> alt.Tooltip:
    """Returns a tooltip of an amount, its title naming the currency when it is not dollars."""
    shown = title if currency_symbol(currency) == "$" else f"{title} ({currency})"
    return alt.Tooltip(field, format=money_format(currency), title=shown)


def _prefix(currency: str) -> str:
    return currency_symbol(currency) or f"{currency} "


def axis_format(unit: str, currency: str) -> str:
    """Returns the d3 format of a KPI unit (ratio, days, money, months, x)."""
    formats = {"ratio": RATIO, "days": DAYS, "months": MONTHS, "x": MULTIPLE}
    return money_format(currency) if unit == "money" else formats.get(unit, ",.2f")
