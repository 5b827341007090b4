"""Maven accounts take their deals' regional office as territory, not their HQ country."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from salesops.db import schema as s
from salesops.db.rollups import refresh_rollups
from salesops.importing.reading import CsvInput
from salesops.importing.report import import_files
from salesops.importing.undo import undo_import
from salesops.repository import Repository
from salesops.territory.report import territory_report

MAVEN = Path("/work/shared/datasets/maven-crm-sales-opportunities")
ALL = ("sales_teams.csv", "accounts.csv", "products.csv", "sales_pipeline.csv")

pytestmark = pytest.mark.skipif(not MAVEN.exists(), reason="shared datasets not present")


def inputs(*names: str) -> list[CsvInput]:
    return [CsvInput.from_path(MAVEN / n) for n in names]


def account_territories(engine: sa.Engine) -> dict[str, str | None]:
    """Returns {account name: territory name or None} as stored."""
    a, t = s.accounts.c, s.territories.c
    stmt = sa.select(a.name, t.name).select_from(
        s.accounts.outerjoin(s.territories, t.id == a.territory_id)
    )
    with engine.connect() as conn:
        return dict(tuple(row) for row in conn.execute(stmt))


def expected_territories(engine: sa.Engine) -> dict[str, str]:
    """Returns each account's territory computed from the raw files with pandas.

    The regional office of the agents holding most of the account's deals; a tie goes to
    the office with the lowest territory id in the database.
    """
    deals = pd.read_csv(MAVEN / "sales_pipeline.csv").dropna(subset=["account"])
    teams = pd.read_csv(MAVEN / "sales_teams.csv")
    t = s.territories.c
    with engine.connect() as conn:
        ids = dict(tuple(row) for row in conn.execute(sa.select(t.name, t.id)))
    held = deals.merge(teams, on="sales_agent").groupby(["account", "regional_office"]).size()
    held = held.rename("deals").reset_index()
    held["territory_id"] = held["regional_office"].map(ids)
    held = held.sort_values(["account", "deals", "territory_id"], ascending=[True, False, True])
    first = held.drop_duplicates("account")
    return dict(zip(first["account"], first["regional_office"], strict=True))


def page_figures(engine: sa.Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns the Territory page's territory and rep tables."""
    report = territory_report(Repository(engine))
    return report.territories, report.reps


def assert_same_as_a_fresh_rebuild(engine: sa.Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Asserts the page's tables read the same after every rollup is rebuilt; returns them."""
    territories, reps = page_figures(engine)
    refresh_rollups(engine)
    rebuilt_territories, rebuilt_reps = page_figures(engine)
    pd.testing.assert_frame_equal(territories, rebuilt_territories)
    pd.testing.assert_frame_equal(reps, rebuilt_reps)
    return territories, reps


def test_regional_offices_own_every_account_and_the_page_reads_as_rebuilt(engine):
    outcome = import_files(engine, inputs(*ALL), "maven")
    assert outcome.written, outcome.message
    assert (
        "85 accounts without a territory took the territory of the reps holding most of their "
        "deals; every account now has a territory." in outcome.message
    )
    stored = account_territories(engine)
    expected = expected_territories(engine)
    assert len(stored) == 85 and stored == expected
    counts = pd.Series(expected).value_counts().to_dict()
    assert counts == {"Central": 29, "East": 28, "West": 28}  # Kan-code: East 96 = West 96
    with engine.connect() as conn:
        names = set(conn.execute(sa.select(s.territories.c.name)).scalars())
    assert names == {"Central", "East", "West"}  # no HQ country became a territory

    territories, reps = assert_same_as_a_fresh_rebuild(engine)
    by_name = territories.set_index("territory")
    assert by_name["accounts"].to_dict() == counts
    assert by_name["reps"].to_dict() == {"Central": 11, "East": 12, "West": 12}
    assert "uncovered" not in set(territories["flag"])
    assert (by_name["bookings_12m"] > 0).all()  # the rollups know the accounts' territory
    assert territory_report(Repository(engine)).mismatch is None

    again = import_files(engine, inputs(*ALL), "maven")
    assert not again.written and again.message.startswith("Already imported")
    forced = import_files(engine, inputs(*ALL), "maven", force=True)
    assert forced.written, forced.message
    assert sum(c.inserted + c.updated for c in forced.counts.values()) == 0
    assert "took the territory" not in forced.message  # nothing was without one
    assert account_territories(engine) == expected


def test_territories_come_with_a_later_batch_and_undo_takes_them_back(engine):
    # the deals first, without the reps' offices: no account can have a territory yet
    first = import_files(
        engine, inputs("accounts.csv", "products.csv", "sales_pipeline.csv"), "maven"
    )
    assert first.written, first.message
    assert "0 accounts without a territory took" in first.message
    assert "85 still have none (no deal by a rep with a territory)" in first.message
    assert set(account_territories(engine).values()) == {None}
    before = assert_same_as_a_fresh_rebuild(engine)

    # a broken teams file: nothing is written, the accounts keep no territory
    teams = (MAVEN / "sales_teams.csv").read_text().splitlines()
    broken = CsvInput("sales_teams.csv", "\n".join([*teams, ",Nobody,West"]).encode() + b"\n")
    refused = import_files(engine, [broken], "maven")
    assert not refused.written and refused.message.startswith("Nothing imported")
    assert set(account_territories(engine).values()) == {None}

    second = import_files(engine, inputs("sales_teams.csv"), "maven")
    assert second.written, second.message
    assert "85 accounts without a territory took" in second.message
    assert account_territories(engine) == expected_territories(engine)
    territories, _ = assert_same_as_a_fresh_rebuild(engine)
    by_name = territories.set_index("territory")
    assert by_name["accounts"].to_dict() == {"Central": 29, "East": 28, "West": 28}
    assert (by_name["bookings_12m"] > 0).all()

    undo_import(engine, second.batch, "test")
    assert set(account_territories(engine).values()) == {None}
    after_undo = page_figures(engine)
    pd.testing.assert_frame_equal(after_undo[0], before[0])
    pd.testing.assert_frame_equal(after_undo[1], before[1])

    undo_import(engine, first.batch, "test")
    assert account_territories(engine) == {}
