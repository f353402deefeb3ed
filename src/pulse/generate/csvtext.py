"""CSV text: escaping, rendering rows to lines, and writing files byte-for-byte."""

from __future__ import annotations

import gzip
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pulse.generate.coded import Coded, Col, materialise
from pulse.generate.table import TableSpec

_NEEDS_QUOTES = r'[",\r\n]'


def escape(values: pa.Array) -> pa.Array:
    """Standard CSV quoting: fields with a comma, quote or line break are wrapped in
    double quotes, with inner quotes doubled."""
    needs = pc.match_substring_regex(values, _NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return values
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, values)


def escaped_columns(spec: TableSpec, columns: Sequence[pa.Array]) -> list[pa.Array]:
    return [escape(c) if col.free_text else c for col, c in zip(spec.columns, columns, strict=True)]


def join_lines(fields: Sequence[pa.Array], tail: str = "") -> pa.Array:
    """Escaped fields joined with commas, each line ending in ``tail`` + newline."""
    last = pc.binary_join_element_wise(fields[-1], tail + "\n", "")
    return pc.binary_join_element_wise(*fields[:-1], last, ",")


MERGE_LIMIT = 4_096  # largest product dictionary of adjacent coded columns


def render(spec: TableSpec, columns: Sequence[Col]) -> pa.Array:
    """One CSV line (with its newline) per row.

    Coded columns are escaped once per distinct value, and adjacent coded columns are
    merged before any row is touched: columns sharing their codes (attributes of one
    app or user) into one dictionary of joined text, then runs whose dictionaries
    multiply to at most MERGE_LIMIT into one dictionary of every combination. A row then
    costs one take per merged run; the newline is part of the last run's dictionary.
    """
    escaped: list[Col] = []
    for col, column in zip(spec.columns, columns, strict=True):
        if isinstance(column, Coded):
            dictionary = escape(column.dictionary) if col.free_text else column.dictionary
            escaped.append(Coded(dictionary, column.codes))
        else:
            escaped.append(escape(column) if col.free_text else column)
    merged = _merge_runs(_merge_runs(escaped, aligned=True), aligned=False)
    n = len(merged[0])
    parts: list[pa.Array] = []
    for i, column in enumerate(merged):
        last = i == len(merged) - 1
        if isinstance(column, Coded) and (not last or len(column.dictionary) <= n):
            if last:
                column = Coded(
                    pc.binary_join_element_wise(column.dictionary, "\n", ""), column.codes
                )
            parts.append(column.values())
        else:
            values = materialise(column)
            parts.append(pc.binary_join_element_wise(values, "\n", "") if last else values)
    return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, ",")


def _merge_runs(columns: list[Col], aligned: bool) -> list[Col]:
    out: list[Col] = []
    for column in columns:
        prev = out[-1] if out else None
        if isinstance(column, Coded) and isinstance(prev, Coded):
            if (
                aligned
                and column.codes is prev.codes
                and len(column.dictionary) == len(prev.dictionary)
            ):
                joined = pc.binary_join_element_wise(prev.dictionary, column.dictionary, ",")
                out[-1] = Coded(joined, prev.codes)
                continue
            if not aligned and len(prev.dictionary) * len(column.dictionary) <= MERGE_LIMIT:
                out[-1] = _product(prev, column)
                continue
        out.append(column)
    return out


def _product(left: Coded, right: Coded) -> Coded:
    """A coded column whose dictionary holds every ``left,right`` combination."""
    a, b = len(left.dictionary), len(right.dictionary)
    grid = np.indices((a, b)).reshape(2, a * b).astype(np.int32)
    dictionary = pc.binary_join_element_wise(
        left.dictionary.take(pa.array(grid[0])), right.dictionary.take(pa.array(grid[1])), ","
    )
    codes = left.codes.astype(np.int32) * b + right.codes
    return Coded(dictionary, codes.astype(np.int32))


def _text_bytes(lines: pa.Array) -> bytes | pa.Buffer:
    """The concatenated text of a string array, without copying when possible."""
    if isinstance(lines, pa.ChunkedArray):
        lines = pa.concat_arrays(lines.chunks) if lines.num_chunks else pa.array([], pa.string())
    if len(lines) == 0:
        return b""
    if lines.null_count:
        lines = pc.fill_null(lines, "")
    _, offsets_buf, data_buf = lines.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)
    start, stop = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    return data_buf.slice(start, stop - start)


def write_csv(path: Path, header: str, lines: pa.Array, compress: bool) -> int:
    """Write header + lines to ``path`` (gzip with a fixed header when ``compress``).

    The file appears atomically: it is written under a hidden temporary name (which a
    loader watching the directory skips) and renamed. Returns the number of bytes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    head = header.encode()
    body = memoryview(_text_bytes(lines))
    temporary = path.with_name(f".{path.name}.tmp")
    if compress:
        data = gzip.compress(head + body.tobytes(), compresslevel=6, mtime=0)
        temporary.write_bytes(data)
        size = len(data)
    else:
        with temporary.open("wb") as fh:
            fh.write(head)
            fh.write(body)
        size = len(head) + len(body)
    os.replace(temporary, path)
    return size
