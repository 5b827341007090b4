"""`make run`: runtime dependencies only, progress while installing, the URL printed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bare_copy(tmp_path: Path) -> Path:
    """A copy of the project's Makefile and requirements with no virtual environment."""
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "data").mkdir()
    return tmp_path


def test_make_run_installs_only_runtime_dependencies_and_prints_the_url(bare_copy):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    plan = subprocess.run(
        ["make", "-n", "run"], cwd=bare_copy, capture_output=True, text=True, check=True
    ).stdout
    assert "-r requirements.txt" in plan and "requirements-dev.txt" not in plan
    assert "Installing the app's runtime dependencies" in plan
    assert "grep --line-buffered -E '^(Collecting" in plan  # one progress line per package
    assert "Building the demo company" in plan
    assert "open http://localhost:8501 in your browser" in plan
    assert "--quiet -r" not in plan  # nothing installs silently for a minute
