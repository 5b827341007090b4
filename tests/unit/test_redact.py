"""Issue 20 case 5: a password in a URL's query is masked in every message and log."""

from __future__ import annotations

import logging

import pytest

from salesops.config import masked_url
from salesops.redact import install_log_masking, mask_secrets

URLS = [
    "postgresql+psycopg://app@db.internal:5432/sales?password=s3cret",
    "postgresql+psycopg://app@db.internal/sales?sslmode=require&password=s3cret",
    "postgresql+psycopg://app@db.internal/sales?sslpassword=s3cret&PASSWORD=s3cret",
    "postgresql+psycopg://app:s3cret@db.internal/sales?password=s3cret",
    "mssql+pyodbc://app@dsn?odbc_connect=DRIVER%3DX%3BPWD%3Ds3cret",
]


@pytest.mark.parametrize("url", URLS)
def test_case_5_password_in_the_url_query_is_masked(url):
    shown = masked_url(url)
    assert "s3cret" not in shown
    assert "***" in shown or "%3D***" in shown


def test_case_5_masking_keeps_what_is_not_secret():
    shown = masked_url(
        "postgresql+psycopg://app@db.internal:5432/sales?password=s3cret&sslmode=require"
    )
    assert shown == "postgresql+psycopg://app@db.internal:5432/sales?password=***&sslmode=require"
    assert mask_secrets("no secret here, passwords=fine") == "no secret here, passwords=fine"


@pytest.mark.parametrize(
    "text",
    [
        "Could not parse SQLAlchemy URL from given URL string postgresql://a:s3cret@h/db",
        "connection to host=db user=app password=s3cret failed",
        "bad dsn: password='s3cret word' dbname=x",
        "DRIVER={x};PWD=s3cret;UID=app",
    ],
)
def test_case_5_free_text_messages_are_masked(text):
    assert "s3cret" not in mask_secrets(text)


def test_case_5_log_records_are_masked(caplog):
    install_log_masking()
    install_log_masking()  # idempotent
    with caplog.at_level(logging.WARNING):
        logging.getLogger("salesops.test").warning("Can't reach %s", URLS[0])
        try:
            raise RuntimeError(f"while connecting to {URLS[3]}")
        except RuntimeError:
            logging.getLogger("salesops.test").exception("failed")
    assert "s3cret" not in caplog.text
    assert "password=***" in caplog.text
