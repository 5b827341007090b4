"""On the demo company every deal has a channel, and KPIs by channel add up to the totals."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from salesops.calendar import Period
from salesops.config import Settings
from salesops.db import schema as s
from salesops.db.engine import make_engine
from salesops.db.rollups import NO_CHANNEL
from salesops.demo.catalog import ACCOUNT_CHANNELS
from salesops.kpis import report as kr
from salesops.repository import Repository, Scope

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))


def test_no_demo_deal_lacks_a_channel(demo_url):
    o, lead = s.opportunities, s.leads
    stmt = (
        sa.select(sa.func.count())
        .select_from(o.outerjoin(lead, lead.c.id == o.c.lead_id))
        .where(lead.c.channel.is_(None))
    )
    with make_engine(demo_url, read_only=True).connect() as conn:
        assert conn.execute(stmt).scalar_one() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(o)).scalar_one() > 0


def test_kpis_by_channel_reconcile_with_the_totals(demo_url):
    repo = Repository(make_engine(demo_url, read_only=True))
    report = kr.kpi_report(repo, YEAR, Scope(), Settings())
    rows = report.breakdowns["channel"].set_index("name")
    assert NO_CHANNEL not in rows.index
    totals = report.current
    assert rows["won"].sum() == totals["win_rate"].inputs["won"]
    assert rows["lost"].sum() == totals["win_rate"].inputs["lost"]
    assert rows["leads"].sum() == totals["lead_to_opportunity_ratio"].inputs["leads"]
    assert rows["new_customers"].sum() == totals["cac"].inputs["new_customers"]
    # CAC by channel: each spend channel's spend over its own new customers, and the
    # channels' spend adds up to the company's.
    spend = repo.acquisition_spend(YEAR).groupby("channel")["amount"].sum()
    assert abs(spend.sum() - totals["cac"].inputs["spend"]) < 0.01
    for channel, amount in spend.items():
        customers = rows.loc[channel, "new_customers"]
        assert customers > 0, channel
        assert abs(rows.loc[channel, "cac"] - amount / customers) < 0.01, channel
    # Sales to accounts that already bought: no acquisition spend, no new customer, no CAC.
    for channel in ACCOUNT_CHANNELS:
        assert channel not in spend.index
        assert rows.loc[channel, "new_customers"] == 0 and rows.loc[channel, "won"] > 0
        assert rows.loc[channel, "cac"] != rows.loc[channel, "cac"]  # NaN: undefined
