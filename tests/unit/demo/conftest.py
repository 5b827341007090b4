"""One tiny demo company shared by the demo tests (built in memory, no database)."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops.demo import build_demo_frames


@pytest.fixture(scope="package")
def tiny() -> dict[str, pd.DataFrame]:
    return build_demo_frames("tiny", seed=7)
