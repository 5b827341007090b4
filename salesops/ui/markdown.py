"""The one escaping of user-supplied text shown through Streamlit's Markdown.

Titles, subheaders, captions, alerts, metric labels and expander labels are Markdown: a rep
named `![x](http://host/p.png)` would make every viewer's browser fetch that URL, and
`[Click to re-login](http://host)` would become a link. Every name, label, file name,
e-mail, URL value or message that holds data from an import, the URL or a user goes
through `md` before it is interpolated into Markdown (tests/unit/ui/test_markdown.py scans
pages/ and salesops/ui/ for interpolations that do not).
"""

from __future__ import annotations

import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the
# ones Markdown, GFM and Streamlit's directives (:red[...], :material/icon:) give a meaning
# anywhere in a line...
_SPECIALS = re.compile(r"([\\`*_\[\]!|<>~$:])")
# ...and these only at its start (a heading, a list item, a quote, a setext line).
_LEADING = re.compile(r"^([#+\-=]|\d+(?=[.)]))")
# Bare URLs and www. hosts become links (GFM autolinks): a zero-width space breaks them.
_AUTOLINK = re.compile(r"(?i)(://|www\.|@)")
_ZERO_WIDTH_SPACE = "\u200b"
# Longer values (a 5,000-digit id in a link) are cut with an ellipsis.
SHOWN_CHARS = 120


def one_line(value: object, limit: int = SHOWN_CHARS) -> str:
    """Returns `value` as text on one line, cut with an ellipsis past `limit` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def md(value: object, limit: int = SHOWN_CHARS) -> str:
    """Returns `value` as text Markdown shows verbatim: no link, image, emphasis or heading.

    Newlines become spaces (a caption stays one paragraph) and text longer than `limit`
    characters is cut with an ellipsis (`one_line`).
    """
    text = one_line(value, limit)
    text = _AUTOLINK.sub(lambda m: m.group(1)[0] + _ZERO_WIDTH_SPACE + m.group(1)[1:], text)
    text = _SPECIALS.sub(r"\\\1", text)
    leading = _LEADING.match(text)
    if leading and leading.group(1)[0].isdigit():
        end = leading.end()
        return text[:end] + "\\" + text[end:]
    return _LEADING.sub(r"\\\1", text)


def md_list(values: object, separator: str = ", ", limit: int = SHOWN_CHARS) -> str:
    """Returns the values escaped one by one and joined (the separator is not escaped)."""
    return separator.join(md(v, limit) for v in values)  # type: ignore[attr-defined]
