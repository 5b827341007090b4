"""The Territory balance page on imported companies: Maven's offices, and names that differ."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesops.db.engine import init_schema, make_engine
from salesops.importing.reading import CsvInput
from salesops.importing.report import import_files
from salesops.ui.plan import CONTROLS_OPEN as PLAN_CONTROLS_OPEN
from tests.app.conftest import each_tab, figures_shown, shown, territories_shown, text_tables

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "territory.py")
OVERVIEW = str(ROOT / "pages" / "overview.py")
MAVEN = Path("/work/shared/datasets/maven-crm-sales-opportunities")
FILES = ("sales_teams.csv", "accounts.csv", "products.csv", "sales_pipeline.csv")
MISMATCH = "Account and rep territories do not match"


def imported(folder: Path, source: str, files: list[CsvInput]) -> str:
    url = f"sqlite:///{folder / 'imported.db'}"
    engine = make_engine(url)
    init_schema(engine)
    outcome = import_files(engine, files, source)
    assert outcome.written, outcome.message
    engine.dispose()
    return url


@pytest.mark.skipif(not MAVEN.exists(), reason="shared datasets not present")
def test_imported_maven_has_three_covered_offices_and_no_mismatch(run_page, tmp_path):
    url = imported(tmp_path, "maven", [CsvInput.from_path(MAVEN / n) for n in FILES])
    at = run_page(PAGE, url)
    assert not at.exception
    territories = territories_shown(at)
    assert sorted(territories["territory"]) == ["Central", "East", "West"]
    assert "uncovered" not in set(territories["flag"])
    assert territories["accounts"].astype(int).sum() == 85
    assert not any(MISMATCH in w.value for w in at.warning)
    infos, charts, bars, even = [], 0, 0, False
    for drawn in each_tab(at, PAGE):  # the lower sections are tabs, drawn when opened
        infos += [i.value for i in drawn.info]
        charts += len(drawn.get("vega_lite_chart"))
        bars += sum(
            'aria-label="Utilisation per territory"' in h.proto.body for h in drawn.get("html")
        )
        even |= any("already even: at or below 0.15" in c.value for c in drawn.caption)
        # no "Potential $0" in every row: the potential columns are left out of the tables
        for columns in [t.value.columns for t in drawn.dataframe] + [
            t.columns for t in text_tables(drawn)
        ]:
            assert not {"Potential", "Potential per selling hour", "Its potential"} & set(
                columns
            ), columns
    # no potential in Maven: a sentence, not an empty potential-per-hour chart
    assert any(i.startswith("No account has a potential recorded") for i in infos)
    assert charts == 0  # no potential per hour chart
    assert bars == 4  # utilisation (HTML bars), drawn with each of the four tabs
    # every territory is equally loaded (3.8-4.3%): moves are fine-tuning, and said to be
    assert even

    overview = run_page(OVERVIEW, url, {"from": "2017-01-01", "to": "2017-12-31"})
    assert not overview.exception
    assert figures_shown(overview)["Uncovered territories"] == "0"


def test_account_and_rep_territories_that_differ_are_named(run_page, tmp_path):
    # a Salesforce org whose users' Division is "West" and whose accounts say "US-West"
    files = [
        CsvInput(
            "users.csv",
            b"Id,Name,Email,IsActive,Division\n005A,Ana Lee,ana@x.com,true,West\n"
            b"005B,Bo Diaz,bo@x.com,true,West\n005C,Cy Ng,cy@x.com,true,East\n",
        ),
        CsvInput(
            "accounts.csv",
            b"Account ID,Account Name,Territory\n"
            b"a1,Acme,US-West\na2,Beta,US-West\na3,Gamma,US-East\na4,Delta,*Canada*\n",
        ),
        CsvInput(
            "opportunities.csv",
            b"Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Created Date,"
            b"Close Date,Stage,Amount\n"
            b"o1,Deal 1,Acme,Ana Lee,2024-01-10,2024-03-01,Closed Won,1000\n"
            b"o2,Deal 2,Gamma,Cy Ng,2024-02-10,2024-09-01,Prospecting,2000\n",
        ),
    ]
    url = imported(tmp_path, "salesforce", files)
    at = run_page(PAGE, url)
    assert not at.exception
    warning = next(shown(w.value) for w in at.warning if MISMATCH in w.value)
    assert warning.startswith(
        "Account and rep territories do not match: 3 territories have accounts but no active "
        "rep (US-West, *Canada*, US-East) and 2 have reps but no accounts (West, East)."
    )
    # the accounts layout maps a territory: it is kept, not inferred from the deals
    assert set(territories_shown(at)["flag"]) == {"uncovered", "under-loaded"}
    overview = run_page(OVERVIEW, url)
    assert not overview.exception
    assert any(MISMATCH in w.value for w in overview.warning)


@pytest.mark.skipif(not MAVEN.exists(), reason="shared datasets not present")
def test_plan_on_maven_without_quotas_says_none_rather_than_zero(run_page, tmp_path):
    url = imported(tmp_path, "maven", [CsvInput.from_path(MAVEN / n) for n in FILES])
    at = run_page(str(ROOT / "pages" / "plan.py"), url)
    assert not at.exception
    at.session_state["plan.tabs"] = "Quotas"  # a lazy tab: drawn once opened
    at.run()
    assert not at.exception
    quotas = next(t.value for t in at.dataframe if "suggested_quota" in t.value.columns)
    reps = quotas[~quotas["rep"].str.contains("new hire")]
    # no quota imported: "—" (missing), not $0, and not "under-assigned"
    assert set(reps["current_quota"]) == {"—"}, reps["current_quota"].head()
    assert set(reps["flag"]) == {"no current quota"}
    # no track record of attainment: a sentence, not an empty chart
    assert not at.get("vega_lite_chart")
    assert any(c.value.startswith("No attainment to chart") for c in at.caption)


@pytest.mark.skipif(not MAVEN.exists(), reason="shared datasets not present")
def test_plan_page_and_cli_start_from_the_same_target_without_quotas(run_page, tmp_path):
    import json

    from typer.testing import CliRunner

    from salesops.cli import app

    url = imported(tmp_path, "maven", [CsvInput.from_path(MAVEN / n) for n in FILES])
    at = run_page(str(ROOT / "pages" / "plan.py"), url)
    at.session_state[PLAN_CONTROLS_OPEN] = True  # the what-if's widgets, drawn when opened
    page_target = at.run().number_input(key="plan.target").value
    result = CliRunner().invoke(app, ["plan", "--format", "json", "--url", url])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # no quotas imported: both start from what the reps booked in the last 12 months
    assert page_target == round(data["target"]) and data["target"] > 0
    assert all(q["suggested_quota"] > 0 for q in data["quotas"] if q["kind"] == "rep")
