"""AppTest: an admin undoes the newest import on the Data page; other roles are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from salesops.access import audit
from salesops.db import schema as s
from salesops.db.engine import init_schema, make_engine
from salesops.importing.known import table_counts
from salesops.importing.reading import CsvInput
from salesops.importing.report import import_files
from salesops.ui.cache import clear_cache
from tests.app.test_sign_in_pages import AUTH, company  # noqa: F401 - the shared fixture

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "data.py")
CSV = (
    b"Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,Close Date,"
    b"Stage,Amount\n006A,Alpha,Acme Inc.,Ann Lee,2024-01-05,2024-02-01,Closed Won,1000\n"
)


def test_an_admin_undoes_the_newest_import_on_the_data_page(run_page, tmp_path):
    url = f"sqlite:///{tmp_path / 'undo.db'}"
    engine = make_engine(url)
    init_schema(engine)
    outcome = import_files(engine, [CsvInput("opps.csv", CSV)], "salesforce")
    assert outcome.written
    at = run_page(PAGE, url)
    assert not at.exception
    at.session_state["data.tabs"] = "Undo an import"  # its tab: drawn when open
    at.run()
    button = next(b for b in at.button if b.key == "data.undo")
    assert button.label == f"Undo batch {outcome.batch}"
    button.click().run()
    assert not at.exception
    assert [m.value for m in at.success][-1].startswith(f"Undid batch {outcome.batch}:")
    assert table_counts(engine)["opportunities"] == 0
    entry = audit.recent(engine, 1).iloc[0]
    assert (entry["action"], entry["target"]) == (audit.UNDID, f"batch {outcome.batch}")


CRAFTED_UNDO = """
import streamlit as st
from salesops.access import AccessDenied
from salesops.ui.data_entities import run_undo

# What a crafted request would reach if it got past the page: the undo itself.
try:
    run_undo(BATCH)
    st.write("undone")
except AccessDenied as refused:
    st.error(str(refused))
"""


@pytest.mark.parametrize("email", ["analyst@example.com", "leader@example.com"])
def test_undo_refuses_non_admins_on_the_server(company, monkeypatch, email):  # noqa: F811
    engine = company["engine"]
    outcome = import_files(engine, [CsvInput(f"{email}.csv", CSV)], "salesforce", force=True)
    assert outcome.written, outcome.message
    monkeypatch.setenv("SALESOPS_DATABASE_URL", company["url"])
    clear_cache()
    before = table_counts(engine)
    at = AppTest.from_string(CRAFTED_UNDO.replace("BATCH", str(outcome.batch)), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email}
    at.run()
    role = email.split("@")[0]
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"Your role ({role}) may not import or undo data: ask an admin."
    ]
    assert table_counts(engine) == before
    with engine.connect() as conn:
        status = conn.execute(
            sa.select(s.import_runs.c.status).where(s.import_runs.c.id == outcome.batch)
        ).scalar()
    assert status == "imported"
