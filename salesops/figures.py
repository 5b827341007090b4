"""Figure: the one "number that may be undefined" every report uses.

A figure has a value, or None with the reason it is undefined (CAC with no new customers,
a MAPE over all-zero actuals, coverage with no quota). `inputs` carries what it was computed
from, so a page can show the formula's parts beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Input = float | int | str | None


@dataclass(frozen=True)
class Figure:
    """A number that may be undefined: ``value`` is None exactly when ``reason`` says why."""

    value: float | None
    reason: str | None = None
    inputs: Mapping[str, Input] = field(default_factory=dict)

    @classmethod
    def undefined(cls, reason: str, **inputs: Input) -> Figure:
        """Returns an undefined figure carrying ``reason`` (and what it was computed from)."""
        return cls(None, reason, dict(inputs))

    def to_json(self) -> dict[str, object]:
        """Returns ``{"value", "reason"}`` with a plain float (JSON-safe)."""
        return {"value": None if self.value is None else float(self.value), "reason": self.reason}
