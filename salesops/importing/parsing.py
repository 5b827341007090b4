"""Parsing a CSV file's records into string chunks numbered by spreadsheet row.

Records are parsed by pyarrow's streaming CSV reader (one block at a time, so a file of
millions of rows is never held whole), every value kept as text. A record whose field
count differs from the header's (a short row, a stray delimiter) is not filled with blanks
or dropped: it stays in its chunk as a *ragged* row (`RAGGED_FIELDS` > 0, its text in
`RAGGED_TEXT`) so validation reports it with its row number. A quote that is never closed
swallows the rest of the file, so it rejects the file, naming the row where it opens.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pandas as pd

from salesops.importing.reading import (
    MISSING_MARKERS,
    CsvInput,
    FileFormat,
    ImportRejected,
    ReadSettings,
)

if TYPE_CHECKING:
    import pyarrow as pa

RAGGED_FIELDS = "_fields"  # fields a ragged record had (0 for a well-formed one)
RAGGED_TEXT = "_raw"  # the ragged record as written (shown in its problem)
_MIN_BLOCK = 1 << 20
_MAX_BLOCK = 64 << 20
_RAW_SHOWN = 80


def _arrow_encoding(encoding: str) -> str:
    """Returns the encoding name for pyarrow: UTF-8 is read natively, the rest is transcoded."""
    name = codecs.lookup(encoding).name
    return "utf8" if name in ("utf-8", "utf-8-sig") else encoding


def _block_size(inp: CsvInput, chunk_rows: int) -> int:
    """Returns a parse block size holding about `chunk_rows` records of this file."""
    with inp.open() as stream:
        sample = stream.read(_MIN_BLOCK)
    lines = max(sample.count(b"\n"), 1)
    per_row = len(sample) / lines
    return int(min(max(per_row * chunk_rows * 1.2, _MIN_BLOCK), _MAX_BLOCK))


def unclosed_quote_row(inp: CsvInput, fmt: FileFormat) -> int | None:
    """Returns the spreadsheet row where a never-closed quote opens, or None if there is none."""
    with inp.open() as raw:
        text = io.TextIOWrapper(raw, encoding=fmt.encoding, errors="replace", newline="")
        reader = csv.reader(text, delimiter=fmt.delimiter, strict=True)
        records = 0
        try:
            for _ in reader:
                records += 1
        except csv.Error as exc:
            # The quoted field runs to the end of the file, or past any sane cell size.
            if "unexpected end of data" in str(exc) or "field limit" in str(exc):
                return records + 1
            return None
    return None


def _unclosed_quote(inp: CsvInput, row: int | None) -> ImportRejected:
    """Returns the rejection of a file whose quote at `row` is never closed."""
    where = f"{inp.name} row {row}" if row is not None else inp.name
    return ImportRejected(
        f"{where}: a quote opened in this row is never closed, so the rest of the file would "
        'be read as one cell. Close the quote (or double it, "", inside a value) and try again.',
        file=inp.name,
    )


class _Ragged:
    """Collects the records whose field count differs from the header's, by row number."""

    def __init__(self) -> None:
        self.rows: dict[int, tuple[int, str]] = {}
        self.skipped: set[int] = set()
        self.unclosed_at: int | None = None

    def __call__(self, row: object) -> str:
        number = getattr(row, "number", None)
        text = str(getattr(row, "text", ""))
        if number is None:  # pragma: no cover - serial parsing always knows the row
            return "error"
        self.skipped.add(number)
        if not text.strip():
            return "skip"  # a whitespace-only line is a blank row
        if text.count('"') % 2 == 1:  # a well-formed record always has quotes in pairs
            self.unclosed_at = number if self.unclosed_at is None else self.unclosed_at
        self.rows[number] = (int(getattr(row, "actual_columns", 0)), text)
        return "skip"

    def take_until(self, last: int | None) -> dict[int, tuple[int, str]]:
        """Returns (and forgets) the ragged rows numbered up to `last` (all when None)."""
        taken = {n: v for n, v in self.rows.items() if last is None or n <= last}
        for number in taken:
            del self.rows[number]
        return taken


def _open_reader(
    stream: object, fmt: FileFormat, block: int, handler: _Ragged
) -> pa.RecordBatchReader:
    """Returns pyarrow's streaming reader over the records after the header, all as text."""
    import pyarrow as pa
    import pyarrow.csv as pc

    names = [f"c{i}" for i in range(len(fmt.columns))]
    return pc.open_csv(
        stream,
        read_options=pc.ReadOptions(
            use_threads=False,
            block_size=block,
            skip_rows=1,
            column_names=names,
            encoding=_arrow_encoding(fmt.encoding),
        ),
        parse_options=pc.ParseOptions(
            delimiter=fmt.delimiter,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=handler,
        ),
        convert_options=pc.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            null_values=[],
        ),
    )


class _Numbering:
    """Gives each parsed record its spreadsheet row number, skipping the ragged ones."""

    def __init__(self, ragged: _Ragged) -> None:
        self.ragged = ragged
        self.next_row = 2  # the header is row 1

    def take(self, count: int) -> list[int]:
        """Returns the row numbers of the next `count` well-formed records."""
        numbers: list[int] = []
        row = self.next_row
        skipped = self.ragged.skipped
        if not any(n >= row for n in skipped):  # no ragged row ahead: consecutive numbers
            self.next_row = row + count
            return list(range(row, row + count))
        while len(numbers) < count:
            if row not in skipped:
                numbers.append(row)
            row += 1
        self.next_row = row
        return numbers


def _frame(
    table: pa.Table, numbers: list[int], ragged: dict[int, tuple[int, str]], fmt: FileFormat
) -> pd.DataFrame:
    """Returns the chunk as a frame indexed by row: data columns, then the ragged markers."""
    frame = table.to_pandas()
    frame.columns = list(fmt.columns)
    frame.index = pd.Index(numbers, dtype="int64")
    frame = frame.mask(frame.isin(MISSING_MARKERS))
    frame = frame.dropna(how="all")  # blank rows keep their number but hold nothing
    frame[RAGGED_FIELDS] = 0
    frame[RAGGED_TEXT] = pd.Series(pd.NA, index=frame.index, dtype="object")
    if ragged:
        extra = pd.DataFrame(index=pd.Index(sorted(ragged), dtype="int64"), columns=frame.columns)
        extra[RAGGED_FIELDS] = [ragged[n][0] for n in extra.index]
        extra[RAGGED_TEXT] = [ragged[n][1][:_RAW_SHOWN] for n in extra.index]
        frame = pd.concat([frame, extra]).sort_index()
    return frame


def _rechunk(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    """Yields tables of exactly `rows` records (the last one shorter) from record batches."""
    import pyarrow as pa

    pending: list[pa.RecordBatch] = []
    held = 0
    for batch in batches:
        pending.append(batch)
        held += batch.num_rows
        while held >= rows:
            table = pa.Table.from_batches(pending)
            yield table.slice(0, rows)
            rest = table.slice(rows)
            pending, held = rest.to_batches(), rest.num_rows
    if held:
        yield pa.Table.from_batches(pending)


def _check_row_cap(inp: CsvInput, rows_seen: int, settings: ReadSettings) -> None:
    """Rejects the file once it has more data rows than the row limit."""
    if settings.max_rows is not None and rows_seen > settings.max_rows:
        raise ImportRejected(
            f"{inp.name} has more than {settings.max_rows:,} rows, the row limit for one "
            "import: split the file or use `salesops import --max-rows`.",
            file=inp.name,
        )


def _parse_failure(inp: CsvInput, fmt: FileFormat, exc: Exception) -> ImportRejected:
    """Returns the rejection for a parse the reader gave up on (an unclosed quote, mostly)."""
    row = unclosed_quote_row(inp, fmt)
    if row is not None or "straddl" in str(exc):
        return _unclosed_quote(inp, row)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ImportRejected(f"{inp.name} could not be parsed as CSV: {text}.", file=inp.name)


def read_chunks(
    inp: CsvInput,
    fmt: FileFormat,
    settings: ReadSettings,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[pd.DataFrame]:
    """Yields the file as string frames of at most `settings.chunk_rows` well-formed rows.

    Columns are the normalised headers plus RAGGED_FIELDS / RAGGED_TEXT; the index is the
    spreadsheet row number (header = row 1, first data row = row 2; blank rows are counted,
    then dropped). `progress(bytes_read, total_bytes)` is called after each chunk. Raises
    ImportRejected for a never-closed quote (naming its row) or beyond the row cap.
    """
    import pyarrow as pa

    total = inp.size()
    ragged = _Ragged()
    numbering = _Numbering(ragged)
    rows_seen = 0
    block = _block_size(inp, settings.chunk_rows)
    with inp.open() as stream:
        try:
            reader = _open_reader(stream, fmt, block, ragged)
            for table in _rechunk(iter(reader), settings.chunk_rows):
                numbers = numbering.take(table.num_rows)
                if ragged.unclosed_at is not None:
                    raise _unclosed_quote(inp, ragged.unclosed_at)
                rows_seen += table.num_rows
                _check_row_cap(inp, rows_seen, settings)
                if progress is not None:
                    progress(min(stream.tell(), total), total)
                yield _frame(table, numbers, ragged.take_until(numbers[-1]), fmt)
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise _parse_failure(inp, fmt, exc) from exc
    if ragged.unclosed_at is not None:
        raise _unclosed_quote(inp, ragged.unclosed_at)
    rest = ragged.take_until(None)
    if rest:
        _check_row_cap(inp, rows_seen + len(rest), settings)
        empty = pa.table({f"c{i}": pa.array([], pa.string()) for i in range(len(fmt.columns))})
        yield _frame(empty, [], rest, fmt)
