"""`salesops time` on Maven with a timesheet of one quarter: bookings per hour of that quarter."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from salesops.cli import app
from salesops.db.engine import init_schema, make_engine
from salesops.importing.reading import CsvInput
from salesops.importing.report import import_files

MAVEN = Path("/work/shared/datasets/maven-crm-sales-opportunities")
FILES = ("sales_teams.csv", "accounts.csv", "products.csv", "sales_pipeline.csv")
REPS = ("Anna Snelling", "Darcel Schlecht")

pytestmark = pytest.mark.skipif(not MAVEN.exists(), reason="shared datasets not present")


def _timesheet() -> bytes:
    """Returns eight hours a weekday for two reps, 2 Oct - 29 Dec 2017: 2.5 h selling."""
    lines = ["rep,activity_date,activity,hours"]
    day = date(2017, 10, 2)
    while day <= date(2017, 12, 29):
        if day.weekday() < 5:
            for rep in REPS:
                lines.append(f"{rep},{day},Customer meetings,2.5")
                lines.append(f"{rep},{day},Quote configuration,5.5")
        day += timedelta(days=1)
    return ("\n".join(lines) + "\n").encode()


def test_bookings_per_selling_hour_divides_the_logged_quarters_bookings(tmp_path):
    url = f"sqlite:///{tmp_path / 'maven.db'}"
    engine = make_engine(url)
    init_schema(engine)
    crm = [CsvInput.from_path(MAVEN / n) for n in FILES]
    assert import_files(engine, crm, "maven").written
    assert import_files(engine, [CsvInput("timesheet.csv", _timesheet())], "salesops").written
    engine.dispose()
    result = CliRunner().invoke(
        app,
        ["time", "--from", "2017-01-01", "--to", "2017-12-31", "--format", "json", "--url", url],
    )
    assert result.exit_code == 0, result.output
    team = json.loads(result.stdout)["team"]
    # independently: the two reps' won deals closed in the logged weeks, from the CSV
    deals = pd.read_csv(MAVEN / "sales_pipeline.csv", parse_dates=["close_date"])
    won = deals[deals["deal_stage"] == "Won"]
    logged = won["close_date"].between("2017-10-02", "2017-12-31")
    theirs = won["sales_agent"].isin(REPS)
    selling = 2 * 65 * 2.5  # two reps, 65 weekdays
    assert (team["bookings_from"], team["bookings_to"]) == ("2017-10-02", "2017-12-31")
    assert team["selling_hours"] == pytest.approx(selling)
    assert team["bookings"] == pytest.approx(won.loc[logged, "close_value"].sum())
    # the two reps' bookings of the logged weeks over their selling hours: not the whole
    # year's (4x), nor the 33 reps' who logged nothing (hours of 2, bookings of 35)
    expected = won.loc[logged & theirs, "close_value"].sum() / selling
    assert team["revenue_per_selling_hour"] == pytest.approx(expected)
    assert team["revenue_per_selling_hour"] < won.loc[theirs, "close_value"].sum() / selling / 2
