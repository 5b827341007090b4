"""Every default of the time-allocation model lives in Settings: no literal restates one."""

from __future__ import annotations

import ast
from dataclasses import fields
from pathlib import Path

from salesops.config import Settings

PACKAGE = Path(__file__).resolve().parents[3] / "salesops" / "time_allocation"
# Parameters the report fills from a Settings field of another name.
FILLED_FROM_SETTINGS = {
    "benchmark",
    "working_weeks",
    "freq",
    "n",
    "ratio",
    "fallback",
    "basis",
    "middle_share",
    "lift",
    "ramped_from",
    "max_tenure",
    "threshold",
    "ramp_months",
    "shift_share",
    "sales_ops_hourly_cost",
    "sales_ops_time_factor",
    "selling_conversion",
    "elasticity",
    "release_unconverted",
}
NAMES = {f.name for f in fields(Settings)} | FILLED_FROM_SETTINGS


def _set(node: ast.expr | None) -> bool:
    """Returns True when a default is given (None means "unset": the caller fills it)."""
    return node is not None and not (isinstance(node, ast.Constant) and node.value is None)


def _literal(node: ast.expr | None) -> bool:
    """Returns True for a written-out value (0.25, "W", (0.1, 0.2), 1 / 3)."""
    if not _set(node):
        return False
    written = (ast.Constant, ast.Tuple, ast.UnaryOp, ast.BinOp, ast.operator, ast.unaryop)
    return all(isinstance(part, (*written, ast.expr_context)) for part in ast.walk(node))


def _defaulted(tree: ast.Module) -> list[tuple[str, int]]:
    """Returns (name, line) of each parameter or field with a default, constant with a literal."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            positional = args.posonlyargs + args.args
            skipped = len(positional) - len(args.defaults)
            pairs = list(zip(positional[skipped:], args.defaults, strict=True))
            pairs += list(zip(args.kwonlyargs, args.kw_defaults, strict=True))
            found += [(a.arg, a.lineno) for a, d in pairs if _set(d)]
        elif isinstance(node, ast.ClassDef):
            found += [
                (item.target.id, item.lineno)
                for item in node.body
                if isinstance(item, ast.AnnAssign)
                and isinstance(item.target, ast.Name)
                and _set(item.value)
            ]
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and _literal(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [(t.id.lower(), node.lineno) for t in targets if isinstance(t, ast.Name)]
    return found


def test_no_setting_is_restated_with_a_default_in_the_package():
    offending = [
        f"{path.name}:{line} {name}"
        for path in sorted(PACKAGE.glob("*.py"))
        for name, line in _defaulted(ast.parse(path.read_text(encoding="utf-8")))
        if name in NAMES
    ]
    assert offending == []


def test_the_scan_finds_a_restated_default():
    code = (
        "LIFT = 0.1\nB = 1 / 3\ndef f(x, n=None, *, benchmark=B, freq=None, lift=0.1):\n    pass\n"
    )
    found = [name for name, _ in _defaulted(ast.parse(code)) if name in NAMES]
    assert sorted(found) == ["benchmark", "lift", "lift"]
