"""First run: create the demo SQLite database, with progress, when the default one is missing."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from sqlalchemy.engine import make_url

from salesops.config import DEFAULT_SQLITE_PATH, load_settings
from salesops.db.engine import make_engine
from salesops.demo import generate_demo


def ensure_demo_database() -> None:
    """Generates the small demo company if the configured database is the missing default file."""
    settings = load_settings()
    url = settings.database_url
    database = make_url(url).database
    if make_url(url).get_backend_name() != "sqlite" or not database:
        return
    if Path(database).resolve() != DEFAULT_SQLITE_PATH or DEFAULT_SQLITE_PATH.exists():
        return
    bar = st.progress(0.0, text="First run: creating the demo company…")

    def progress(fraction: float, message: str) -> None:
        bar.progress(fraction, text=message)

    generate_demo(make_engine(url), settings.demo_scale, settings.demo_seed, progress=progress)
    bar.empty()
