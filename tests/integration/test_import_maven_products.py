"""Maven's four files imported together: products.csv accepted, open deals at list price."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from salesops.db import schema as s
from salesops.importing.reading import CsvInput
from salesops.importing.report import import_files

MAVEN = Path("/work/shared/datasets/maven-crm-sales-opportunities")
FILES = ("sales_pipeline.csv", "accounts.csv", "products.csv", "sales_teams.csv")

pytestmark = pytest.mark.skipif(not MAVEN.exists(), reason="shared datasets not present")


def test_four_maven_files_import_and_open_deals_carry_list_prices(engine):
    outcome = import_files(engine, [CsvInput.from_path(MAVEN / n) for n in FILES], "maven")
    assert outcome.written, outcome.message
    layouts = {f.file: f.layout for f in outcome.report.files}
    assert layouts["products.csv"] == "maven-products"
    pipeline = next(f for f in outcome.report.files if f.file == "sales_pipeline.csv")
    notes = [w.expected for w in pipeline.warnings if "list price" in w.expected]
    assert notes == [
        "an amount: 2089 open deals are valued at their product's list price (products.csv)"
    ]
    # the expected open pipeline, computed independently from the raw files
    deals = pd.read_csv(MAVEN / "sales_pipeline.csv", dtype=str, keep_default_na=False)
    prices = pd.read_csv(MAVEN / "products.csv")
    price = dict(zip(prices["product"].str.replace(" ", ""), prices["sales_price"], strict=True))
    open_deals = deals[deals["deal_stage"].isin(["Prospecting", "Engaging"])]
    expected = open_deals["product"].str.replace(" ", "").map(price).sum()
    o = s.opportunities.c
    with engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.sum(o.amount)).where(o.outcome == "open")).scalar()
        unvalued = conn.execute(
            sa.select(sa.func.count()).where(o.outcome == "open", o.amount.is_(None))
        ).scalar()
    assert unvalued == 0
    assert total == pytest.approx(expected)
    # GTXPro in the pipeline is "GTX Pro" in products.csv
    with engine.connect() as conn:
        gtx = conn.execute(
            sa.select(o.amount).where(o.name == "GTXPro", o.outcome == "open").limit(1)
        ).scalar()
    assert gtx == 4821.0


def test_without_products_open_deals_keep_no_amount_as_before(engine):
    names = ("sales_pipeline.csv", "accounts.csv", "sales_teams.csv")
    outcome = import_files(engine, [CsvInput.from_path(MAVEN / n) for n in names], "maven")
    assert outcome.written, outcome.message
    o = s.opportunities.c
    with engine.connect() as conn:
        valued = conn.execute(
            sa.select(sa.func.count()).where(o.outcome == "open", o.amount.is_not(None))
        ).scalar()
    assert valued == 0
