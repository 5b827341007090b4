"""Writing the demo's tables into PostgreSQL with COPY, the rows' text written by Arrow.

salesops.db.engine.bulk_insert builds COPY's text in Python, value by value (str() of each
cell): for the large demo's 14M rows that was ~30 s of the client's CPU, most of the
PostgreSQL build's ~33 s of writing, with the server waiting on it. Arrow's CSV writer
builds the same lines in C++ (~8x less CPU), a block at a time, so the server stores one
block while the next is written. Every value reaches the server as the same value: the
text of dates and ids is the demo load's own (_for_insert), numbers are written in
Arrow's shortest round-trip form (100 for 100.0, 1e-7 for 1e-07: the same float8 or
numeric once read), booleans as true/false, missing values as NULL.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Connection, Table

COPY_ROWS = 50_000  # rows per block of text sent to the server
# COPY's text format: these characters in a value are written as escapes
_TEXT_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def copy_frame(conn: Connection, table: Table, frame: pd.DataFrame, *, freeze: bool) -> int:
    """Inserts every row of `frame` (columns named as in `table`) with COPY; returns how many.

    `frame` holds what bulk_insert takes (dates as ISO text or None). With `freeze`, for a
    table emptied in this transaction, the rows are written frozen (see bulk_insert).
    COPY's text format unless a text value holds a double quote, which Arrow writes only
    quoted: then CSV, where the quotes are read back as written.
    """
    if frame.empty:
        return 0
    from psycopg import sql

    columns = {name: pa.array(frame[name], from_pandas=True) for name in frame.columns}
    texts = [n for n, c in columns.items() if _is_text(c.type)]
    csv = any(pc.any(pc.match_substring(columns[n], '"')).as_py() for n in texts)
    if csv:
        options = pacsv.WriteOptions(include_header=False)
        format_ = sql.SQL("FORMAT csv")
    else:
        for name in texts:
            columns[name] = _text_escaped(columns[name])
        options = pacsv.WriteOptions(
            include_header=False, delimiter="\t", quoting_style="none", null_string="\\N"
        )
        format_ = sql.SQL("FORMAT text")
    rows = pa.table(columns)
    copy = sql.SQL("COPY {} ({}) FROM STDIN WITH ({}{})").format(
        sql.Identifier(table.name),
        sql.SQL(", ").join(map(sql.Identifier, frame.columns)),
        format_,
        sql.SQL(", FREEZE" if freeze else ""),
    )
    raw = conn.connection.driver_connection
    assert raw is not None  # a live connection inside a transaction
    with raw.cursor() as cursor, cursor.copy(copy) as writer:
        for start in range(0, rows.num_rows, COPY_ROWS):
            sink = pa.BufferOutputStream()
            pacsv.write_csv(rows.slice(start, COPY_ROWS), sink, options)
            writer.write(sink.getvalue())
    return rows.num_rows


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _text_escaped(values: pa.Array) -> pa.Array:
    """Returns text values with COPY's text-format escapes (backslash first)."""
    if not pc.any(pc.match_substring_regex(values, r"[\\\t\n\r]")).as_py():
        return values
    for char, escaped in _TEXT_ESCAPES:
        values = pc.replace_substring(values, char, escaped)
    return values
