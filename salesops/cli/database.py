"""Commands that write the database as a whole: db init, db upgrade, demo."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from salesops.cli.app import app, db_app
from salesops.cli.common import (
    UrlOption,
    friendly_errors,
)
from salesops.config import Settings, load_settings, masked_url


@db_app.command("init")
@friendly_errors
def db_init(url: UrlOption = None) -> None:
    """Create the schema in an empty database (an existing one is left as it is)."""
    from salesops.db.engine import init_schema, make_engine, outdated_schema
    from salesops.db.migrate import schema_state

    resolved = load_settings(url).database_url
    engine = make_engine(resolved)
    init_schema(engine)
    with engine.connect() as conn:
        problem = outdated_schema(schema_state(conn))
    if problem:
        typer.echo(problem, err=True)
    typer.echo(f"Schema ready in {masked_url(resolved)}.")


@db_app.command("upgrade")
@friendly_errors
def db_upgrade(url: UrlOption = None) -> None:
    """Bring an older salesops schema up to date (migrations), then rebuild the rollups."""
    from salesops.db.engine import make_engine
    from salesops.db.migrate import ensure_current_schema
    from salesops.db.rollups import refresh_rollups
    from salesops.forecast.stored import store_page_forecasts

    resolved = load_settings(url).database_url
    engine = make_engine(resolved)
    for step in ensure_current_schema(engine, refresh_follows=True):
        typer.echo(f"  {step}", err=True)
    refresh_rollups(engine)
    typer.echo(f"  {store_page_forecasts(engine, load_settings(url))[1]}", err=True)
    typer.echo(f"Schema and rollups up to date in {masked_url(resolved)}.")


@app.command()
@friendly_errors
def demo(
    url: UrlOption = None,
    scale: Annotated[
        str, typer.Option(help="small (default), medium, large, or a number of opportunities.")
    ] = Settings().demo_scale,
    seed: Annotated[
        int, typer.Option(help="Random seed: same seed, same company.")
    ] = Settings().demo_seed,
) -> None:
    """Replace the database's content with a generated demo company."""
    from salesops.db.engine import make_engine
    from salesops.demo import generate_demo, resolve_scale

    resolve_scale(scale)  # reject a bad scale before touching the database
    resolved = load_settings(url).database_url
    typer.echo(f"Generating the {scale} demo company into {masked_url(resolved)}…", err=True)
    with typer.progressbar(length=100, label="demo", file=sys.stderr) as bar:
        done = [0]

        def progress(fraction: float, message: str) -> None:
            step = max(0, int(fraction * 100) - done[0])
            done[0] += step
            bar.label = f"{message[:44]:44}"
            bar.update(step)  # renders the new label even when no step was made

        counts = generate_demo(make_engine(resolved), scale, seed, progress=progress)
    typer.echo(
        f"Demo company ready: {counts['opportunities']:,} opportunities, "
        f"{counts['leads']:,} leads, {counts['reps']:,} reps.",
        err=True,
    )
