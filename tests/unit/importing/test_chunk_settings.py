"""History files are read in smaller chunks than other files (their rows cost more to check)."""

from __future__ import annotations

from salesops.importing import pipeline
from salesops.importing.pipeline import chunk_settings, plan_headers
from salesops.importing.reading import CsvInput, ReadSettings
from tests.unit.importing.conftest import sf

HISTORY = (
    "Id,OpportunityId,CreatedDate,StageName,Amount,CloseDate\n"
    "008A,006A,2024-01-01T10:00:00.000+0000,Prospecting,100,2024-02-01\n"
)


def test_history_files_are_read_in_smaller_chunks():
    settings = ReadSettings(chunk_rows=50_000)
    [history] = plan_headers(
        [CsvInput("history.csv", HISTORY.encode())], "salesforce", settings=settings
    )
    assert history.plan is not None and history.plan.layout.entity == "opportunity_history"
    chunked = chunk_settings(history.plan, settings)
    assert chunked.chunk_rows == pipeline.HISTORY_CHUNK_ROWS < 50_000
    assert chunked.date_format == settings.date_format
    small = ReadSettings(chunk_rows=100)
    assert chunk_settings(history.plan, small).chunk_rows == 100  # never more than asked


def test_other_files_keep_their_chunk_rows():
    settings = ReadSettings(chunk_rows=50_000)
    [deals] = plan_headers([sf("006A,Deal,Acme,Ann,2024-01-01,2024-02-01,Closed Won,100")],
                           "salesforce", settings=settings)  # fmt: skip
    assert deals.plan is not None and deals.plan.layout.entity == "opportunities"
    assert chunk_settings(deals.plan, settings) is settings
