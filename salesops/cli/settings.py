"""`salesops settings`: every default and assumption, with what it means."""

from __future__ import annotations

from typing import Annotated

import typer

from salesops.cli.app import app
from salesops.cli.common import (
    OutputFormat,
    UrlOption,
    emit,
    friendly_errors,
)
from salesops.config import Settings, load_settings


@app.command("settings")
@friendly_errors
def settings_(
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
    url: UrlOption = None,
) -> None:
    """Every default and assumption behind the numbers, with what it means."""
    import pandas as pd

    from salesops.config import SECTIONS

    rows = describe_settings(load_settings(url))
    frame = pd.DataFrame(rows, columns=["section", "name", "value", "help"])
    if fmt is OutputFormat.table:
        for key, title in SECTIONS.items():
            chosen = frame[frame["section"] == key]
            if chosen.empty:
                continue
            typer.echo(f"\n{title}")
            for row in chosen.itertuples():
                typer.echo(f"  {row.name} = {row.value!r}\n      {row.help}")
        return
    payload = {"settings": [dict(zip(frame.columns, row, strict=True)) for row in rows]}
    emit(payload, frame, fmt)


def describe_settings(settings: Settings | None = None) -> list[tuple[str, str, object, str]]:
    """Returns (section, name, value, help) for every setting but the database URL, in order."""
    from dataclasses import fields

    chosen = settings or Settings()
    return [
        (f.metadata["section"], f.name, getattr(chosen, f.name), f.metadata["help"])
        for f in fields(chosen)
        if f.name != "database_url"
    ]
