"""`python -m salesops` runs the command line."""

from __future__ import annotations

from salesops.cli import main

main()
