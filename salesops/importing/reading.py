"""Reading CSV bytes safely: encoding, delimiter, size/row caps, chunked string frames.

Everything is read as text (`dtype=str, keep_default_na=False`) so that no value is
silently turned into a float or NaN by pandas' inference (IBM's literal "None" stays
"None"); typing happens in `salesops.importing.validation`, where every bad value
becomes a row-level problem instead of a lost dtype.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from salesops.config import Settings

_DEFAULTS = Settings()
MB = 1024 * 1024
MISSING_MARKERS = ("", "NULL", "N/A")
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# What a user may type for a delimiter (`salesops import --delimiter tab`).
DELIMITER_ALIASES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
_SAMPLE_BYTES = 256 * 1024
_BLOCK_BYTES = 1 * MB
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


class ImportRejected(ValueError):
    """A file (or a whole import) refused before anything is written, with one clear sentence."""

    def __init__(self, message: str, *, file: str | None = None) -> None:
        super().__init__(message)
        self.file = file


@dataclass(frozen=True)
class CsvInput:
    """One uploaded or on-disk CSV file: a display name plus either its bytes or its path."""

    name: str
    data: bytes | None = None
    path: Path | None = None

    @classmethod
    def from_path(cls, path: str | Path) -> CsvInput:
        """Returns an input reading lazily from `path` (the file is never loaded whole)."""
        path = Path(path)
        return cls(name=path.name, path=path)

    def size(self) -> int:
        """Returns the file size in bytes."""
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        return self.path.stat().st_size

    def open(self) -> BinaryIO:
        """Returns a fresh binary stream positioned at the start of the file."""
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return self.path.open("rb")


@dataclass(frozen=True)
class ReadSettings:
    """How to read a file; None means "detect" (what was detected is reported back).

    The limits default to the Data page's (Settings.import_max_bytes, import_max_rows,
    import_chunk_rows); None lifts a limit.
    """

    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    date_format: str | None = None
    max_bytes: int | None = _DEFAULTS.import_max_bytes
    max_rows: int | None = _DEFAULTS.import_max_rows
    chunk_rows: int = _DEFAULTS.import_chunk_rows


def parse_delimiter(text: str | None) -> str | None:
    """Returns the delimiter for a typed name or character ("tab" is a tab); None to detect.

    Raises ImportRejected for anything but one character (`--delimiter ';;'`), a quote or
    a line break, naming what it accepts.
    """
    if not text:
        return None
    delimiter = DELIMITER_ALIASES.get(text.casefold(), text)
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise ImportRejected(
            f"Delimiter {text!r} is not one character: use , ; tab or | (or leave it out "
            "to detect it)."
        )
    return delimiter


@dataclass(frozen=True)
class FileFormat:
    """What was used to read a file: encoding, delimiter and the normalised header."""

    encoding: str
    encoding_note: str
    delimiter: str
    columns: tuple[str, ...]
    raw_columns: tuple[str, ...] = field(default=())

    @property
    def delimiter_name(self) -> str:
        """Returns the delimiter as a word ("comma", "semicolon", ...)."""
        return DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))


def normalise_header(name: str) -> str:
    """Returns a header in canonical form: no BOM, lower case, single spaces for `_ - .` runs.

    "<BOM>Opportunity ID" -> "opportunity id"; "close_date" -> "close date".
    """
    text = str(name).replace("\ufeff", "").strip().casefold()
    text = re.sub(r"[\s_\-\.]+", " ", text)
    return text.strip()


def _reject_if_not_text(inp: CsvInput, head: bytes) -> None:
    lower = inp.name.lower()
    if lower.endswith(_EXCEL_SUFFIXES) or head.startswith(b"PK\x03\x04"):
        raise ImportRejected(
            f"{inp.name} is an Excel workbook, not a CSV: save it as 'CSV UTF-8' and upload that.",
            file=inp.name,
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRejected(
            f"{inp.name} is an old Excel (.xls) file, not a CSV: save it as CSV and upload that.",
            file=inp.name,
        )


def _utf16_bom(head: bytes) -> bool:
    return head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _decodes(inp: CsvInput, encoding: str) -> tuple[bool, str]:
    """Returns (ok, detail) after decoding the whole stream block by block with `encoding`."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with inp.open() as stream:
        while block := stream.read(_BLOCK_BYTES):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                bad = block[exc.start : exc.start + 1].hex()
                return False, f"byte 0x{bad} at offset {offset + exc.start}"
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return False, f"truncated character at the end ({exc.reason})"
    return True, ""


def _check_binary(inp: CsvInput) -> None:
    with inp.open() as stream:
        first = True
        while block := stream.read(_BLOCK_BYTES):
            if b"\x00" in block:
                raise ImportRejected(
                    f"{inp.name} is a binary file (it contains NUL bytes), not a CSV text file.",
                    file=inp.name,
                )
            if first:
                controls = sum(1 for b in block[:4096] if b < 32 and b not in (9, 10, 13))
                if controls > max(8, len(block[:4096]) // 20):
                    raise ImportRejected(
                        f"{inp.name} looks like a binary file (control characters), not a CSV.",
                        file=inp.name,
                    )
                first = False


def detect_encoding(inp: CsvInput, forced: str | None = None) -> tuple[str, str]:
    """Returns (python codec name, human note) for the file, or raises ImportRejected.

    Order: UTF-16 with BOM; UTF-8 (with or without BOM, as `utf-8-sig`); charset_normalizer's
    guess (cp1252 preferred among equally plausible guesses); cp1252; latin-1. NUL bytes and
    Excel workbooks are rejected. A forced encoding must decode the whole file.
    """
    with inp.open() as stream:
        head = stream.read(_SAMPLE_BYTES)
    if not head:
        raise ImportRejected(f"{inp.name} is empty.", file=inp.name)
    _reject_if_not_text(inp, head)
    if forced:
        try:
            codecs.lookup(forced)
        except LookupError as exc:
            raise ImportRejected(f"Unknown encoding '{forced}'.", file=inp.name) from exc
        ok, detail = _decodes(inp, forced)
        if not ok:
            suggestion = ""
            with contextlib.suppress(ImportRejected):
                suggestion = f"; it looks like {detect_encoding(inp)[0]} — leave encoding on auto"
            raise ImportRejected(
                f"{inp.name} is not valid {forced} ({detail}){suggestion}.", file=inp.name
            )
        return forced, f"{forced} (chosen)"
    if _utf16_bom(head):
        ok, detail = _decodes(inp, "utf-16")
        if ok:
            return "utf-16", "UTF-16 with BOM"
        raise ImportRejected(f"{inp.name} is not valid UTF-16 ({detail}).", file=inp.name)
    _check_binary(inp)
    ok, _ = _decodes(inp, "utf-8-sig")
    if ok:
        bom = head.startswith(codecs.BOM_UTF8)
        return "utf-8-sig", "UTF-8 with BOM" if bom else "UTF-8"
    candidates: list[str] = []
    try:
        from charset_normalizer import from_bytes

        matches = list(from_bytes(head))
        if matches:
            least_chaos = min(m.chaos for m in matches)
            plausible = [m for m in matches if m.chaos == least_chaos]
            # Short Western-European samples are ambiguous between many code pages; CRM
            # exports from Windows Excel are overwhelmingly cp1252, so it wins a tie
            # (including when it decodes identically to the reported guess).
            western = any(
                m.encoding == "cp1252"
                or "cp1252" in m.could_be_from_charset
                or _same_text(head, m.encoding, "cp1252")
                for m in plausible
            )
            candidates.append("cp1252" if western else plausible[0].encoding)
    except ImportError:  # pragma: no cover - charset_normalizer is a pinned dependency
        pass
    candidates += ["cp1252", "latin-1"]
    for encoding in dict.fromkeys(candidates):
        ok, _ = _decodes(inp, encoding)
        if ok:
            return encoding, f"{encoding} (not UTF-8; detected)"
    raise ImportRejected(f"{inp.name}: could not determine its text encoding.", file=inp.name)


def _same_text(raw: bytes, first: str, second: str) -> bool:
    try:
        return raw.decode(first) == raw.decode(second)
    except (UnicodeDecodeError, LookupError):
        return False


def _sample_text(inp: CsvInput, encoding: str, max_chars: int = 64 * 1024) -> str:
    with inp.open() as stream:
        raw = stream.read(_SAMPLE_BYTES)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(raw)
    text = text[:max_chars]
    if len(raw) == _SAMPLE_BYTES and "\n" in text:
        text = text[: text.rfind("\n")]
    return text


def sniff_delimiter(sample: str) -> str:
    """Returns the delimiter (one of , ; tab |) that splits the sample into the most even columns.

    Each candidate parses the first lines with the csv module; the winner has more than one
    column and the most rows agreeing with the header's column count (ties -> more columns).
    A single-column file gives ",".
    """
    lines = sample.splitlines()[:50]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        rows = list(csv.reader(lines, delimiter=delimiter))
        rows = [row for row in rows if row]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        agreeing = sum(1 for row in rows if len(row) == width)
        score = (agreeing, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def inspect_format(inp: CsvInput, settings: ReadSettings) -> FileFormat:
    """Returns the file's encoding, delimiter and header, or raises ImportRejected.

    Checks the size cap before reading anything, rejects empty/binary/Excel files and files
    with a header but no data rows.
    """
    size = inp.size()
    if settings.max_bytes is not None and size > settings.max_bytes:
        raise ImportRejected(
            f"{inp.name} is {size / MB:.1f} MB; the upload limit is {settings.max_bytes / MB:.0f} "
            "MB. Split the file or import it with `salesops import` on the command line.",
            file=inp.name,
        )
    if size == 0:
        raise ImportRejected(f"{inp.name} is empty.", file=inp.name)
    encoding, note = detect_encoding(inp, settings.encoding)
    sample = _sample_text(inp, encoding)
    if not sample.strip():
        raise ImportRejected(f"{inp.name} is empty.", file=inp.name)
    delimiter = settings.delimiter or sniff_delimiter(sample)
    header_line = next(csv.reader(sample.splitlines()[:1] or [""], delimiter=delimiter), [])
    raw = tuple(h.replace("\ufeff", "") for h in header_line)
    data_lines = [line for line in sample.splitlines()[1:] if line.strip()]
    if not data_lines:
        raise ImportRejected(
            f"{inp.name} has a header but no data rows: nothing to import.", file=inp.name
        )
    return FileFormat(
        encoding=encoding,
        encoding_note=note,
        delimiter=delimiter,
        columns=tuple(normalise_header(h) for h in raw),
        raw_columns=raw,
    )
