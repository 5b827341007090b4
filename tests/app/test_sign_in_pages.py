"""Pages with sign-in on ([auth] in secrets): who sees what, and the refusal pages.

AppTest seeds `st.user` the way Streamlit does after a real OIDC sign-in (tests/e2e runs
the real flow against a local provider). Each case checks what is drawn and that no data
of another rep, team or the whole company reaches the page.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from salesops.access.users import User, add_user, remove_user
from salesops.config import Settings
from salesops.db import schema as s
from salesops.db.engine import make_engine
from salesops.ui.cache import clear_cache
from salesops.ui.data import UPLOAD_LABEL, UPLOAD_OPEN
from tests.app.conftest import FILTERS_OPEN, html_tiles, shown

ROOT = Path(__file__).resolve().parents[2]
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret-not-for-production",
    "client_id": "salesops",
    "client_secret": "not-a-secret",
    # Nothing listens on port 9: the sign-in page must say the provider can't be reached.
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


@pytest.fixture(scope="module")
def company(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Returns the URL of a demo copy with one user per role, and the facts tests check."""
    path = tmp_path_factory.mktemp("signin") / "signin.db"
    shutil.copy(make_url(demo_url).database, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with engine.connect() as conn:
        reps = pd.DataFrame(conn.execute(sa.select(s.reps.c.id, s.reps.c.name, s.reps.c.manager)))
    team = reps[reps["manager"] == "Manager A"]
    rep = int(team["id"].iloc[0])
    for user in (
        User("admin@example.com", "admin"),
        User("leader@example.com", "leader"),
        User("analyst@example.com", "analyst"),
        User("manager@example.com", "manager", team="Manager A"),
        User("rep@example.com", "rep", rep_id=rep),
        User("off@example.com", "leader", active=False),
    ):
        add_user(engine, user, "test")
    yield {
        "url": url,
        "engine": engine,
        "team_names": set(team["name"]),
        "rep": rep,
        "rep_name": reps.set_index("id").loc[rep, "name"],
        "other_rep": int(reps[reps["manager"] != "Manager A"]["id"].iloc[0]),
        "all_names": set(reps["name"]),
    }


@pytest.fixture
def signed_in(company, monkeypatch) -> Callable[..., AppTest]:
    """Returns run(path, email | None, query=None) -> AppTest after one run, signed in."""

    def run(
        path: str,
        email: str | None,
        query: dict | None = None,
        logged_in: bool = True,
        state: dict | None = None,
    ):
        monkeypatch.setenv("SALESOPS_DATABASE_URL", company["url"])
        clear_cache()
        at = AppTest.from_file(str(ROOT / path), default_timeout=120)
        at.secrets["auth"] = AUTH
        user: dict = {"is_logged_in": logged_in}
        if email is not None:
            user["email"] = email
        at.user = user
        for key, value in (query or {}).items():
            at.query_params[key] = value
        for key, value in (state or {}).items():
            at.session_state[key] = value
        return at.run()

    return run


def _texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error)]
    return " ".join(str(p) for p in parts)


def _frames(at: AppTest) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def _no_data(at: AppTest) -> None:
    assert not at.exception
    assert len(at.metric) == 0 and len(at.dataframe) == 0 and not html_tiles(at)


def test_signed_out_sees_the_sign_in_page_and_no_data(signed_in):
    at = signed_in("pages/overview.py", None, logged_in=False)
    _no_data(at)
    assert at.title[0].value == "salesops"
    # The provider does not answer: a clear sentence and a retry, not a redirect to nowhere.
    assert "The sign-in provider (127.0.0.1:9) cannot be reached" in _texts(at)
    assert at.button(key="auth.retry_default")


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("stranger@example.com", "stranger@example.com has no access to salesops."),
        ("off@example.com", "Access for off@example.com is switched off."),
        (None, "did not send an email address"),
    ],
)
def test_unknown_inactive_or_anonymous_people_are_asked_to_see_an_admin(signed_in, email, expected):
    for page in ("pages/kpis.py", "pages/pipeline_review.py", "pages/data.py"):
        at = signed_in(page, email)
        _no_data(at)
        assert at.title[0].value == "No access to salesops"
        assert expected in _texts(at) and "Ask an admin" in _texts(at)
        assert at.button(key="auth.sign_out_refused")


def test_a_user_removed_while_signed_in_loses_access(signed_in, company):
    add_user(company["engine"], User("temp@example.com", "leader"), "test")
    assert html_tiles(signed_in("pages/kpis.py", "temp@example.com"))
    remove_user(company["engine"], "temp@example.com", "test")
    time.sleep(Settings().access_recheck_seconds + 0.5)  # the role is looked up again
    at = signed_in("pages/kpis.py", "temp@example.com")
    _no_data(at)
    assert "temp@example.com has no access" in _texts(at)


def _rep_names_shown(at: AppTest, company: dict) -> set[str]:
    names: set[str] = set()
    for frame in _frames(at):
        for column in ("rep", "name"):
            if column in frame.columns:
                names |= {n for n in frame[column].dropna() if n in company["all_names"]}
    return names


def test_a_manager_sees_only_their_team_on_the_kpis_page(signed_in, company):
    at = signed_in(
        "pages/kpis.py",
        "manager@example.com",
        state={"kpis.tabs": "Breakdowns", "kpis.by": "rep", FILTERS_OPEN: True},
    )
    assert not at.exception
    assert set(at.multiselect(key="filters.rep").options) == company["team_names"]
    breakdown = _frames(at)[0]
    assert set(breakdown["name"]) == company["team_names"]


def test_a_rep_cannot_reach_another_reps_deals_by_editing_the_url(signed_in, company):
    at = signed_in(
        "pages/kpis.py",
        "rep@example.com",
        {"rep": str(company["other_rep"])},
        state={"kpis.tabs": "Breakdowns", "kpis.by": "rep", FILTERS_OPEN: True},
    )
    assert not at.exception
    assert _rep_names_shown(at, company) == {company["rep_name"]}
    assert at.multiselect(key="filters.rep").options == [company["rep_name"]]


def test_a_rep_sees_team_totals_on_the_overview_without_names(signed_in, company):
    at = signed_in("pages/overview.py", "rep@example.com")
    assert not at.exception
    labels = set(html_tiles(at))  # HTML tiles, no st.metric (issue 21)
    assert {"Your win rate", "Team win rate", "Your bookings", "Team bookings"} <= labels
    others = company["all_names"] - {company["rep_name"]}
    assert not any(name in _texts(at) for name in others)
    assert "Your deals (1 rep)" in _texts(at) and "Whole company" not in _texts(at)


def test_an_analyst_has_no_import_controls(signed_in):
    at = signed_in("pages/data.py", "analyst@example.com")
    assert not at.exception
    assert not at.get("file_uploader")
    assert UPLOAD_LABEL not in [e.label for e in at.expander]
    assert "Imports are for admins: your role (analyst) reads the data only." in _texts(at)
    assert not [b for b in at.button if b.key == "data.confirm"]
    assert "Users and roles" not in [t.label for t in at.tabs]


def test_a_manager_gets_no_whole_company_lists_on_the_data_page(signed_in):
    at = signed_in("pages/data.py", "manager@example.com")
    assert not at.exception
    assert len(at.dataframe) == 0
    assert "The Data page covers the whole company" in _texts(at)


def test_an_admin_manages_users_and_reads_the_audit_log(signed_in):
    at = signed_in("pages/data.py", "admin@example.com")
    assert not at.exception
    assert {"Users and roles", "Audit log"} <= {t.label for t in at.tabs}
    at.session_state["data.tabs"] = "Audit log"  # each tab is drawn when open
    at.run()
    assert "Audit log" in [h.value for h in at.subheader]
    at.session_state["data.tabs"] = "Users and roles"
    at.run()
    assert not at.exception
    assert "Users and roles" in [h.value for h in at.subheader]
    users = next(f for f in _frames(at) if "email" in f.columns)
    assert "manager@example.com" in set(users["email"])
    assert UPLOAD_LABEL in [e.label for e in at.expander]  # the pickers, drawn when opened
    at.session_state[UPLOAD_OPEN] = True
    at.run()
    assert not at.exception
    assert at.get("file_uploader")


def test_without_auth_the_app_is_single_user_and_says_so(company, monkeypatch):
    monkeypatch.setenv("SALESOPS_DATABASE_URL", company["url"])
    clear_cache()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    assert any("Single-user mode" in c.value for c in at.sidebar.caption)


def test_sidebar_names_the_signed_in_person_with_a_sign_out(signed_in):
    at = signed_in("app.py", "leader@example.com")
    assert not at.exception
    assert any(
        "Signed in as leader@example.com (leader)" in shown(c.value) for c in at.sidebar.caption
    )
    assert at.sidebar.button(key="auth.sign_out")


def test_cached_results_are_kept_per_viewer_scope(company):
    from salesops.repository import EVERYTHING, Repository, Scope
    from salesops.ui import cache

    clear_cache()
    cache.CACHED_FUNCTIONS["tests.reps"] = Repository.reps
    url, version = company["url"], "v"
    everyone, _ = cache._cached(url, version, EVERYTHING, EVERYTHING, "tests.reps", (), ())
    mine = Scope(rep_ids=(company["rep"],))
    limited, _ = cache._cached(url, version, mine, mine, "tests.reps", (), ())
    assert len(everyone) > 1  # the first viewer's cached result is not served to the second
    assert limited["id"].tolist() == [company["rep"]]


CRAFTED_IMPORT = """
import streamlit as st
from salesops.access import AccessDenied
from salesops.importing.reading import CsvInput, ReadSettings
from salesops.ui import data as ui

# What a crafted request would reach if it got past the page: the import writer itself.
files = [CsvInput(name="deals.csv", data=b"Opportunity ID,Amount\\n1,2\\n")]
options = {"as_of": None, "duplicates": "error", "valid_rows_only": False, "force": True}
try:
    ui.run_import(files, "salesforce", ReadSettings(), options, None)
    st.write("imported")
except AccessDenied as refused:
    st.error(str(refused))
"""

CRAFTED_USER_CHANGE = """
import streamlit as st
from salesops.access import AccessDenied
from salesops.access.users import User, add_user
from salesops.ui.users import _engine, _run

try:
    _run("added", lambda v: add_user(_engine(), User("mole@example.com", "admin"), v.email))
    st.write("changed")
except AccessDenied as refused:
    st.error(str(refused))
"""


@pytest.mark.parametrize("script", [CRAFTED_IMPORT, CRAFTED_USER_CHANGE])
@pytest.mark.parametrize("email", ["analyst@example.com", "leader@example.com"])
def test_write_paths_refuse_non_admins_on_the_server(company, monkeypatch, script, email):
    monkeypatch.setenv("SALESOPS_DATABASE_URL", company["url"])
    clear_cache()
    with company["engine"].connect() as conn:
        before = (
            conn.execute(sa.select(sa.func.count()).select_from(s.import_batches)).scalar(),
            conn.execute(sa.select(sa.func.count()).select_from(s.users)).scalar(),
        )
    at = AppTest.from_string(script, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email}
    at.run()
    role = email.split("@")[0]
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"Your role ({role}) may not "
        + ("import or undo data" if "run_import" in script else "manage users")
        + ": ask an admin."
    ]
    assert not [m for m in at.markdown if m.value in ("imported", "changed")]
    with company["engine"].connect() as conn:
        after = (
            conn.execute(sa.select(sa.func.count()).select_from(s.import_batches)).scalar(),
            conn.execute(sa.select(sa.func.count()).select_from(s.users)).scalar(),
        )
    assert after == before


def test_an_admin_adds_a_user_on_the_data_page_and_the_audit_log_shows_it(signed_in, company):
    at = signed_in("pages/data.py", "admin@example.com", state={"data.tabs": "Users and roles"})
    at.text_input(key="data.user_email").set_value("new.analyst@example.com")
    at.selectbox(key="data.user_role").set_value("analyst")
    next(b for b in at.button if b.label == "Add user").click()
    at.run()
    assert not at.exception
    assert "Added new.analyst@example.com." in [e.value for e in at.success]
    at.session_state["data.tabs"] = "Audit log"  # its tab: drawn when open
    at.run()
    audit_frame = next(f for f in _frames(at) if "actor" in f.columns)
    latest = audit_frame.iloc[0]
    assert (latest["actor"], latest["action"], latest["target"]) == (
        "admin@example.com",
        "user added",
        "new.analyst@example.com",
    )
