"""`salesops review`: JSON contract, meeting pack file, exact error sentences."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from salesops.cli import app
from salesops.config import Settings
from salesops.formatting import format_money
from salesops.pipeline_review.deal_lists import LIST_NAMES
from salesops.pipeline_review.movements import MOVEMENTS
from salesops.pipeline_review.waterfall import WATERFALL_STEPS

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["review", *args])


def test_review_json_has_the_design_shape_and_reconciles(demo_url):
    result = run("--week", "2026-11-09", "--format", "json", "--url", demo_url)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert {"week", "scope", "waterfall", "deals"} <= set(payload)
    assert payload["week"] == "2026-11-09" and payload["week_label"] == "2026-W46"
    w = payload["waterfall"]
    assert list(w) == list(WATERFALL_STEPS)
    assert round(w["opening"] + sum(w[k] for k in MOVEMENTS), 2) == w["closing"]
    for negative in ("decreased", "slipped", "won", "lost"):
        assert w[negative] <= 0
    assert payload["reconciles"] is True
    assert set(payload["deals"]) == set(LIST_NAMES)
    assert payload["deals"]["new"], "the demo has new deals every week"
    first = payload["deals"]["new"][0]
    assert {"opportunity_id", "name", "rep", "amount", "expected_close_date"} <= set(first)
    assert payload["coverage"]["total"]["reason"] in (None, "quota already met")


def test_review_json_lists_are_capped_and_counted(demo_url):
    week = ("--week", "2026-11-09", "--format", "json", "--url", demo_url)
    every = json.loads(run(*week, "--limit", "0").stdout)
    capped = json.loads(run(*week, "--limit", "2").stdout)
    default = json.loads(run(*week).stdout)
    assert every["limit"] is None and every["truncated"] == []
    assert every["counts"]["movements"] == len(every["movements"]) > 2
    for name, rows in every["deals"].items():
        assert every["counts"][name] == len(rows)
        assert capped["deals"][name] == rows[:2]
    assert capped["movements"] == every["movements"][:2]
    assert capped["counts"] == every["counts"]
    assert "movements" in capped["truncated"]
    assert capped["truncated"] == sorted(n for n, c in every["counts"].items() if c > 2)
    assert default["limit"] == Settings().review_rows_listed
    assert capped["waterfall"] == every["waterfall"] == default["waterfall"]


def test_review_takes_any_day_or_an_iso_week_and_a_scope(demo_url):
    by_day = json.loads(run("--week", "2026-11-12", "--format", "json", "--url", demo_url).stdout)
    by_iso = json.loads(run("--week", "2026-W46", "--format", "json", "--url", demo_url).stdout)
    assert by_day["waterfall"] == by_iso["waterfall"]
    one_rep = json.loads(
        run("--week", "2026-W46", "--rep", "3", "--format", "json", "--url", demo_url).stdout
    )
    assert one_rep["scope"]["kind"] == "rep" and one_rep["scope"]["value"] == 3
    assert one_rep["waterfall"]["opening"] < by_day["waterfall"]["opening"]
    assert {d["rep"] for d in one_rep["deals"]["stale"]} <= {one_rep["scope"]["label"]}


def test_review_table_output(demo_url):
    result = run("--week", "2026-11-09", "--url", demo_url)
    assert result.exit_code == 0
    assert "Opening pipeline" in result.stdout and "Closing pipeline" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--week", "notadate"],
            "Error: --week 'notadate' is not a week: give a date as YYYY-MM-DD",
        ),
        (
            ["--week", "2021-W53"],
            "Error: --week '2021-W53' is not a week: 2021 has no ISO week 53.",
        ),
        (["--rep", "99999"], "Error: There is no rep with id 99999."),
        (["--team", "Nobody"], "Error: No team is managed by 'Nobody'."),
        (
            ["--rep", "1", "--territory", "1"],
            "Error: Give at most one of --team, --territory and --rep.",
        ),
        (["--stale-days", "0"], "Error: --stale-days must be at least 1 (got 0)."),
        (["--limit", "-1"], "Error: --limit must be 0 or more (got -1)."),
    ],
)
def test_review_bad_input_is_one_sentence(demo_url, args, message):
    result = run(*args, "--url", demo_url)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.output


def test_review_unreachable_database(tmp_path):
    result = run("--week", "2025-03-03", "--url", f"sqlite:///{tmp_path / 'missing.db'}")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Can't reach the database")


def test_review_empty_database(empty_url):
    result = run("--week", "2025-03-03", "--format", "json", "--url", empty_url)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload["waterfall"].values()) == {0.0}
    assert all(rows == [] for rows in payload["deals"].values())
    assert payload["coverage"]["total"]["value"] is None


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.refs: list[str] = []

    def handle_data(self, data):
        self.text.append(data)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.refs.append(value)


def test_review_writes_a_self_contained_meeting_pack(demo_url, tmp_path):
    target = tmp_path / "pack.html"
    result = run("--week", "2026-W46", "--html", str(target), "--format", "json", "--url", demo_url)
    assert result.exit_code == 0, result.output
    waterfall = json.loads(result.stdout)["waterfall"]
    document = target.read_text(encoding="utf-8")
    parser = _Text()
    parser.feed(document)
    text = " ".join(parser.text)
    assert parser.refs == []  # nothing to fetch: no links, scripts, images or stylesheets
    assert "<svg" in document
    for step in ("opening", "closing", "slipped"):
        assert format_money(waterfall[step], "USD", full=True) in text
    assert "Pipeline review — week of 9 Nov 2026" in text
    assert "Order to cash (01 Oct 2026 – 15 Nov 2026)" in text  # the quarter to the Sunday
    assert "Receivables by days past due" in text
    assert not list(tmp_path.glob("*.tmp"))


def test_review_html_to_an_unwritable_place_fails_cleanly(demo_url, tmp_path):
    target = tmp_path / "no such dir" / "pack.html"
    result = run("--week", "2026-W46", "--html", str(target), "--url", demo_url)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: Can't write the meeting pack to {target}")
    assert not target.parent.exists()
