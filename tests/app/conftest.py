"""AppTest helpers: run a page file against a given database URL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from salesops.ui.data import clear_cache


@pytest.fixture
def run_page(monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Returns run(path, url, query=None) -> the AppTest after one run of that page."""

    def run(path: str, url: str, query: dict | None = None, timeout: float = 120) -> AppTest:
        monkeypatch.setenv("SALESOPS_DATABASE_URL", url)
        clear_cache()
        at = AppTest.from_file(path, default_timeout=timeout)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        return at.run()

    return run
