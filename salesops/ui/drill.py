"""Drill-through: the scope of one breakdown row, inside the page's scope."""

from __future__ import annotations

from dataclasses import replace

from salesops.repository import Scope


def drill_scope(scope: Scope, by: str, key: object) -> tuple[Scope, str | None]:
    """Returns (scope narrowed to the breakdown row, channel or None) for a selected row."""
    if by == "rep":
        return replace(scope, rep_ids=(int(str(key)),)), None
    if by == "territory":
        return replace(scope, territory_ids=(int(str(key)),)), None
    if by == "segment":
        return replace(scope, segments=(str(key),)), None
    return scope, str(key)
