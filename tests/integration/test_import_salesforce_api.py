"""Salesforce API-name exports written to SQLite and PostgreSQL: deals, not accounts."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from salesops.db import schema as s
from salesops.importing.known import table_counts
from salesops.importing.plan import ValidationContext
from salesops.importing.report import import_files
from tests.unit.importing.test_salesforce_api import OPP_HEADER, OPP_ROWS, salesforce_csv

CONTEXT = ValidationContext(as_of=date(2024, 7, 1))


def test_api_opportunity_export_writes_deals_with_named_accounts_and_owners(engine):
    header = [*OPP_HEADER, "OwnerId"]
    owner_ids = {"Ann Lee": "0055g00000ANNAAA1", "Bob Ray": "0055g00000BOBAAA1"}
    rows = [[*r, owner_ids[r[10]]] for r in OPP_ROWS]
    users = salesforce_csv(
        ["Id", "Name", "Email", "Manager.Name", "IsActive"],
        [
            ["0055g00000ANNAAA1", "Ann Lee", "ann@example.com", "Max Boss", "true"],
            ["0055g00000BOBAAA1", "Bob Ray", "bob@example.com", "Max Boss", "false"],
        ],
        "User.csv",
    )
    outcome = import_files(
        engine,
        [salesforce_csv(header, rows, "Opportunity.csv"), users],
        "salesforce",
        context=CONTEXT,
    )
    assert outcome.written, outcome.message
    assert outcome.message.startswith("Imported 5 new")  # 2 reps + 3 deals (accounts: created)
    o, a, r = s.opportunities.c, s.accounts.c, s.reps.c
    with engine.connect() as conn:
        deals = conn.execute(
            sa.select(o.external_id, o.outcome, o.stage, a.name, r.name, r.end_date)
            .join(s.accounts, a.id == o.account_id)
            .join(s.reps, r.id == o.rep_id)
            .order_by(o.external_id)
        ).all()
        stages = dict(conn.execute(sa.select(s.stages.c.name, s.stages.c.is_won)).all())
    assert [tuple(d[:5]) for d in deals] == [
        ("0065g00000AAAAAAA1", "won", "Closed Won", "Acme, Inc.", "Ann Lee"),
        ("0065g00000AAAAAAA2", "open", "Discovery Call", "Beta GmbH", "Bob Ray"),
        ("0065g00000AAAAAAA3", "lost", "Closed - No Budget", "Acme, Inc.", "Ann Lee"),
    ]
    # the inactive user left by the as-of date; the deals point at the imported users
    assert deals[1][5] == date(2024, 7, 1)
    assert stages["Closed - No Budget"] is False
    counts = table_counts(engine)
    assert (counts["reps"], counts["accounts"], counts["opportunities"]) == (2, 2, 3)


def test_broken_api_export_writes_nothing(engine):
    rows = [list(r) for r in OPP_ROWS]
    rows[2][7] = "2024-13-01T00:00:00.000+0000"
    before = table_counts(engine)
    outcome = import_files(
        engine, [salesforce_csv(OPP_HEADER, rows)], "salesforce", context=CONTEXT
    )
    assert not outcome.written
    assert "row 4, CreatedDate" in outcome.message
    assert table_counts(engine) == before
