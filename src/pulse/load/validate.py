"""Type-check the records of one file against its declared table, vectorised.

Each record gets the first failing reason, checking the declared columns in order:
`value too long in <col>: <n> bytes` (over MAX_FIELD_BYTES), `missing <col>` (a
required column empty, or a required id holding a placeholder such as `null`), then
the column's type: `unparseable timestamp in <col>: <value>`, `future timestamp in
<col>: <value>` (later than now + 1 day), the same for `date`, `timestamp before
1900-01-01 in <col>: <value>` (event time only: Spark refuses to read such a parquet
timestamp written by another tool, so one such row would break the whole table),
`not an integer in <col>`, `not a decimal in <col>`, `below the minimum <m> in <col>:
<value>` (`meta.min`), `not a boolean in <col>`; last, `value too long` in an
undeclared (extra) column. Records that pass keep the source text of every column;
the others go to quarantine with their reason and text. The event-time column is
always required.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from pulse.load.contracts import TIME_TYPES, UTC_TIMESTAMP, ColumnSpec, TableSpec
from pulse.load.errors import LoadError
from pulse.load.readers import RAW_TEXT, ROW_NUMBER, RawFile, column_key
from pulse.load.rowtext import csv_lines, json_objects
from pulse.load.timeparse import EPOCH, parse_times

EVENT_TS = "_event_ts"
ROW = "_row_number"
EXTRA = "_extra_columns"
PLACEHOLDERS = pa.array(["null", "none", "nan", "<null>", "%3cnull%3g"])
FUTURE_SLACK = timedelta(days=1)
EARLIEST_EVENT_TIME = datetime(1900, 1, 1, tzinfo=UTC)
MAX_FIELD_BYTES = 1 << 20  # one field of 1 MiB is a broken file, not a value
BATCH_ROWS = 1 << 20
REJECT_SCHEMA = pa.schema(
    [("row_number", pa.int64()), ("reason", pa.string()), ("raw_text", pa.string())]
)
_TEXT_RULES = {
    "int": (r"^[+-]?[0-9]+$", "not an integer"),
    "decimal": (r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$", "not a decimal"),
}
_BOOLEANS = pa.array(["True", "False", "true", "false", "1", "0"])
_NULL = pa.scalar(None, pa.string())
_OTHER_DELIMITERS = ((";", "';'"), ("\t", "tabs"), ("|", "'|'"))
_HINT_NAMES = 5
_EARLIEST_MICROS = (EARLIEST_EVENT_TIME - EPOCH) // timedelta(microseconds=1)


@dataclass(frozen=True)
class ColumnMapping:
    """Where each declared column is in the file's header."""

    positions: dict[str, int]
    missing: tuple[str, ...]
    extra: tuple[int, ...]


@dataclass
class Validated:
    """One file, checked: the rows to load, the rows to quarantine, and the schema drift."""

    good: pa.Table
    rejected: pa.Table
    rows_read: int
    extra_columns: tuple[str, ...]
    missing_columns: tuple[str, ...]


def good_schema(spec: TableSpec) -> pa.Schema:
    fields = [pa.field(c.name, pa.string()) for c in spec.columns]
    fields += [(EVENT_TS, UTC_TIMESTAMP), (ROW, pa.int64()), (EXTRA, pa.string())]
    return pa.schema(fields)


def map_columns(header: list[str], spec: TableSpec, name: str) -> ColumnMapping:
    """Match declared columns to header names: exactly first, then ignoring case.

    A required column (or the event-time column) absent from the header fails the file.
    """
    exact_counts = Counter(header)
    folded_counts = Counter(h.lower() for h in header)
    for column in spec.columns:
        source = column.source_column
        if exact_counts[source] > 1 or (
            exact_counts[source] == 0 and folded_counts[source.lower()] > 1
        ):
            raise LoadError(f"{name}: the header has column {source!r} more than once")
    positions: dict[str, int] = {}
    taken: set[int] = set()
    exact: dict[str, int] = {}
    for i, h in enumerate(header):
        exact.setdefault(h, i)
    for column in spec.columns:
        if column.source_column in exact:
            positions[column.name] = exact[column.source_column]
            taken.add(exact[column.source_column])
    for column in spec.columns:
        if column.name in positions:
            continue
        wanted = column.source_column.lower()
        for i, h in enumerate(header):
            if i not in taken and h.lower() == wanted:
                positions[column.name] = i
                taken.add(i)
                break
    extra = tuple(i for i in range(len(header)) if i not in taken)
    for column in spec.columns:
        if column.name not in positions and _required(column, spec):
            also = (
                "" if column.source_column == column.name else f' (header "{column.source_column}")'
            )
            hint = _header_hint(header, [header[i] for i in extra])
            raise LoadError(f"{name}: missing required column {column.name}{also}{hint}")
    missing = tuple(c.name for c in spec.columns if c.name not in positions)
    return ColumnMapping(positions, missing, extra)


def _header_hint(header: list[str], undeclared: list[str]) -> str:
    """Why a required column may be absent: not text, another delimiter, or renamed."""
    text = ",".join(header)
    if any(ch < " " and ch != "\t" for ch in text):
        return "; the header line is not text (a binary file?)"
    if len(header) == 1:
        for delimiter, label in _OTHER_DELIMITERS:
            if delimiter in header[0]:
                return (
                    f"; the header is a single column {_clip(header[0])}: the file seems "
                    f"delimited by {label}, not by commas"
                )
    if undeclared:
        shown = ", ".join(_clip(h) for h in undeclared[:_HINT_NAMES])
        more = f" and {len(undeclared) - _HINT_NAMES} more" if len(undeclared) > _HINT_NAMES else ""
        return f"; the header has undeclared columns {shown}{more} (renamed?)"
    return ""


def _clip(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def validate(raw: RawFile, spec: TableSpec, name: str, now: datetime) -> Validated:
    """Check every record of `raw` against `spec` (see the module docstring)."""
    reader_rejects = pa.Table.from_pylist(
        [
            {"row_number": r.row_number, "reason": r.reason, "raw_text": r.raw_text}
            for r in raw.rejects
        ],
        schema=REJECT_SCHEMA,
    )
    if not raw.header and not raw.table.num_rows:  # no records: nothing to check, no drift
        return Validated(good_schema(spec).empty_table(), reader_rejects, raw.rows_read, (), ())
    mapping = map_columns(raw.header, spec, name)
    limit = (now + FUTURE_SLACK - EPOCH) // timedelta(microseconds=1)
    goods, rejects = [], [reader_rejects]
    for batch in raw.table.to_batches(max_chunksize=BATCH_ROWS):
        good, rejected = _validate_batch(batch, raw.header, spec, mapping, limit)
        goods.append(good)
        rejects.append(rejected)
    rejected = pa.concat_tables(rejects)
    if rejected.num_rows:
        rejected = rejected.sort_by("row_number")
    return Validated(
        good=pa.concat_tables(goods) if goods else good_schema(spec).empty_table(),
        rejected=rejected,
        rows_read=raw.rows_read,
        extra_columns=tuple(_unique([raw.header[i] for i in mapping.extra])),
        missing_columns=mapping.missing,
    )


def _required(column: ColumnSpec, spec: TableSpec) -> bool:
    return column.required or column.name == spec.event_time


def _validate_batch(
    batch: pa.RecordBatch,
    header: list[str],
    spec: TableSpec,
    mapping: ColumnMapping,
    future_limit: int,
) -> tuple[pa.Table, pa.Table]:
    n = batch.num_rows
    reason = pa.nulls(n, pa.string())
    event_ts = pa.nulls(n, UTC_TIMESTAMP)
    columns: list[pa.Array] = []
    for column in spec.columns:
        position = mapping.positions.get(column.name)
        if position is None:
            columns.append(pa.nulls(n, pa.string()))
            continue
        values = batch.column(column_key(position))
        columns.append(values)
        reason, parsed = _check_column(
            values,
            column,
            _required(column, spec),
            reason,
            future_limit,
            is_event_time=column.name == spec.event_time,
        )
        if column.name == spec.event_time and parsed is not None:
            event_ts = parsed
    for i in mapping.extra:
        reason = _too_long(reason, batch.column(column_key(i)), header[i])
    ok = pc.is_null(reason)
    extra = [batch.column(column_key(i)) for i in mapping.extra]
    extra_json = (
        json_objects(_unique([header[i] for i in mapping.extra]), extra)
        if extra
        else pa.nulls(n, pa.string())
    )
    good = pa.Table.from_arrays(
        [*columns, event_ts, batch.column(ROW_NUMBER), extra_json],
        schema=good_schema(spec),
    ).filter(ok)
    bad = pc.invert(ok)
    if RAW_TEXT in batch.schema.names:
        raw_text = pc.filter(batch.column(RAW_TEXT), bad)
    else:
        raw_text = csv_lines(
            [pc.filter(batch.column(column_key(i)), bad) for i in range(len(header))]
        )
    rejected = pa.Table.from_arrays(
        [pc.filter(batch.column(ROW_NUMBER), bad), pc.filter(reason, bad), raw_text],
        schema=REJECT_SCHEMA,
    )
    return good, rejected


def _check_column(
    values: pa.Array,
    column: ColumnSpec,
    required: bool,
    reason: pa.Array,
    future_limit: int,
    *,
    is_event_time: bool = False,
) -> tuple[pa.Array, pa.Array | None]:
    """Add this column's failures to `reason` (first reason wins); return the parsed time."""
    reason = _too_long(reason, values, column.name)
    stripped = pc.utf8_trim_whitespace(values)
    blank = pc.fill_null(pc.equal(stripped, ""), True)
    present = pc.invert(blank)
    if required:
        missing = blank
        if column.type == "id":
            placeholder = pc.fill_null(
                pc.is_in(pc.utf8_lower(stripped), value_set=PLACEHOLDERS), False
            )
            missing = pc.or_(missing, placeholder)
        reason = _first(reason, missing, f"missing {column.name}")
    if column.type in TIME_TYPES:
        parsed = parse_times(pc.if_else(blank, _NULL, values), column.formats)
        unparseable = pc.and_(present, pc.is_null(parsed))
        label = f"{column.type} in {column.name}: "
        reason = _first(reason, unparseable, _with_value(f"unparseable {label}", values))
        future = pc.fill_null(pc.greater(parsed.cast(pa.int64()), future_limit), False)
        reason = _first(reason, future, _with_value(f"future {label}", values))
        if is_event_time:
            early = pc.fill_null(pc.less(parsed.cast(pa.int64()), _EARLIEST_MICROS), False)
            before = f"{column.type} before {EARLIEST_EVENT_TIME:%Y-%m-%d} in {column.name}: "
            reason = _first(reason, early, _with_value(before, values))
        return reason, parsed
    if column.type in _TEXT_RULES:
        pattern, message = _TEXT_RULES[column.type]
        fits = pc.match_substring_regex(stripped, pattern)
        reason = _first(reason, pc.and_(present, pc.invert(fits)), f"{message} in {column.name}")
        if column.minimum is not None:
            number = pc.if_else(pc.and_(present, fits), stripped, _NULL).cast(pa.float64())
            below = pc.fill_null(pc.less(number, column.minimum), False)
            label = f"below the minimum {column.minimum:g} in {column.name}: "
            reason = _first(reason, below, _with_value(label, stripped))
    elif column.type == "bool":
        fits = pc.is_in(stripped, value_set=_BOOLEANS)
        reason = _first(
            reason, pc.and_(present, pc.invert(fits)), f"not a boolean in {column.name}"
        )
    return reason, None


def _too_long(reason: pa.Array, values: pa.Array, name: str) -> pa.Array:
    """`value too long in <name>: <n> bytes` where a field exceeds MAX_FIELD_BYTES."""
    size = pc.binary_length(values)
    long = pc.fill_null(pc.greater(size, MAX_FIELD_BYTES), False)
    if not pc.any(long).as_py():
        return reason
    prefix = f"value too long in {name}: "
    return _first(
        reason,
        long,
        _with_value(
            prefix,
            pc.binary_join_element_wise(
                size.cast(pa.string()), f" bytes (limit {MAX_FIELD_BYTES})", ""
            ),
        ),
    )


def _unique(names: list[str]) -> list[str]:
    """JSON keys for extra columns: a repeated name gets a `#2`, `#3`... suffix."""
    seen: Counter[str] = Counter()
    keys = []
    for key in names:
        seen[key] += 1
        keys.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return keys


def _with_value(prefix: str, values: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(prefix, values, "")


def _first(reason: pa.Array, failed: pa.Array, candidate: pa.Array | str) -> pa.Array:
    """`candidate` where `failed` and no earlier reason; the earlier reason otherwise."""
    fresh = pc.and_(pc.is_null(reason), pc.fill_null(failed, False))
    if not pc.any(fresh).as_py():
        return reason
    return pc.if_else(fresh, candidate, reason)
