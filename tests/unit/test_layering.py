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
        if "ui" not in p.relative_to(ROOT).parts and p.name != "__main__.py"
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
