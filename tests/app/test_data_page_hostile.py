"""Issue 20's import cases on the Data page: a sentence on the page, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from salesops.db.engine import init_schema, make_engine
from salesops.importing.known import table_counts
from salesops.ui.data import UPLOAD_OPEN
from tests.app.conftest import older_schema_copy

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "data.py")
HEADER = b"Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,Close Date,Stage,Amount\n"  # noqa: E501
GOOD = b"006A,Alpha,Acme Inc.,Ann Lee,2024-01-05,2024-02-01,Closed Won,1000\n"


@pytest.fixture
def fresh_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    init_schema(make_engine(url))
    return url


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [s.value for s in at.success]
    # as read: without the Markdown escapes salesops.ui.markdown.md adds to file text
    return "\n".join(str(p) for p in parts).replace("\\", "")


def problems(at):
    return next(d.value for d in at.dataframe if "expected" in d.value.columns)


def open_upload(at):
    """Opens the source and file pickers (drawn when opened, issue 21); reruns `at`."""
    at.session_state[UPLOAD_OPEN] = True
    return at.run()


def upload_mapping(at, name: str, text: str):
    open_upload(at)
    at.selectbox(key="data.source").set_value("generic").run()
    at.file_uploader(key="data.mapping").upload(name, text.encode(), "application/yaml").run()
    return at


def test_case_6_a_mapping_file_of_nested_aliases_is_refused_on_the_page(run_page, fresh_url):
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    at = upload_mapping(run_page(PAGE, fresh_url), "laughs.yaml", "\n".join(lines))
    assert not at.exception
    assert "Mapping file laughs.yaml uses a YAML alias (*a0) on line 2" in texts(at)


def test_case_11_placeholder_date_9999_is_listed_as_a_row_problem(run_page, fresh_url):
    content = HEADER + GOOD + b"006B,Beta,Acme,Ann,2024-01-05,9999-12-31,Prospecting,1\n"
    at = open_upload(run_page(PAGE, fresh_url))
    at.file_uploader(key="data.files").upload("far.csv", content, "text/csv").run()
    assert not at.exception
    row = problems(at).iloc[0]
    assert (row["row"], row["column"], row["value"]) == (3, "Close Date", "9999-12-31")
    assert not [b for b in at.button if b.key == "data.confirm"]


def test_case_12_an_unclosed_quote_names_the_file_and_row_on_the_page(run_page, fresh_url):
    content = HEADER + GOOD + b'006B,"Beta,Acme,Ann,2024-01-05,2024-02-01,Closed Won,1\n' + GOOD
    at = open_upload(run_page(PAGE, fresh_url))
    at.file_uploader(key="data.files").upload("quote.csv", content, "text/csv").run()
    assert not at.exception
    assert (
        problems(at)
        .iloc[0]["expected"]
        .startswith("quote.csv row 3: a quote opened in this row is never closed")
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("entity: [leads\n", "Mapping file map.yaml is not valid YAML (line 2, column 1)"),
        ("!!python/object/apply:os.system ['true']\n", "Mapping file map.yaml uses a YAML tag"),
        (
            "entity: leads\ncolumns: {external_id: id, created_at: c}\nrequired: 5\n",
            "Mapping file map.yaml: 'required' must be a list of target fields, not 5.",
        ),
    ],
    ids=["bad_yaml", "python_tag", "required_5"],
)
def test_case_13_broken_mapping_files_are_one_sentence_on_the_page(
    run_page, fresh_url, text, expected
):
    at = upload_mapping(run_page(PAGE, fresh_url), "map.yaml", text)
    assert not at.exception
    assert expected in texts(at)


def test_case_15_uploading_against_a_database_without_tables(run_page, tmp_path):
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    make_engine(url).dispose()  # the file exists, the tables do not
    at = run_page(PAGE, url)
    assert not at.exception
    assert "The database has no salesops tables yet: importing a file creates them" in texts(at)
    at.file_uploader(key="data.files").upload("opps.csv", HEADER + GOOD, "text/csv").run()
    assert not at.exception
    at.button(key="data.confirm").click().run()
    assert not at.exception
    assert "Imported 1 new and 0 updated rows" in texts(at)
    assert table_counts(make_engine(url))["opportunities"] == 1


@pytest.mark.parametrize("page", ["data.py", "forecast.py"])
def test_case_15_older_schema_shows_the_migration_notice(run_page, demo_url, tmp_path, page):
    old = older_schema_copy(demo_url, tmp_path, "rollup_history_spans", 2)
    at = run_page(str(ROOT / "pages" / page), old)
    assert not at.exception
    notices = [w.value for w in at.warning]
    assert any("Database needs migration" in n and "salesops db upgrade" in n for n in notices)
    with make_engine(old).connect() as conn:
        assert "rollup_history_spans" not in sa.inspect(conn).get_table_names()  # not migrated
