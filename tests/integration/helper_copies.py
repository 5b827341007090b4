"""Which rollups the rollup helper copied into the main connection, for its tests."""

from __future__ import annotations

import pytest

from salesops.db import rollup_helper


def helper_copies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Spies on Helper.copy; returns the list each copied rollup's table name is appended to."""
    copied: list[str] = []
    real_copy = rollup_helper.Helper.copy

    def spy(self, conn, step):  # type: ignore[no-untyped-def]
        copied.append(step.table.name)
        return real_copy(self, conn, step)

    monkeypatch.setattr(rollup_helper.Helper, "copy", spy)
    return copied
