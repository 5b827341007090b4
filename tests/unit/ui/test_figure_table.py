"""A headline's figures as one Markdown table (salesops.ui.figure_table)."""

from __future__ import annotations

from salesops.ui.figure_table import Tile, figures_help, figures_markdown, toned


def _cells(text: str) -> list[list[str]]:
    """Returns the table's rows as raw cells (what Markdown receives)."""
    return [line.strip()[2:-2].split(" | ") for line in text.split("\n")]


def test_labels_head_the_columns_and_values_are_bold_and_escaped():
    text = figures_markdown([Tile("Booked, Q4 2026 to date", "$8.84M"), Tile("Reps", "3 | 4")])
    rows = _cells(text)
    assert rows[0] == ["Booked, Q4 2026 to date", "Reps"]
    assert rows[1] == [":--", ":--"]
    # "$" would start LaTeX and "|" a new cell: both escaped
    assert rows[2] == ["**\\$8.84M**", "**3 \\| 4**"]
    assert len(rows) == 3  # no note or caption row when no tile has one


def test_notes_are_coloured_by_tone_and_captions_follow_on_their_own_row():
    tiles = [
        Tile("Q4 2026 forecast", "$17.5M", note="$7M short of quota", tone="bad", caption="72%"),
        Tile("Q1 2027 forecast", "$17.7M", note="$1M above quota", tone="good"),
        Tile("Share", "31%"),
    ]
    rows = _cells(figures_markdown(tiles))
    assert rows[3] == [":red[\\$7M short of quota]", ":green[\\$1M above quota]", ""]
    assert rows[4] == ["72%", "", ""]


def test_a_user_supplied_label_cannot_become_a_link():
    text = figures_markdown([Tile("[Click](http://evil.example)", "1")])
    assert "](" not in text.replace("\\]", "") and "http://" not in text


def test_help_lists_each_defined_figure_once():
    tiles = [Tile("Balance index", "0.29", help="Spread: 0 = even."), Tile("Over", "3")]
    assert figures_help(tiles) == "**Balance index**: Spread\\: 0 = even."
    assert figures_help([Tile("Over", "3")]) is None


def test_toned_colours_good_green_bad_red_else_grey():
    assert [toned("x", t) for t in ("good", "bad", "neutral", "none", "?")] == [
        ":green[x]",
        ":red[x]",
        ":gray[x]",
        ":gray[x]",
        ":gray[x]",
    ]
