"""An import refreshes only the rollups (and partitions) it changed, to the rows a rebuild gives.

On a copy of the tiny demo, a run of imports - accounts, leads and deals added; deals
changed (amounts, stages, close dates moved across months, reps, won and lost), accounts
moved to another territory and segment, a lead's source changed; stage history; orders
added and moved; spend; reps and time logs - and then an undo: after each, every rollup
table holds, row for row, what a full `rebuild_rollups` gives on the same data. The last
tests show the comparison catches a rollup left stale. SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from salesops.db import quality_refresh, rollup_steps, rollups_review
from salesops.db import schema as s
from salesops.db.engine import make_engine
from salesops.db.rollup_partitions import RowChanges
from salesops.importing.plan import ValidationContext
from salesops.importing.reading import CsvInput
from salesops.importing.report import import_files
from salesops.importing.undo import undo_import

CONTEXT = ValidationContext(as_of=date(2026, 12, 5))
TERRITORIES = ("North", "South", "West")
SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
OWNERS = ("Ann Lee", "Bob Ray", "Cy Dee")
OPEN = ("Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review")


def csv_file(name: str, header: list[str], rows: list[list[str]]) -> CsvInput:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return CsvInput(name, buffer.getvalue().encode())


def _key(row: tuple) -> tuple:
    return tuple((v is not None, str(v)) for v in row)


def rollup_tables() -> list[sa.Table]:
    """Returns the tables of rebuild_rollups' plan (the spans and call rollups have tests of
    their own: test_call_rollup_update)."""
    return [step.table for step in rollup_steps.plan()]


def _row(row: sa.Row) -> tuple:
    # sums of floats rounded: a sum over the same rows read in another order (a rollup
    # built from a rollup whose rows were rewritten) may differ in the last bits
    return tuple(round(v, 6) if isinstance(v, float) else v for v in row)


def contents(conn: sa.Connection) -> dict[str, list[tuple]]:
    """Returns every rollup table's rows, sorted."""
    return {
        t.name: sorted((_row(r) for r in conn.execute(sa.select(t))), key=_key)
        for t in rollup_tables()
    }


def stale_tables(engine: sa.Engine) -> list[str]:
    """Returns the rollup tables whose rows differ from what a full rebuild writes."""
    with engine.connect() as conn:
        trans = conn.begin()
        got = contents(conn)
        rollup_steps.run_steps(conn, rollup_steps.plan())  # what rebuild_rollups runs
        want = contents(conn)
        trans.rollback()
    assert sum(len(rows) for rows in want.values()) > 1000
    return [name for name in want if got[name] != want[name]]


def imported(engine: sa.Engine, source: str, *files: CsvInput) -> int:
    outcome = import_files(engine, list(files), source, context=CONTEXT)
    assert outcome.written, outcome.message
    assert outcome.batch is not None
    return outcome.batch


ACCOUNT_HEADER = ["Account ID", "Account Name", "Territory", "Type"]
LEAD_HEADER = ["Lead ID", "Created Date", "Lead Source", "Company", "Lead Owner"]
DEAL_HEADER = [
    "Opportunity ID", "Opportunity Name", "Account ID", "Opportunity Owner", "Converted Lead ID",
    "Created Date", "Close Date", "Stage", "Amount", "Forecast Category",
]  # fmt: skip


def accounts(moved: bool = False) -> list[list[str]]:
    rows = []
    for i in range(8):
        shift = 1 if moved and i in (2, 5) else 0
        rows.append(
            [f"001R{i}", f"Refresh Co {i}", TERRITORIES[(i + shift) % 3], SEGMENTS[(i + shift) % 3]]
        )
    return rows


def leads(changed: bool = False, sourced: tuple[int, ...] = ()) -> list[list[str]]:
    """Returns 12 leads, a third without a source; `changed` and `sourced` give some one."""
    return [
        [
            f"00QR{i}",
            f"2025-{1 + i % 12:02d}-{3 + i:02d}",
            "Partner" if (changed and i in (4, 5)) or i in sourced else ("Web", "Event", "")[i % 3],
            f"Refresh Co {i % 8}",
            OWNERS[i % 3],
        ]
        for i in range(12)
    ]


def deals(changed: bool = False) -> list[list[str]]:
    """Returns 30 deals of the eight accounts; `changed` moves most of them on."""
    rows = []
    for i in range(30):
        created = date(2025, 1 + i % 12, 1 + i % 27)
        close = date(2025 + (i % 12 + 3) // 12, 1 + (i % 12 + 3) % 12, 10 + i % 15)
        stage = ("Closed Won", "Closed Lost", *OPEN)[i % 6]
        amount, owner = 1_000 + 750 * i, OWNERS[i % 3]
        if changed:
            kind = i % 5
            if kind == 0:
                back = close.year - 1 if close.month < 3 else close.year
                close = max(created, date(back, 1 + (close.month + 7) % 12, 2))
            elif kind == 1:
                flipped = {"Closed Won": "Closed Lost", "Closed Lost": "Closed Won"}
                stage = flipped.get(stage, "Closed Won")
                close = min(date(2026, 11, 30), date(close.year, close.month, 1))
            elif kind == 2:
                amount += 12_345
            elif kind == 3:
                owner = OWNERS[(i + 1) % 3]
            elif stage in OPEN:
                stage = OPEN[-1]
        rows.append(
            [
                f"006R{i:03d}", f"Refresh deal {i}", f"001R{i % 8}", owner,
                f"00QR{i}" if i < 12 else "", created.isoformat(), close.isoformat(), stage,
                str(amount), "" if stage.startswith("Closed") else "Pipeline",
            ]
        )  # fmt: skip
    return rows


OH_HEADER = ["Id", "OpportunityId", "CreatedDate", "StageName", "Amount", "CloseDate",
             "Probability", "ForecastCategory"]  # fmt: skip


def history() -> list[list[str]]:
    """Stage history of the open deals (every sixth from the third on), two rows each."""
    rows = []
    for i in range(2, 30, 6):
        deal = f"006R{i:03d}"
        created = date(2025, 1 + i % 12, 1 + i % 27)
        for n, stage in enumerate(OPEN[:2]):
            when = date(created.year, created.month, min(28, created.day + n))
            rows.append([f"008R{i}{n}", deal, f"{when.isoformat()}T10:00:00.000+0000", stage,
                         "5000", "2026-03-31", "20", "Pipeline"])  # fmt: skip
    return rows


ORDER_HEADER = ["order_id", "account_id", "account_name", "opportunity_id", "order_date",
                "invoice_date", "paid_date", "Order Amount"]  # fmt: skip


def orders(moved: bool = False) -> list[list[str]]:
    rows = []
    for i in range(14):
        ordered = date(2025, 2 + i % 10, 5 + i)
        if moved and i % 3 == 0:
            ordered = date(2025, 1 + (i + 5) % 12, 3)
        invoiced = date(ordered.year, ordered.month, min(28, ordered.day + 3))
        paid = "" if i % 4 == 0 else date(invoiced.year + (invoiced.month == 12),
                                          invoiced.month % 12 + 1, 9).isoformat()  # fmt: skip
        rows.append([f"SO-R{i}", f"001R{i % 8}", f"Refresh Co {i % 8}",
                     f"006R{i * 2:03d}" if i % 2 else "", ordered.isoformat(),
                     invoiced.isoformat(), paid, str(500 + 100 * i)])  # fmt: skip
    return rows


SPEND = [["2025-03-01", "Paid search", "marketing", "12000"], ["2025-04-01", "SDR", "sales", "900"]]
REP_HEADER = ["rep_id", "Rep", "Manager", "Territory", "Hire Date"]
EVENT_HEADER = ["Id", "Subject", "ActivityDate", "DurationInMinutes", "Type", "OwnerId",
                "Owner.Name"]  # fmt: skip


def events() -> list[list[str]]:
    return [
        [
            f"00UR{i}",
            "Call",
            f"2025-{1 + i % 12:02d}-{4 + i % 20:02d}",
            str(30 + 15 * i),
            ("Meeting", "Call", "Admin")[i % 3],
            "0051",
            OWNERS[i % 3],
        ]  # fmt: skip
        for i in range(20)
    ]


@pytest.fixture(params=["sqlite", "postgres"])
def copy_engine(request: pytest.FixtureRequest, tiny_demo_copy):
    engine = make_engine(tiny_demo_copy(request.param))
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_copy(tiny_demo_copy):
    """A SQLite copy: the tests that show a fault is caught need one database only."""
    engine = make_engine(tiny_demo_copy("sqlite"))
    yield engine
    engine.dispose()


PARTITIONED_DEALS = {"rollup_closed_opportunities", "rollup_won_cycle_days", "rollup_customers",
                     "rollup_stage_outcomes", "rollup_won_weeks", "rollup_stage_entries",
                     "rollup_stage_stays", "rollup_closed_days", "rollup_customer_days",
                     "rollup_won_cycle_day_counts", "rollup_quality_issues",
                     "rollup_quality_months"}  # fmt: skip
PARTITIONED_ORDERS = {"rollup_order_months", "rollup_order_days", "rollup_order_status_months"}
ACTIVITY_ROLLUPS = {"rollup_activity_months", "rollup_activity_weeks",
                    "rollup_activity_territory_months", "rollup_activity_running"}  # fmt: skip


def test_every_import_leaves_each_rollup_as_a_rebuild_would(copy_engine, monkeypatch):
    engine = copy_engine
    ran: list[str] = []  # rollups refreshed (in full or by partition) by the last import
    by_partition: list[str] = []  # those refreshed by partition
    real, real_partitions = rollup_steps.run_steps, rollup_steps.refresh_partitions

    def recording(conn, steps, changes=None):
        written, seconds = real(conn, steps, changes)
        ran.extend(written)
        return written, seconds

    def partitions(conn, table, partitioning, keys):
        by_partition.append(table.name)
        return real_partitions(conn, table, partitioning, keys)

    for module, name in ((quality_refresh, "refresh_quality_issues"),
                         (quality_refresh, "refresh_quality_months"),
                         (rollups_review, "refresh_stage_entries"),
                         (rollups_review, "refresh_stage_stays")):  # fmt: skip
        real_refresh = getattr(module, name)

        def refresh(conn, changes, real_refresh=real_refresh, name=name):
            rows = real_refresh(conn, changes)
            if rows is not None:
                by_partition.append(name.replace("refresh_", "rollup_"))
            return rows

        monkeypatch.setattr(module, name, refresh)

    def from_twin(conn, table, twin, keys, real_twin=rollup_steps.refresh_from_twin):
        by_partition.append(table.name)
        return real_twin(conn, table, twin, keys)

    monkeypatch.setattr(rollup_steps, "run_steps", recording)
    monkeypatch.setattr(rollup_steps, "refresh_partitions", partitions)
    monkeypatch.setattr(rollup_steps, "refresh_from_twin", from_twin)
    reps = [[f"E{i}", name, "Max Boss", TERRITORIES[i], "2020-01-06"]
            for i, name in enumerate(OWNERS)]  # fmt: skip
    spend = ["Month", "Channel", "Kind", "Spend"]
    imports: list[tuple[str, list[CsvInput], set[str] | None]] = [
        ("salesforce", [
            csv_file("accounts.csv", ACCOUNT_HEADER, accounts()),
            csv_file("leads.csv", LEAD_HEADER, leads()),
            csv_file("deals.csv", DEAL_HEADER, deals()),
        ], None),
        ("salesforce", [
            csv_file("accounts2.csv", ACCOUNT_HEADER, accounts(moved=True)),
            csv_file("leads2.csv", LEAD_HEADER, leads(changed=True)),
            csv_file("deals2.csv", DEAL_HEADER, deals(changed=True)),
        ], None),
        ("salesforce", [csv_file("OpportunityHistory.csv", OH_HEADER, history())],
         {"rollup_stage_outcomes", "rollup_stage_entries", "rollup_stage_stays"}),
        ("salesops", [csv_file("orders.csv", ORDER_HEADER, orders()),
                      csv_file("reps.csv", REP_HEADER, reps)], None),
        ("salesops", [csv_file("orders2.csv", ORDER_HEADER, orders(moved=True))], None),
        # a lead given a source: its deal no longer misses one (the deal itself unchanged)
        ("salesforce", [csv_file("leads3.csv", LEAD_HEADER, leads(True, sourced=(8,)))], None),
        ("salesops", [csv_file("spend.csv", spend, SPEND)], set()),  # no rollup reads spend
        ("salesforce", [csv_file("Event.csv", EVENT_HEADER, events())], ACTIVITY_ROLLUPS),
    ]  # fmt: skip
    batch = 0
    partitioned: list[set[str]] = []
    for source, files, expected in imports:
        ran.clear()
        batch = imported(engine, source, *files)
        if expected is not None:
            assert set(ran) == expected, [f.name for f in files]
        if not partitioned:  # new deals and accounts no order reads: orders untouched
            assert not set(ran) & {"rollup_customer_lifespans", "rollup_order_cycle_days"}
        assert stale_tables(engine) == [], [f.name for f in files]
        partitioned.append(set(by_partition))
        by_partition.clear()

    # the changed deals, their history and the moved orders were refreshed by partition
    assert partitioned[1] >= PARTITIONED_DEALS
    assert partitioned[2] == {"rollup_stage_outcomes", "rollup_stage_entries", "rollup_stage_stays"}
    assert partitioned[4] >= PARTITIONED_ORDERS
    undo_import(engine, batch, "tester")  # rebuilds every rollup
    assert stale_tables(engine) == []


def test_a_rollup_left_stale_is_caught(sqlite_copy, monkeypatch):
    engine = sqlite_copy
    imported(engine, "salesforce", csv_file("accounts.csv", ACCOUNT_HEADER, accounts()),
             csv_file("deals.csv", DEAL_HEADER, deals()))  # fmt: skip
    real = rollup_steps.stale_steps

    def forgetful(steps, changed):
        return [step for step in real(steps, changed) if step.table is not s.rollup_won_weeks]

    monkeypatch.setattr(rollup_steps, "stale_steps", forgetful)
    imported(engine, "salesforce", csv_file("deals2.csv", DEAL_HEADER, deals(changed=True)))
    monkeypatch.undo()
    assert stale_tables(engine) == [s.rollup_won_weeks.name]


def test_a_partition_left_out_is_caught(sqlite_copy, monkeypatch):
    """Without the before-images, the months deals moved out of keep their old rows."""
    engine = sqlite_copy
    imported(engine, "salesforce", csv_file("accounts.csv", ACCOUNT_HEADER, accounts()),
             csv_file("deals.csv", DEAL_HEADER, deals()))  # fmt: skip
    monkeypatch.setattr(RowChanges, "before_values", lambda self, table, column: iter(()))
    imported(engine, "salesforce", csv_file("deals2.csv", DEAL_HEADER, deals(changed=True)))
    assert "rollup_won_weeks" in stale_tables(engine)  # weeks won deals moved out of
