"""`salesops` command line: a thin shell over the package (typer).

Errors print one clear sentence to stderr and exit non-zero; nothing is half-written.
JSON output (`--format json`) is a stable contract (see DESIGN.md).
"""

from __future__ import annotations

# Importing each command module registers its commands on `app`, in --help order.
# isort: off
from salesops.cli import database  # noqa: F401  db init / upgrade, demo
from salesops.cli import importing  # noqa: F401  import, quality
from salesops.cli import kpis  # noqa: F401
from salesops.cli import forecast  # noqa: F401
from salesops.cli import territory  # noqa: F401
from salesops.cli import plan  # noqa: F401
from salesops.cli import time_allocation  # noqa: F401
from salesops.cli import pipeline_review  # noqa: F401
from salesops.cli import call  # noqa: F401  the quarter call
from salesops.cli import cash  # noqa: F401
from salesops.cli import settings  # noqa: F401
from salesops.cli import users  # noqa: F401  users add / list / set / remove

# isort: on
from salesops.cli.app import app, main

__all__ = ["app", "main"]
