"""House rules that keep the layers apart."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_streamlit_outside_ui():
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in (ROOT / "salesops").rglob("*.py")
        if "ui" not in p.relative_to(ROOT).parts
        and "migrations" not in p.relative_to(ROOT).parts  # alembic loads these by path
        and p.name != "__main__.py"
    )
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules)
    code += "print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_pages_hold_no_sql_or_dataframe_math():
    banned = re.compile(r"select\(|text\(|\.groupby\(|\.merge\(|read_csv|read_sql|create_engine")
    for page in (ROOT / "pages").glob("*.py"):
        hits = banned.findall(page.read_text(encoding="utf-8"))
        assert not hits, f"{page.name}: {hits}"


def test_no_sql_built_from_strings_in_the_package():
    pattern = re.compile(r"text\(\s*f[\"']|\.format\(.*(SELECT|INSERT|UPDATE|DELETE)", re.I)
    for path in (ROOT / "salesops").rglob("*.py"):
        assert not pattern.search(path.read_text(encoding="utf-8")), path


FEATURES = ("kpis", "forecast", "territory", "time_allocation", "pipeline_review")
# Declarative tables (column layouts of each CRM export) may run longer than logic may.
LONG_MODULES_ALLOWED: set[str] = set()
MAX_MODULE_LINES = 650
MAX_FUNCTION_LINES = 80


def _package_modules() -> list[Path]:
    return sorted((ROOT / "salesops").rglob("*.py"))


def test_one_name_per_feature_in_every_layer():
    for feature in FEATURES:
        assert (ROOT / "salesops" / feature / "report.py").is_file(), feature
        assert (ROOT / "salesops" / "repository" / f"{feature}.py").is_file(), feature
        assert (ROOT / "salesops" / "charts" / f"{feature}.py").is_file(), feature
        assert (ROOT / "pages" / f"{feature}.py").is_file(), feature
        assert (ROOT / "salesops" / "cli" / f"{feature}.py").is_file(), feature
        ui = ROOT / "salesops" / "ui"
        assert (ui / f"{feature}.py").is_file() or (ui / feature).is_dir(), feature
    for data_part in ("importing", "quality"):
        assert (ROOT / "salesops" / data_part / "report.py").is_file(), data_part
    assert (ROOT / "pages" / "data.py").is_file() and (
        ROOT / "salesops" / "ui" / "data.py"
    ).is_file()


def test_modules_stay_small():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in _package_modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
        and str(path.relative_to(ROOT)) not in LONG_MODULES_ALLOWED
    }
    assert not too_long, f"split these modules by concept: {too_long}"


def test_functions_stay_short():
    import ast

    too_long = []
    for path in [*_package_modules(), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(
                        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length})"
                    )
    assert not too_long, f"split these into named steps: {too_long}"
