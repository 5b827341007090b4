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


def test_every_setting_has_help_and_a_known_section():
    from dataclasses import fields

    from salesops.config import SECTIONS, Settings

    for f in fields(Settings):
        assert len(f.metadata["help"]) > 15, f.name
        assert f.metadata["section"] in SECTIONS, f.name


def _setting_names() -> set[str]:
    from dataclasses import fields

    from salesops.config import Settings

    return {f.name for f in fields(Settings)} - {"database_url"}


def _restates(name: str, settings: set[str]) -> str | None:
    """Returns the setting a constant or parameter name stands for, if any."""
    bare = name.lower().removeprefix("default_").removesuffix("_default")
    for setting in settings:
        if bare == setting or (len(bare) > 6 and f"_{bare}" in f"_{setting}"):
            return setting
    return None


def test_every_default_is_declared_once_in_settings():
    """No module restates a setting: no constant or parameter default with its name."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "salesops"
    settings = _setting_names()
    restated = []
    for path in sorted(root.rglob("*.py")):
        if "config" in path.relative_to(root).parts[:1]:
            continue  # the settings themselves
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.isupper():
                        setting = _restates(target.id, settings)
                        if setting and not isinstance(node.value.value, str):
                            restated.append(f"{path.name}:{node.lineno} {target.id} ({setting})")
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args
                positional = [*args.posonlyargs, *args.args]
                with_default = positional[len(positional) - len(args.defaults) :]
                pairs = list(zip(with_default, args.defaults, strict=True))
                pairs += [
                    (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d
                ]
                for arg, default in pairs:
                    literal = isinstance(default, ast.Constant) and default.value is not None
                    if literal and arg.arg in settings:
                        restated.append(f"{path.name}:{node.lineno} {node.name}({arg.arg}=...)")
    assert not restated, f"defaults restated outside Settings: {restated}"


def test_salesops_settings_lists_every_setting():
    import json

    from typer.testing import CliRunner

    from salesops.cli import app

    result = CliRunner().invoke(app, ["settings", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = {row["name"] for row in json.loads(result.output)["settings"]}
    assert listed == _setting_names()
