"""`salesops --help` starts fast: no pandas, SQLAlchemy, Prophet or repository at import."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("pandas", "numpy", "sqlalchemy", "prophet", "altair", "salesops.repository")

PROBE = """
import json, sys
from typer.testing import CliRunner
from salesops.cli import app
result = CliRunner().invoke(app, ["--help"])
assert result.exit_code == 0, result.output
heavy = [m for m in json.loads(sys.argv[1]) if m in sys.modules]
print(json.dumps({"heavy": heavy, "commands": result.output}))
"""


def test_help_imports_nothing_heavy():
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    payload = json.loads(out.stdout)
    assert payload["heavy"] == []
    for command in ("kpis", "forecast", "review", "quality", "users", "demo"):
        assert command in payload["commands"]


def test_every_command_help_imports_nothing_heavy():
    probe = PROBE.replace('["--help"]', "sys.argv[2:]")
    for command in (["review"], ["kpis"], ["users", "list"], ["import"], ["call"], ["cash"]):
        out = subprocess.run(
            [sys.executable, "-c", probe, json.dumps(HEAVY), *command, "--help"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(out.stdout)["heavy"] == [], command
