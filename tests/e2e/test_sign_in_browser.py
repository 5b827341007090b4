"""Browser: real OIDC sign-in against a local provider, each role, downloads, sign-out, faults.

The provider is oidc-provider-mock served on 127.0.0.1 by the test; the app runs with an
[auth] section pointing at it. Signing in means the real flow: the app's Sign in button,
Streamlit's /auth/login redirect, the provider's authorize form (the email typed as the
subject, which the mock releases as the `email` claim), the callback and the signed cookie.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from salesops.access.users import User, add_user, remove_user
from salesops.config import Settings
from salesops.db import schema as s
from salesops.db.engine import make_engine
from tests.e2e.conftest import free_port, serve_app, wait_for_app, wait_for_tiles
from tests.e2e.settle import wait_settled

pytestmark = pytest.mark.e2e

COOKIE_SECRET = "e2e-cookie-secret-0123456789abcdef0123456789abcdef"
USER_COOKIE = "_streamlit_user"
PAGES = {
    "kpis": "KPIs",
    "forecast": "Forecast",
    "territory": "Territory balance",
    "time_allocation": "Rep time allocation",
    "pipeline_review": "Pipeline review",
    "plan": "Plan",
    "cash": "Order to cash",
}


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """Returns the base URL of a local OIDC provider (oidc-provider-mock) on 127.0.0.1."""
    import oidc_provider_mock
    import werkzeug.serving

    server = werkzeug.serving.make_server(
        "127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def company(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Returns a demo copy with one user per role and the names the checks need."""
    path = tmp_path_factory.mktemp("e2e_auth") / "auth.db"
    shutil.copy(make_url(demo_url).database, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with engine.connect() as conn:
        reps = pd.DataFrame(conn.execute(sa.select(s.reps.c.id, s.reps.c.name, s.reps.c.manager)))
    team = reps[reps["manager"] == "Manager A"]
    rep = int(team["id"].iloc[0])
    for user in (
        User("admin@example.com", "admin", name="Ada Admin"),
        User("leader@example.com", "leader"),
        User("manager@example.com", "manager", team="Manager A"),
        User("rep@example.com", "rep", rep_id=rep),
        User("analyst@example.com", "analyst"),
    ):
        add_user(engine, user, "e2e")
    return {
        "url": url,
        "engine": engine,
        "team": set(team["name"]),
        "others": set(reps["name"]) - set(team["name"]),
        "rep_name": reps.set_index("id").loc[rep, "name"],
        "other_rep": int(reps[reps["manager"] != "Manager A"]["id"].iloc[0]),
        "all": set(reps["name"]),
    }


@pytest.fixture(scope="module")
def signed_app(company, provider, tmp_path_factory) -> Iterator[str]:
    """Returns the URL of the app served with [auth] pointing at the local provider."""
    port = free_port()
    secrets = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{COOKIE_SECRET}"\n'
        'client_id = "salesops-e2e"\n'
        'client_secret = "e2e-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    yield from serve_app(company["url"], port, ("--secrets.files", str(secrets)))


def sign_in(page, app_url: str, subject: str) -> None:
    """Signs in through the real OIDC flow as `subject` (the mock releases it as email)."""
    page.goto(app_url)
    page.get_by_role("button", name="Sign in").click()
    page.locator('input[name="sub"]').wait_for(timeout=30_000)
    page.locator('input[name="sub"]').fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(app_url) + r"/?(\?.*)?$"), timeout=30_000)


def names_in(text: str, names: set[str]) -> set[str]:
    """Returns the names that occur in `text` as whole names ("Rep 1" is not in "Rep 12")."""
    return {n for n in names if re.search(re.escape(n) + r"(?![\w])", text)}


def _visible_downloads(page, tmp_path: Path, seen: set[str]) -> list[str]:
    texts = []
    buttons = page.locator('[data-testid="stDownloadButton"] button')
    for i in range(buttons.count()):
        button = buttons.nth(i)
        if not button.is_visible() or button.is_disabled():
            continue
        with page.expect_download(timeout=30_000) as info:
            button.click()
        name = info.value.suggested_filename
        if name in seen:
            continue
        seen.add(name)
        path = tmp_path / f"download_{len(seen)}"
        info.value.save_as(path)
        data = path.read_bytes()
        if data[:2] == b"PK":
            with zipfile.ZipFile(BytesIO(data)) as archive:
                texts += [archive.read(n).decode("utf-8-sig") for n in archive.namelist()]
        else:
            texts.append(data.decode("utf-8-sig", errors="replace"))
    return texts


# The Pipeline review's expanders holding download buttons (none at first paint, issue 21):
# (the expander's label, a button drawn once it is open)
LAZY_DOWNLOADS = (
    ("How each deal's change is attributed, and the waterfall as CSV", "Download CSV"),
    ("Download the meeting pack", "Download HTML + CSVs (zip)"),
)


def downloads_on(page, tmp_path: Path, others: set[str]) -> list[str]:
    """Clicks every download button in every tab; returns each file's text (zips unpacked).

    A tab's content is drawn when it is opened (lazy tabs): once it has settled, no name in
    `others` may be on the page.
    """
    seen: set[str] = set()
    texts = _visible_downloads(page, tmp_path, seen)
    tabs = page.locator('[data-baseweb="tab"]')
    for i in range(tabs.count()):
        label = tabs.nth(i).inner_text().strip()
        tabs.nth(i).click()
        wait_settled(page, label)
        body = page.locator("body").inner_text()
        assert not names_in(body, others), f"the {label} tab shows another team's rep"
        texts += _visible_downloads(page, tmp_path, seen)
    return texts


@pytest.mark.parametrize("role", ["admin", "leader", "manager", "rep", "analyst"])
def test_each_role_signs_in_and_sees_its_overview(signed_app, page, screenshot, company, role):
    sign_in(page, signed_app, f"{role}@example.com")
    wait_for_app(page, "Sales operations overview")
    wait_for_tiles(page, "Win rate", *(["Team win rate"] if role == "rep" else []))
    wait_for_app(page, "Go deeper")
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert f"({role})" in sidebar and "Sign out" in sidebar
    assert page.locator('[data-testid="stException"]').count() == 0
    body = page.locator("body").inner_text()
    if role in ("manager", "rep"):
        assert "Data" not in page.locator('[data-testid="stSidebarNav"]').inner_text()
        allowed = company["team"] if role == "manager" else {company["rep_name"]}
        assert not names_in(body, company["all"] - allowed)
    if role == "rep":
        assert "Team win rate" in body and "Your win rate" in body
    screenshot(page, f"overview_signed_in_{role}")


def test_a_manager_sees_only_their_team_on_every_page_and_download(
    signed_app, page, company, tmp_path
):
    sign_in(page, signed_app, "manager@example.com")
    wait_for_app(page, "Sales operations overview")
    for path, title in PAGES.items():
        page.goto(f"{signed_app}/{path}")
        wait_for_app(page, title)
        assert page.locator('[data-testid="stException"]').count() == 0, path
        body = page.locator("body").inner_text()
        assert not names_in(body, company["others"]), f"{path} shows another team's rep"
        if path == "pipeline_review":  # its downloads are drawn when their expanders open
            for label, button in LAZY_DOWNLOADS:
                page.get_by_text(label).click()
                page.get_by_role("button", name=button).first.wait_for()
        downloads = downloads_on(page, tmp_path, company["others"])
        for text in downloads:
            assert not names_in(text, company["others"]), f"a {path} download shows another team"
        if path == "pipeline_review":
            pack = downloads
    # The meeting pack (HTML, PDF, zip of CSVs) is built from the same limited repository.
    assert any("<html" in text.lower() for text in pack)
    shown = set().union(*(names_in(text, company["all"]) for text in pack))
    assert shown and shown <= company["team"]


def test_a_rep_cannot_reach_another_reps_deals_by_editing_the_url(signed_app, page, company):
    sign_in(page, signed_app, "rep@example.com")
    wait_for_app(page, "Sales operations overview")
    for path in ("kpis", "pipeline_review", "time_allocation"):
        page.goto(f"{signed_app}/{path}?rep={company['other_rep']}&by=rep")
        wait_for_app(page, PAGES[path])
        body = page.locator("body").inner_text()
        assert not names_in(body, company["all"] - {company["rep_name"]}), path
        assert page.locator('[data-testid="stException"]').count() == 0


def test_an_analyst_has_no_import_controls_and_a_crafted_upload_is_refused(
    signed_app, page, company
):
    sign_in(page, signed_app, "analyst@example.com")
    page.goto(f"{signed_app}/data")
    wait_for_app(page, "Data quality")
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert "Imports are for admins" in page.locator("body").inner_text()
    with company["engine"].connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(s.import_batches)).scalar()
    # A hand-made upload request from the analyst's browser (cookies included): the server
    # refuses it, and nothing is imported.
    status = page.evaluate(
        """async (url) => {
            const body = new FormData();
            body.append("file", new Blob(["Opportunity ID,Amount\\n1,2\\n"]), "deals.csv");
            const answer = await fetch(url, {method: "PUT", body, credentials: "include"});
            return answer.status;
        }""",
        f"{signed_app}/_stcore/upload_file/crafted-session/crafted-file",
    )
    assert status in (400, 403)
    with company["engine"].connect() as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(s.import_batches)).scalar()
    assert after == before


def test_sign_out_ends_the_session(signed_app, page):
    sign_in(page, signed_app, "leader@example.com")
    wait_for_app(page, "Sales operations overview")
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    end = page.get_by_role("button", name="End session")  # the provider's end-session page
    end.wait_for(timeout=30_000)
    end.click()
    page.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    assert not [c for c in page.context.cookies() if c["name"].startswith(USER_COOKIE)]
    page.goto(f"{signed_app}/kpis")  # a fresh visit is signed out too
    page.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stMetric"]').count() == 0


def test_an_unknown_email_gets_the_ask_an_admin_page(signed_app, page):
    sign_in(page, signed_app, "stranger@example.com")
    wait_for_app(page, "No access to salesops")
    body = page.locator("body").inner_text()
    assert "stranger@example.com has no access to salesops" in body
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0


def test_a_missing_email_claim_gets_a_clear_page(signed_app, provider, page):
    request = urllib.request.Request(
        f"{provider}/users/no-email-subject",
        data=json.dumps({"name": "No Email"}).encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=10).close()
    sign_in(page, signed_app, "no-email-subject")
    wait_for_app(page, "No access to salesops")
    assert "did not send an email address" in page.locator("body").inner_text()
    assert page.locator('[data-testid="stMetric"]').count() == 0


def _signed(app_url: str, email: str, age_seconds: float = 0) -> str:
    """Returns a user cookie signed with the app's secret, as if issued `age_seconds` ago."""
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class Backdated(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age_seconds)

    serializer = URLSafeTimedSerializer(COOKIE_SECRET, salt=USER_COOKIE, signer=Backdated)
    user = {"email": email, "origin": app_url, "is_logged_in": True, "provider": "default"}
    return serializer.dumps(json.dumps(user))


def _visit_with_cookie(browser, app_url: str, value: str):
    """Returns a page of a fresh browser context that holds only this user cookie."""
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    context.add_cookies([{"name": USER_COOKIE, "value": value, "url": app_url}])
    page = context.new_page()
    page.goto(app_url)
    return page


def test_a_tampered_or_expired_cookie_shows_the_sign_in_page(signed_app, browser):
    # The forged cookie format is right: signed now with the app's secret, it signs in...
    page = _visit_with_cookie(browser, signed_app, _signed(signed_app, "admin@example.com"))
    wait_for_app(page, "Sales operations overview")
    page.context.close()
    # ...tampered (payload swapped, signature edited) or too old, it shows the sign-in page.
    good = _signed(signed_app, "analyst@example.com")
    # [payload, timestamp, signature]; a compressed payload starts with its own ".".
    admin_payload = _signed(signed_app, "admin@example.com").rsplit(".", 2)[0]
    swapped = ".".join([admin_payload, *good.rsplit(".", 2)[1:]])
    expired = _signed(signed_app, "admin@example.com", age_seconds=40 * 86400)
    for value in (swapped, good[:-3] + "AAA", expired):
        page = _visit_with_cookie(browser, signed_app, value)
        page.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
        assert page.locator('[data-testid="stMetric"]').count() == 0
        assert page.locator('[data-testid="stException"]').count() == 0
        page.context.close()


def test_a_user_removed_while_signed_in_loses_access_at_the_next_step(signed_app, page, company):
    add_user(company["engine"], User("temp@example.com", "leader"), "e2e")
    sign_in(page, signed_app, "temp@example.com")
    wait_for_app(page, "Sales operations overview")
    remove_user(company["engine"], "temp@example.com", "e2e")
    time.sleep(Settings().access_recheck_seconds + 1)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("KPIs").click()
    wait_for_app(page, "No access to salesops")
    assert page.locator('[data-testid="stMetric"]').count() == 0
