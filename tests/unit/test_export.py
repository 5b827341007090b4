"""Safe CSV export (RELIABILITY.md): formulas neutralised, numbers untouched, round trip."""

from __future__ import annotations

import csv
import io
import math

import pandas as pd
import pytest

from salesops.export import neutralise, to_safe_csv


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("-2+3", "'-2+3"),
        ("+1", "'+1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("＝1+1", "'＝1+1"),
        ("Acme Inc.", "Acme Inc."),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


def test_csv_neutralises_text_but_not_numbers_and_blanks_undefined():
    frame = pd.DataFrame(
        {
            "name": ["=CMD|' /C calc'!A0", "Globex"],
            "amount": [-1200.5, 300.0],
            "ratio": [math.inf, float("nan")],
            "count": pd.array([-3, None], dtype="Int64"),
        }
    )
    data = to_safe_csv(frame)
    assert data.startswith("\ufeff".encode())
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["name", "amount", "ratio", "count"]
    assert rows[1] == ["'=CMD|' /C calc'!A0", "-1200.5", "", "-3"]
    assert rows[2] == ["Globex", "300.0", "", ""]


def test_round_trip_keeps_text_readable():
    frame = pd.DataFrame({"note": ['say "hi", then leave', "line\nbreak"], "n": [1, 2]})
    parsed = pd.read_csv(io.BytesIO(to_safe_csv(frame)), encoding="utf-8-sig")
    assert parsed["note"].tolist() == frame["note"].tolist()
    assert parsed["n"].tolist() == [1, 2]


@pytest.mark.parametrize(
    "lead", ["\u00a0", "\u3000", "\n", "\x0b", "\x0c", " \u00a0\n", "\u200b", "\ufeff"]
)
@pytest.mark.parametrize("formula", ["=1+1", "+1", "-1+2", "@SUM(1)", "＝1"])
def test_smaller_exporter_neutralises_after_nbsp_u3000_newline_vt_ff(lead, formula):
    cell = lead + formula
    assert neutralise(cell) == "'" + cell
    written = to_safe_csv(pd.DataFrame({"name": [cell]})).decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(written.split("\r\n", 1)[1])))[0] == "'" + cell


@pytest.mark.parametrize("cell", ["\u00a0Acme", "\u3000株式会社", "\nnote", "a\n=b"])
def test_smaller_exporter_leaves_text_after_whitespace_alone(cell):
    assert neutralise(cell) == cell
