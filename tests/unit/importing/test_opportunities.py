"""Deal rules: stages, outcomes and dates, per layout."""

from __future__ import annotations

from datetime import date

import pandas as pd

from salesops.importing.pipeline import validate_files
from salesops.importing.plan import ValidationContext
from tests.unit.importing.conftest import csv_input, only_file, sf


def test_salesforce_close_date_is_expected_close_and_actual_close_when_closed():
    inp = sf(
        "006A,Big,Acme,Ann,2024-01-05,2024-02-01,Closed Won,100",
        "006B,Open,Acme,Ann,2024-01-05,2024-06-30,Negotiation/Review,200",
    )
    file = only_file(validate_files([inp], "salesforce"))
    assert file.ok
    frame = file.preview.set_index("external_id")
    assert frame.loc["006A", "outcome"] == "won"
    assert frame.loc["006A", "closed_at"] == pd.Timestamp("2024-02-01")
    assert frame.loc["006B", "outcome"] == "open"
    assert pd.isna(frame.loc["006B", "closed_at"])
    assert frame.loc["006B", "probability"] == 0.9


def test_hubspot_internal_stage_ids_and_datetimes():
    text = (
        "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Deal owner\n"
        "101,A,closedwon,500,2024-01-02 10:00,2024-02-03 11:00,Ann\n"
        "102,B,Contract Sent,700,2024-01-05 09:00,2024-04-30 00:00,Bob\n"
    )
    file = only_file(validate_files([csv_input(text)], "hubspot"))
    assert file.ok, file.issues
    assert file.layout == "hubspot-deals"
    assert file.preview["outcome"].tolist() == ["won", "open"]
    assert file.preview["stage"].tolist() == ["Closed Won", "Contract Sent"]


def test_olist_deals_take_their_lead_date_from_the_same_batch():
    mqls = csv_input(
        "mql_id,first_contact_date,landing_page_id,origin\n"
        "m1,2018-01-10,p,social\nm2,2018-01-12,p,\nm3,2018-02-01,p,unknown\n",
        "olist_marketing_qualified_leads_dataset.csv",
    )
    deals = csv_input(
        "mql_id,seller_id,sdr_id,sr_id,won_date,business_segment\n"
        "m1,s1,d1,r1,2018-03-05 19:58:54,pet\n"
        "m3,s3,d1,r2,2018-01-31 10:00:00,toys\n"
        "m9,s9,d1,r2,2018-03-01 10:00:00,toys\n",
        "olist_closed_deals_dataset.csv",
    )
    report = validate_files([deals, mqls], "olist")
    leads, opportunities = report.files  # leads are validated first whatever the upload order
    assert leads.entity == "leads" and leads.ok
    assert opportunities.preview["created_at"].iloc[0] == pd.Timestamp("2018-01-10")
    assert [(i.row, i.column) for i in opportunities.errors] == [(3, "won_date"), (4, "mql_id")]


def test_ibm_layout_derives_dates_from_cycle_days_and_as_of():
    text = (
        "Opportunity Number,Supplies Subgroup,Region,Opportunity Result,Opportunity Amount USD,"
        "Total Days Identified Through Closing,Competitor Type\n"
        "1,Tires,Pacific,Won,100,10,None\n2,Tires,Midwest,Loss,0,0,Known\n"
    )
    ctx = ValidationContext(as_of=date(2024, 6, 30))
    file = only_file(validate_files([csv_input(text)], "ibm", context=ctx))
    assert file.ok, file.issues
    frame = file.preview
    assert frame["closed_at"].tolist() == [pd.Timestamp("2024-06-30")] * 2
    assert frame["created_at"].tolist() == [pd.Timestamp("2024-06-20"), pd.Timestamp("2024-06-30")]
    assert frame["rep"].tolist() == ["Pacific team", "Midwest team"]
    assert file.detected["as_of"] == "2024-06-30"


def test_maven_open_deals_without_dates_get_the_as_of_date_with_a_warning():
    text = (
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
        "A,Ann,GTX,Acme,Won,2017-01-01,2017-03-01,100\n"
        "B,Ann,GTX,,Prospecting,,,\n"
    )
    file = only_file(validate_files([csv_input(text, "sales_pipeline.csv")], "maven"))
    assert file.ok, file.issues
    assert file.detected["as_of"] == "2017-03-01"  # the latest date in the file
    assert file.preview["created_at"].iloc[1] == pd.Timestamp("2017-03-01")
    assert "1 open deals have none" in file.warnings[0].expected
