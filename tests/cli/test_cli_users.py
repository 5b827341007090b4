"""`salesops users add|list|set|remove`: JSON contract, exact error sentences, audit entries."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from salesops.access import audit
from salesops.cli import app
from salesops.db.engine import make_engine

runner = CliRunner()


@pytest.fixture
def url(demo_url: str, tmp_path: Path) -> str:
    """Returns a private copy of the demo database (user changes must not leak to others)."""
    copy = tmp_path / "users.db"
    shutil.copy(make_url(demo_url).database, copy)
    return f"sqlite:///{copy}"


def run(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["users", *args, "--url", url])
    return result.exit_code, result.stdout, result.stderr


def listed(url: str) -> list[dict]:
    code, out, err = run(url, "list", "--format", "json")
    assert code == 0, err
    return json.loads(out)["users"]


def test_add_list_set_remove(url):
    assert run(url, "add", "Boss@Example.COM", "--role", "admin", "--name", "Boss")[0] == 0
    code, out, _ = run(url, "add", "m@example.com", "--role", "manager", "--team", "Manager A")
    assert code == 0 and out.strip() == "Added m@example.com: manager (team Manager A)"
    assert run(url, "add", "r@example.com", "--role", "rep", "--rep", "3")[0] == 0
    assert run(url, "add", "a@example.com", "--role", "analyst")[0] == 0
    users = {u["email"]: u for u in listed(url)}
    assert set(users) == {"boss@example.com", "m@example.com", "r@example.com", "a@example.com"}
    assert users["boss@example.com"] == {
        "email": "boss@example.com",
        "name": "Boss",
        "role": "admin",
        "team": None,
        "territory_ids": [],
        "rep_id": None,
        "active": True,
    }
    assert users["r@example.com"]["rep_id"] == 3
    code, out, _ = run(url, "set", "m@example.com", "--territories", "2,1", "--inactive")
    assert code == 0, out
    changed = {u["email"]: u for u in listed(url)}["m@example.com"]
    assert changed["territory_ids"] == [1, 2] and changed["active"] is False
    assert run(url, "remove", "a@example.com")[0] == 0
    assert "a@example.com" not in {u["email"] for u in listed(url)}
    log = audit.recent(make_engine(url), 20)
    assert list(log["action"])[::-1] == [
        audit.USER_ADDED,
        audit.USER_ADDED,
        audit.USER_ADDED,
        audit.USER_ADDED,
        audit.USER_CHANGED,
        audit.USER_REMOVED,
    ]
    assert log["actor"].str.startswith("cli").all()
    assert "inactive" in log.iloc[1]["detail"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "not-an-email", "--role", "admin"], "'not-an-email' is not an email address."),
        (
            ["add", "x@example.com", "--role", "boss"],
            "Unknown role 'boss': use one of admin, leader, manager, rep, analyst.",
        ),  # fmt: skip
        (["add", "x@example.com"], "--role is required: admin, leader, manager, rep or analyst."),
        (
            ["add", "x@example.com", "--role", "manager"],
            "A manager needs a team (--team) or territories (--territories).",
        ),  # fmt: skip
        (["add", "x@example.com", "--role", "rep"], "A rep needs the rep they are (--rep ID)."),
        (["add", "x@example.com", "--role", "rep", "--rep", "99999"], "No rep with id 99999."),
        (
            ["add", "x@example.com", "--role", "manager", "--team", "Nobody"],
            "No rep has manager 'Nobody': check the team name.",
        ),  # fmt: skip
        (
            ["add", "x@example.com", "--role", "manager", "--territories", "1,x"],
            "Territories must be ids separated by commas, not '1,x'.",
        ),  # fmt: skip
        (
            ["add", "x@example.com", "--role", "manager", "--territories", "999"],
            "No territory with id 999.",
        ),  # fmt: skip
        (
            ["add", "x@example.com", "--role", "analyst", "--rep", "3"],
            "A analyst sees everything: leave team, territories and rep empty.",
        ),  # fmt: skip
        (
            ["set", "nobody@example.com", "--role", "admin"],
            "nobody@example.com is not a user: add them with `users add`.",
        ),  # fmt: skip
        (["remove", "nobody@example.com"], "nobody@example.com is not a user."),
        (
            ["set", "nobody@example.com"],
            "Nothing to change: give --role, --team, --territories, "
            "--rep, --name or --active/--inactive.",
        ),  # fmt: skip
    ],
)
def test_bad_input_is_one_sentence_and_writes_nothing(url, args, message):
    code, _, err = run(url, *args)
    assert code == 1
    assert err.strip() == f"Error: {message}"
    assert listed(url) == []


def test_the_last_admin_cannot_be_removed_or_demoted(url):
    run(url, "add", "boss@example.com", "--role", "admin")
    code, _, err = run(url, "remove", "boss@example.com")
    assert code == 1 and "is the last active admin" in err
    assert run(url, "set", "boss@example.com", "--inactive")[0] == 1
    assert run(url, "add", "two@example.com", "--role", "admin")[0] == 0
    assert run(url, "set", "boss@example.com", "--role", "leader")[0] == 0


def test_a_duplicate_email_any_case_is_refused(url):
    run(url, "add", "ann@example.com", "--role", "leader")
    code, _, err = run(url, "add", "ANN@example.com", "--role", "admin")
    assert code == 1
    assert err.strip() == "Error: ann@example.com is already a user: change it with `users set`."


def test_a_database_without_the_users_table_asks_for_an_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'nothing.db'}"
    code, _, err = run(url, "list")
    assert code == 1
    assert err.startswith("Error: The database (") and err.strip().endswith(
        "has no salesops tables: run `salesops db init` (or `salesops demo` for a demo company)."
    )
