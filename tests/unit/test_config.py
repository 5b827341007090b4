"""Where the database URL comes from, and that passwords never show."""

from __future__ import annotations

from salesops.config import DEFAULT_SQLITE_PATH, masked_url, resolve_database_url

SECRETS = '[connections.salesops]\nurl = "postgresql://app:s3cret@db.internal/sales"\n'


def test_env_wins_over_secrets_wins_over_default(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(SECRETS, encoding="utf-8")
    monkeypatch.setenv("SALESOPS_DATABASE_URL", "sqlite:///from-env.db")
    assert resolve_database_url(secrets_path=secrets) == "sqlite:///from-env.db"
    monkeypatch.delenv("SALESOPS_DATABASE_URL")
    assert resolve_database_url(secrets_path=secrets) == "postgresql://app:s3cret@db.internal/sales"
    assert resolve_database_url(secrets_path=tmp_path / "missing.toml") == (
        f"sqlite:///{DEFAULT_SQLITE_PATH}"
    )
    assert resolve_database_url("sqlite:///explicit.db", secrets) == "sqlite:///explicit.db"


def test_unreadable_secrets_fall_back_to_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("SALESOPS_DATABASE_URL", raising=False)
    broken = tmp_path / "secrets.toml"
    broken.write_text("[connections.salesops\nurl = ", encoding="utf-8")
    assert resolve_database_url(secrets_path=broken) == f"sqlite:///{DEFAULT_SQLITE_PATH}"


def test_masked_url_hides_the_password():
    shown = masked_url("postgresql+psycopg://app:s3cret@db.internal:5432/sales")
    assert shown == "postgresql+psycopg://app:***@db.internal:5432/sales"
    assert masked_url("sqlite:///data/salesops.db") == "sqlite:///data/salesops.db"
    # how pages open SQLite read-only, shown as the URL the user gave
    assert masked_url("sqlite:///file:/srv/s.db?mode=ro&uri=true") == "sqlite:////srv/s.db"
