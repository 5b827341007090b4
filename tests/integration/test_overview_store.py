"""The Overview's stored results (issue 21): equal to computed ones, never found for other data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from salesops import typed_json
from salesops.cli import app
from salesops.config import load_settings
from salesops.db.engine import make_engine
from salesops.db.stored_results import replace_stored_results
from salesops.overview_store import (
    compute_overview,
    refresh_stored_overview,
    result_key,
    stored_calls,
)
from salesops.repository import EVERYTHING, Repository
from tests.same_values import assert_same

# A deal won on the data's latest day: bookings, the call and the KPIs all move.
CSV = (
    "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,Close Date,"
    "Stage,Amount\n"
    "006OVERVIEW,Overview check,Overview Check Inc.,Ann Lee,{created},{closed},Closed Won,"
    "987654\n"
)


def _stored(repo: Repository, url: str) -> dict[tuple, object]:
    """Returns every stored result of the current data version, by call, read back."""
    version = repo.data_version()
    today = datetime.now(UTC).date()
    found = {}
    for call in stored_calls(repo, load_settings(url), today):
        text = repo.stored_forecast(result_key(version, call.parts, EVERYTHING, EVERYTHING))
        if text is not None:
            ok, value = typed_json.loads(text, load_settings(url).database_url)
            assert ok
            found[call.parts] = value
    return found


def _overview_keys(engine) -> set[str]:
    """Returns the keys of the stored Overview results."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT key FROM stored_forecasts").all()
    return {key for (key,) in rows if key.startswith("overview:")}


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_stored_results_equal_the_computed_ones(kind, tiny_demo_copy):
    url = tiny_demo_copy(kind)
    engine = make_engine(url)
    settings = load_settings(url)
    count = refresh_stored_overview(engine, settings)
    repo = Repository(engine)
    computed = compute_overview(repo, settings, datetime.now(UTC).date())
    assert count == len(computed) >= 12  # every call of the default Overview and review
    stored = _stored(repo, url)
    assert list(stored) == list(computed)
    for parts, value in computed.items():
        assert_same(stored[parts], value, parts[0])
    assert len(_overview_keys(engine)) == count
    assert repo.stored_forecast(next(iter(_overview_keys(engine)))) is not None
    engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_an_import_leaves_no_stale_result_and_stores_the_new_ones(kind, tiny_demo_copy, tmp_path):
    url = tiny_demo_copy(kind)
    engine = make_engine(url)
    settings = load_settings(url)
    repo = Repository(engine)
    refresh_stored_overview(engine, settings)
    before, version = _stored(repo, url), repo.data_version()
    last = repo.data_bounds()["last"]
    csv = Path(tmp_path / "won.csv")
    csv.write_text(CSV.format(created=last.replace(day=1), closed=last), encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "salesforce", str(csv), "--url", url])
    assert result.exit_code == 0, result.output
    assert repo.data_version() != version
    # Nothing of the old data is kept: every stored Overview key is one of the new data's...
    new = {
        result_key(repo.data_version(), call.parts, EVERYTHING, EVERYTHING)
        for call in stored_calls(repo, settings, datetime.now(UTC).date())
    }
    assert _overview_keys(engine) == new
    # ...and the import stored the new data's results, equal to computed ones.
    after = _stored(repo, url)
    computed = compute_overview(repo, settings, datetime.now(UTC).date())
    assert list(after) == list(computed)
    for parts, value in computed.items():
        assert_same(after[parts], value, parts[0])
    bookings = next(p for p in after if p[0].endswith("bookings_vs_quota"))
    assert after[bookings][0].booked.value != before[bookings][0].booked.value
    engine.dispose()


def test_results_of_data_that_changed_meanwhile_are_not_written(tiny_demo_copy):
    url = tiny_demo_copy("sqlite")
    engine = make_engine(url)
    assert refresh_stored_overview(engine, load_settings(url)) > 0
    kept = _overview_keys(engine)
    assert replace_stored_results(engine, "an older version", {"overview:k": "{}"}) == 0
    assert _overview_keys(engine) == kept
    engine.dispose()
