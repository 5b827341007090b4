"""A company built only from imported files (no demo rows): every page draws its numbers.

Salesforce API exports (users, accounts, leads, opportunities with their stage history)
and the salesops templates (spend, quotas, time logs, orders), written as those systems
write them, are imported into an empty database; each page then runs in AppTest.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from salesops.db.engine import init_schema, make_engine
from salesops.importing.reading import CsvInput
from salesops.importing.report import import_files
from tests.app.conftest import figures_shown, html_tiles

ROOT = Path(__file__).resolve().parents[2]
PERIOD = {"from": "2024-01-01", "to": "2024-06-30"}
REPS = [("0051", "Ann Lee"), ("0052", "Bob Ray"), ("0053", "Cy Tan")]
CHANNELS = ["Web", "Partner", "Events"]


def _csv(name: str, header: list[str], rows: list[list[object]], bom: bool = True) -> CsvInput:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows([header, *rows])
    return CsvInput(name, buffer.getvalue().encode("utf-8-sig" if bom else "utf-8"))


def _stamp(day: date) -> str:
    return f"{day.isoformat()}T09:30:00.000+0000"


def _deals(rng: np.random.Generator) -> list[dict]:
    deals = []
    start = date(2023, 1, 2)
    for n in range(60):
        created = start + timedelta(days=int(n * 9))
        outcome = "open" if created > date(2024, 4, 1) else rng.choice(["won", "won", "lost"])
        close = created + timedelta(days=int(rng.integers(20, 90)))
        deals.append(
            {
                "id": f"006{n:04d}",
                "account": f"001{n % 12:04d}",
                "owner": REPS[n % 3][0],
                "created": created,
                "close": close,
                "outcome": str(outcome),
                "amount": float(1000 * (1 + n % 7)),
                "channel": CHANNELS[n % 3],
            }
        )
    return deals


def _salesforce_files(deals: list[dict]) -> list[CsvInput]:
    users = _csv(
        "User.csv",
        ["Id", "Name", "Email", "Manager.Name", "IsActive"],
        [[i, n, f"{n.split()[0].lower()}@example.com", "Max Boss", "true"] for i, n in REPS],
    )
    accounts = _csv(
        "Account.csv",
        ["Id", "Name", "Type", "Industry", "BillingCountry", "CreatedDate"],
        [
            [
                f"001{a:04d}",
                f"Customer {a}",
                ["SMB", "Mid-Market"][a % 2],
                "Retail",
                ["US", "DE"][a % 2],
                _stamp(date(2022, 12, 1)),
            ]
            for a in range(12)
        ],  # fmt: skip
    )
    stage = {"won": "Closed Won", "lost": "Closed Lost", "open": "Negotiation/Review"}
    opps = _csv(
        "Opportunity.csv",
        ["Id", "Name", "AccountId", "StageName", "Amount", "CloseDate", "CreatedDate",
         "IsClosed", "IsWon", "OwnerId", "ForecastCategoryName", "LeadSource"],
        [
            [d["id"], f"Deal {d['id']}", d["account"], stage[d["outcome"]], d["amount"],
             d["close"].isoformat(), _stamp(d["created"]), str(d["outcome"] != "open").lower(),
             str(d["outcome"] == "won").lower(), d["owner"],
             {"won": "Closed", "lost": "Omitted", "open": "Commit"}[d["outcome"]], d["channel"]]
            for d in deals
        ],
    )  # fmt: skip
    history_rows = []
    for d in deals:
        history_rows.append(
            [d["id"], _stamp(d["created"]), "Prospecting", d["amount"], d["close"].isoformat()]
        )
        middle = d["created"] + timedelta(days=10)
        history_rows.append(
            [d["id"], _stamp(middle), "Negotiation/Review", d["amount"], d["close"].isoformat()]
        )
        if d["outcome"] != "open":
            history_rows.append(
                [
                    d["id"],
                    _stamp(d["close"]),
                    stage[d["outcome"]],
                    d["amount"],
                    d["close"].isoformat(),
                ]
            )
    history = _csv(
        "OpportunityHistory.csv",
        ["Id", "OpportunityId", "CreatedDate", "StageName", "Amount", "CloseDate"],
        [[f"008{i:05d}", *row] for i, row in enumerate(history_rows)],
    )
    leads = _csv(
        "Lead.csv",
        ["Id", "CreatedDate", "LeadSource", "Status", "IsConverted", "ConvertedDate",
         "ConvertedOpportunityId", "Company"],
        [
            [f"00Q{n:04d}", _stamp(d["created"] - timedelta(days=7)), d["channel"], "Converted",
             "true", d["created"].isoformat(), d["id"], f"Customer {n % 12}"]
            for n, d in enumerate(deals)
        ]
        + [
            [f"00Q9{n:03d}", _stamp(date(2023, 1, 5) + timedelta(days=7 * n)), CHANNELS[n % 3],
             "Open", "false", "", "", f"Prospect {n}"]
            for n in range(40)
        ],
    )  # fmt: skip
    return [users, accounts, leads, opps, history]


def _template_files(deals: list[dict]) -> list[CsvInput]:
    months = [date(2023 + (m // 12), m % 12 + 1, 1) for m in range(18)]
    spend = _csv(
        "spend.csv",
        ["month", "channel", "kind", "amount"],
        [[m.isoformat(), c, "marketing", 2000] for m in months for c in CHANNELS]
        + [[m.isoformat(), "SDR team", "sales", 5000] for m in months],
        bom=False,
    )
    quotas = _csv(
        "quotas.csv",
        ["rep", "period_start", "period_end", "amount"],
        [[n, f"2024-{q * 3 + 1:02d}-01", (date(2024, q * 3 + 4, 1) - timedelta(days=1)).isoformat()
          if q < 3 else "2024-12-31", 60000] for _, n in REPS for q in range(4)],
        bom=False,
    )  # fmt: skip
    weeks = [date(2024, 1, 1) + timedelta(weeks=w) for w in range(26)]
    time_rows = []
    for _, name in REPS:
        for week in weeks:
            time_rows += [
                [name, week.isoformat(), "Customer meetings", 12],
                [name, (week + timedelta(days=1)).isoformat(), "Quote configuration", 6],
                [name, (week + timedelta(days=2)).isoformat(), "Admin & CRM updates", 8],
            ]
    timesheet = _csv("time.csv", ["rep", "activity_date", "activity", "hours"], time_rows)
    order_rows = []
    for d in deals:
        if d["outcome"] != "won":
            continue
        for k in range(6):
            ordered = d["close"] + timedelta(days=30 * k + 3)
            order_rows.append(
                [f"SO-{d['id']}-{k}", d["account"], d["id"], ordered.isoformat(),
                 (ordered + timedelta(days=2)).isoformat(),
                 (ordered + timedelta(days=32)).isoformat(), d["amount"] / 6]
            )  # fmt: skip
    orders = _csv(
        "orders.csv",
        ["external_id", "account_id", "opportunity_external_id", "ordered_at", "invoiced_at",
         "paid_at", "amount"],
        order_rows,
    )  # fmt: skip
    return [spend, quotas, timesheet, orders]


@pytest.fixture(scope="module")
def imported_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('imported') / 'imported.db'}"
    engine = make_engine(url)
    init_schema(engine)
    deals = _deals(np.random.default_rng(7))
    for source, files in (
        ("salesforce", _salesforce_files(deals)),
        ("salesops", _template_files(deals)),
    ):
        outcome = import_files(engine, files, source)
        assert outcome.written, outcome.message
    return url


def _texts(at) -> str:
    parts = [c.value for c in at.caption] + [m.value for m in at.markdown]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    return "\n".join(str(p) for p in parts)


PAGES = [
    "overview.py",
    "kpis.py",
    "forecast.py",
    "territory.py",
    "time_allocation.py",
    "pipeline_review.py",
    "plan.py",
    "cash.py",
    "data.py",
]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_a_company_built_only_from_imports(run_page, imported_url, page):
    at = run_page(str(ROOT / "pages" / page), imported_url, PERIOD, timeout=180)
    assert not at.exception, at.exception
    assert "salesops demo" not in _texts(at)  # no "demo only" gap


def test_kpis_cac_and_ltv_come_from_imported_spend_and_orders(run_page, imported_url):
    at = run_page(str(ROOT / "pages" / "kpis.py"), imported_url, PERIOD)
    values = figures_shown(at)  # the KPI tiles: one HTML grid
    for label in ("CAC", "LTV", "LTV : CAC", "Win rate", "Lead → opportunity"):
        assert values.get(label) not in (None, "—"), (label, values)
    assert "import spend to compute CAC" not in _texts(at)


def test_rep_time_comes_from_imported_time_logs(run_page, imported_url):
    at = run_page(str(ROOT / "pages" / "time_allocation.py"), imported_url, PERIOD)
    values = figures_shown(at)  # the team figures: one figure table
    shares = [v for k, v in values.items() if "selling" in k.lower()]
    # 12 selling hours of 26 logged a week
    assert "46.2%" in shares, values


def test_attainment_comes_from_imported_quotas(run_page, imported_url):
    at = run_page(str(ROOT / "pages" / "overview.py"), imported_url, PERIOD)
    bookings = {k: v for k, v in html_tiles(at).items() if k.startswith("Bookings")}
    assert bookings and all(texts[1].endswith(" of quota") for texts in bookings.values()), bookings
