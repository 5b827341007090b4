"""Issue 20 case 7: one escaping helper for user-supplied text rendered as Markdown."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from salesops.ui.markdown import md, md_list

ROOT = Path(__file__).resolve().parents[3]
HOSTILE = [
    "![x](http://evil.example/p.png)",
    "[Click to re-login](https://evil.example/login)",
    "<img src=x onerror=alert(1)>",
    "**bold** _it_ `code` # heading",
    ":red[alarm] :material/warning:",
    "www.evil.example",
    "a@evil.example",
]
# A Markdown link or image, an autolink, an HTML tag or a directive left unescaped.
UNSAFE = re.compile(r"(?<!\\)\]\((?!\))|(?<!\\)!\[|://|www\.|(?<!\\)<[a-z]|(?<!\\):red(?<!\\)\[")


@pytest.mark.parametrize("text", HOSTILE)
def test_case_7_md_leaves_no_link_image_html_or_directive(text):
    shown = md(text)
    assert not UNSAFE.search(shown), shown
    # every character of the original is still there, in order (escapes and a zero-width
    # space in between), so the reader sees the name as it was imported
    plain = shown.replace("\\", "").replace("\u200b", "")
    assert plain == text


def test_case_7_md_keeps_one_line_and_cuts_long_values():
    assert md("a\nb\r\n# c") == "a b # c" and md("# c") == "\\# c"
    long = md("9" * 5000)
    assert len(long) == 120 and long.endswith("…")
    assert md_list(["[a](b)", "c"]) == "\\[a\\](b), c"


# Markdown-rendering calls whose first argument is shown as Markdown.
MARKDOWN_CALLS = {
    "markdown", "caption", "subheader", "header", "title", "warning", "error", "info",
    "success", "toast", "metric", "expander",
}  # fmt: skip
# Interpolated expressions holding imported, linked or user-typed text: each must go
# through md() wherever it is interpolated into Markdown.
USER_TEXT = re.compile(
    r"(scope_label|scope\.label|panel\.scope\b|\bname\b|\['name'\]|email|viewer\.label|top_rep|"
    r"\bexc\b|proposal\.message|\bnote\b|problem|unknown_columns|\.file\b)"
)


def _unescaped(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in MARKDOWN_CALLS
            and node.args
        ):
            continue
        for part in ast.walk(node.args[0]):
            if isinstance(part, ast.FormattedValue):
                value = part.value
                escaped = (
                    isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Name)
                    and value.func.id in ("md", "md_list")
                )
                text = ast.unparse(value)
                constant = re.match(r"[A-Z_]+[\[.]", text)  # LIST_TITLES[name]: our own words
                if not escaped and not constant and USER_TEXT.search(text):
                    found.append(f"{path.relative_to(root)}:{node.lineno} {text}")
    return found


def test_case_7_no_page_or_ui_module_interpolates_user_text_unescaped():
    files = [*sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "salesops/ui").glob("*.py"))]
    found = [hit for path in files for hit in _unescaped(path)]
    assert not found, "wrap these in salesops.ui.markdown.md(): " + "; ".join(found)


def test_case_7_the_scan_finds_an_unescaped_name(tmp_path):
    page = tmp_path / "page.py"
    page.write_text('st.subheader(f"Deals closed: {name}")\nst.caption(f"{md(name)}")\n')
    assert len(_unescaped(page, tmp_path)) == 1
