"""Landed file bytes -> a table of strings, one column per header column.

CSV is parsed by `pyarrow.csv` (standard dialect: `,`, `"` quoting with doubled quotes,
newlines allowed inside quotes), every column as a string; an empty field becomes null.
Rows with the wrong number of fields are set aside with their text. If the file is not
valid UTF-8, each line that does not decode is set aside (its bytes' repr) and the rest
is parsed. JSON lines (`.jsonl`, `.ndjson`) hold one object per line keyed by the source
column names. A `.gz` suffix means gzip.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pulse.load.errors import LoadError

ROW_NUMBER = "__row_number"
RAW_TEXT = "__raw_text"
UNDECODABLE = "undecodable text (not UTF-8)"
_BOM = b"\xef\xbb\xbf"
_MARK = "\x01pulse-undecodable:"
_SURROGATE = re.compile("[\udc80-\udcff]")
_BLANK = re.compile(rb"\s*\Z")
_TEXT = re.compile(rb"\S")
_LINE_END = re.compile(rb"[\r\n]")
_BLOCK_SIZE = 16 << 20
_JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class Reject:
    """A record set aside while reading."""

    row_number: int
    reason: str
    raw_text: str


@dataclass
class RawFile:
    """The records of one file, as text.

    `table` has one string column per header position (named `c0`, `c1`, ...), then
    `__row_number` (1-based data record number) and, for JSON lines, `__raw_text`.
    """

    header: list[str]
    table: pa.Table
    rejects: list[Reject] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return int(self.table.num_rows) + len(self.rejects)


def column_key(position: int) -> str:
    return f"c{position}"


def file_format(name: str) -> str:
    """`jsonl` or `csv`, from the file name (a trailing `.gz` is ignored)."""
    base = name.lower().removesuffix(".gz")
    return "jsonl" if base.endswith(_JSONL_SUFFIXES) else "csv"


def decompress(data: bytes, name: str) -> bytes:
    """The file's content: gunzipped when the name ends in `.gz`."""
    if not name.lower().endswith(".gz"):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as err:
        raise LoadError(f"{name}: not a complete gzip file ({err})") from err


def read_bytes(data: bytes, name: str) -> RawFile:
    """Parse a file's (decompressed) content by its format."""
    if file_format(name) == "jsonl":
        return read_jsonl(data)
    return read_csv(data, name)


def read_csv(data: bytes, name: str = "<csv>") -> RawFile:
    data = data.removeprefix(_BOM)
    if _BLANK.match(data):
        return _empty()
    if not data.endswith(b"\n"):
        data += b"\n"  # a header-only file without a final newline is still a header
    header = _csv_header(data, name)
    stash: list[str] = []
    if not is_utf8(data):
        data, stash = _mask_undecodable(data, len(header))
    try:
        table, invalid = _arrow_csv(data, header, use_threads=True)
        if invalid:  # row numbers of bad rows are only known to the serial reader
            table, invalid = _arrow_csv(data, header, use_threads=False)
    except pa.ArrowInvalid as err:
        raise LoadError(f"{name}: cannot parse as CSV: {err}") from err
    return _assemble(table, invalid, stash, name)


def _csv_header(data: bytes, name: str) -> list[str]:
    """The first record's fields, as Arrow will name the columns (best effort)."""
    first_text = _TEXT.search(data)
    start = first_text.start() if first_text else 0
    line_end = _LINE_END.search(data, start)
    first = data[start : line_end.start() if line_end else len(data)]
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError as err:
        raise LoadError(f"{name}: the header line is not UTF-8 text") from err
    try:
        return next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        return []  # Arrow names the columns; they are typed from its names


def _arrow_csv(
    data: bytes, header: list[str], *, use_threads: bool
) -> tuple[pa.Table, list[tuple[int | None, int, int, str]]]:
    invalid: list[tuple[int | None, int, int, str]] = []

    def on_invalid(row: Any) -> str:
        invalid.append((row.number, row.expected_columns, row.actual_columns, row.text))
        return "skip"

    table = pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(use_threads=use_threads, block_size=_BLOCK_SIZE),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
        ),
    )
    if any(not pa.types.is_string(t) for t in table.schema.types):
        # the header was read differently from our reading of its first line: type by
        # the names Arrow saw
        names = list(table.column_names)
        if names != header:
            return _arrow_csv(data, names, use_threads=use_threads)
    return table, invalid


def _assemble(
    table: pa.Table, invalid: list[tuple[int | None, int, int, str]], stash: list[str], name: str
) -> RawFile:
    rejects: list[Reject] = []
    for number, expected, actual, text in invalid:
        if number is None:
            raise LoadError(f"{name}: the CSV reader did not number a malformed row")
        if text.startswith(_MARK):
            k = int(text[len(_MARK) :].split(",", 1)[0])
            rejects.append(Reject(number - 1, UNDECODABLE, stash[k]))
        else:
            reason = f"wrong column count: expected {expected}, got {actual}"
            if "\n" in text or "\r" in text:
                reason += " (a quoted field runs over several lines: an unbalanced quote?)"
            rejects.append(Reject(number - 1, reason, text))
    total = table.num_rows + len(rejects)
    numbers = np.arange(1, total + 1, dtype=np.int64)
    if rejects:
        numbers = np.setdiff1d(numbers, [r.row_number for r in rejects], assume_unique=True)
    if len(numbers) != table.num_rows:
        raise LoadError(f"{name}: could not number the records of the file")
    columns = [_empty_to_null(c) for c in table.columns]
    names = [column_key(i) for i in range(len(columns))]
    out = pa.table([*columns, pa.array(numbers)], names=[*names, ROW_NUMBER])
    return RawFile(_header_names(table.column_names), out, rejects)


def _header_names(names: list[str]) -> list[str]:
    """Header names without surrounding blanks; an empty one is `_c<position>`, as in Spark."""
    stripped = [str(n).strip() for n in names]
    return [n or f"_c{i}" for i, n in enumerate(stripped)]


def _empty_to_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    empty = pc.equal(pc.binary_length(column), 0)
    return pc.if_else(empty, pa.scalar(None, pa.string()), column)


def is_utf8(data: bytes) -> bool:
    """Whether `data` is valid UTF-8 (Arrow's vectorised check, no decoding)."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _mask_undecodable(data: bytes, columns: int) -> tuple[bytes, list[str]]:
    """Replace each line that is not UTF-8 by a marker row with too many fields.

    The marker keeps the line's place, so record numbers do not shift, and comes back
    through the invalid-row handler, where it becomes an `undecodable text` reject.
    """
    text = data.decode("utf-8", "surrogateescape")
    stash: list[str] = []
    pieces: list[str] = []
    done = 0
    for match in _SURROGATE.finditer(text):
        if match.start() < done:
            continue  # another bad byte on a line already replaced
        start = max(text.rfind("\n", 0, match.start()), text.rfind("\r", 0, match.start())) + 1
        ends = [
            e for e in (text.find("\n", match.start()), text.find("\r", match.start())) if e >= 0
        ]
        end = min(ends, default=len(text))
        line = text[start:end].encode("utf-8", "surrogateescape").rstrip(b"\r")
        pieces.append(text[done:start])
        pieces.append(f"{_MARK}{len(stash)}" + "," * columns)
        stash.append(repr(line))
        done = end
    pieces.append(text[done:])
    return "".join(pieces).encode("utf-8"), stash


def read_jsonl(data: bytes) -> RawFile:
    """One JSON object per non-blank line; the keys are the header."""
    rejects: list[Reject] = []
    objects: list[dict[str, Any]] = []
    numbers: list[int] = []
    lines: list[str] = []
    number = 0
    for raw in data.removeprefix(_BOM).split(b"\n"):
        raw = raw.rstrip(b"\r")
        if not raw.strip():
            continue
        number += 1
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            rejects.append(Reject(number, UNDECODABLE, repr(raw)))
            continue
        try:
            value = json.loads(text)
        except ValueError as err:
            rejects.append(Reject(number, f"invalid JSON: {err}", text))
            continue
        if not isinstance(value, dict):
            rejects.append(Reject(number, "not a JSON object", text))
            continue
        objects.append(value)
        numbers.append(number)
        lines.append(text)
    header = list(dict.fromkeys(k for obj in objects for k in obj))
    columns = [
        pa.array([_json_text(obj.get(key)) for obj in objects], pa.string()) for key in header
    ]
    names = [column_key(i) for i in range(len(header))]
    table = pa.table(
        [*columns, pa.array(numbers, pa.int64()), pa.array(lines, pa.string())],
        names=[*names, ROW_NUMBER, RAW_TEXT],
    )
    return RawFile(_header_names(header), table, rejects)


def _json_text(value: Any) -> str | None:
    """A JSON value as the text a CSV would hold: strings as is, the rest as JSON."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _empty() -> RawFile:
    return RawFile([], pa.table({ROW_NUMBER: pa.array([], pa.int64())}))
