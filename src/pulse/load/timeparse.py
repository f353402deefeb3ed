"""Vectorised, strict `strptime`: Arrow parses, calendar edges are checked, Python arbitrates.

Arrow's `strptime` is fast but rolls impossible dates over (`2/30/18` becomes March 2,
second 60 the next minute) and skips blanks before numbers. A rolled-over value lands
on the first days of a month or the first seconds of a minute, so only those rows, and
values with surrounding blanks, are formatted back with the same format and compared
with the input (ignoring leading zeros and letter case); a value that does not echo
is not accepted. Values Arrow does not accept are retried, once per distinct value,
with Python's `datetime.strptime`, the reference semantics of `meta.formats`.
A `%z` offset (`-04:00`, `-0400`, `Z`) gives the UTC instant; without `%z` the wall
time is read as UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pulse.load.contracts import UTC_TIMESTAMP

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MIN_MICROS = -62_135_596_800_000_000  # 0001-01-01T00:00:00Z, the first instant Python knows
_MICRO = timedelta(microseconds=1)
_OFFSET = r"(?P<offset>[Zz]|[+-]\d\d:?\d\d)$"
_LEADING_ZEROS = r"(^|[^0-9])0+([0-9])"
_SECOND_DIRECTIVES = ("%S", "%T", "%c", "%X", "%r", "%s")
_NULL_STRING = pa.scalar(None, pa.string())


def parse_times(values: pa.Array, formats: Sequence[str]) -> pa.Array:
    """`timestamp[us, UTC]` per value: null where the value is null or fits no format."""
    result = pa.nulls(len(values), UTC_TIMESTAMP)
    pending = pc.is_valid(values)
    for fmt in formats:
        if not pc.any(pending).as_py():
            return result
        candidates = pc.if_else(pending, values, _NULL_STRING)
        parsed = _arrow_parse(candidates, fmt)
        result = pc.coalesce(result, parsed)
        pending = pc.and_(pending, pc.is_null(parsed))
    if pc.any(pending).as_py():
        result = pc.if_else(pending, _python_parse(values, pending, formats), result)
    too_early = pc.fill_null(pc.less(result.cast(pa.int64()), MIN_MICROS), False)
    return pc.if_else(too_early, pa.scalar(None, UTC_TIMESTAMP), result)


def _arrow_parse(values: pa.Array, fmt: str) -> pa.Array:
    with_offset = fmt.endswith("%z")
    if "%z" in fmt and not (with_offset and fmt.count("%z") == 1):
        return pa.nulls(len(values), UTC_TIMESTAMP)  # an offset mid-format: Python decides
    parsed = pc.strptime(values, format=fmt, unit="s", error_is_null=True)
    seconds = parsed.cast(pa.int64())
    if with_offset:
        offset = pc.struct_field(pc.extract_regex(values, _OFFSET), "offset")
        local = pc.add(seconds, _offset_seconds(offset)).cast(pa.timestamp("s"))
    else:
        offset, local = None, parsed
    suspects = pc.indices_nonzero(_suspect(values, parsed, local, fmt))
    if len(suspects):
        echoes = _echoes(
            pc.take(values, suspects),
            pc.take(local, suspects),
            None if offset is None else pc.take(offset, suspects),
            fmt[:-2] if with_offset else fmt,
        )
        accepted = np.ones(len(values), dtype=bool)
        accepted[suspects.to_numpy()[~echoes]] = False
        seconds = pc.if_else(pa.array(accepted), seconds, None)
    return pc.multiply(seconds, 1_000_000).cast(UTC_TIMESTAMP)


def _suspect(values: pa.Array, parsed: pa.Array, local: pa.Array, fmt: str) -> pa.Array:
    """Rows where Arrow may have rolled a date over or skipped blanks."""
    month, day = pc.month(local), pc.day(local)
    edges = [
        pc.and_(pc.equal(month, 3), pc.less_equal(day, 3)),  # from Feb 29-31
        pc.and_(pc.is_in(month, value_set=pa.array([1, 5, 7, 10, 12])), pc.equal(day, 1)),
        pc.not_equal(pc.utf8_trim_whitespace(values), values),
        pc.is_null(local),  # parsed, but the offset is not one Python reads
    ]
    if any(d in fmt for d in _SECOND_DIRECTIVES):
        edges.append(pc.less_equal(pc.second(local), 1))  # from second 60 or 61
    suspect = edges[0]
    for edge in edges[1:]:
        suspect = pc.or_kleene(suspect, edge)
    return pc.fill_null(pc.and_(pc.is_valid(parsed), suspect), False)


def _echoes(values: pa.Array, local: pa.Array, offset: pa.Array | None, fmt: str) -> np.ndarray:
    """Whether formatting the parsed value back gives the input (numpy bool per row)."""
    echo = pc.strftime(local, format=fmt)
    if offset is not None:
        echo = pc.binary_join_element_wise(echo, offset, "")
    same = pc.fill_null(pc.equal(echo, values), False)
    if not pc.all(same).as_py():
        loose = pc.equal(_normalise(echo), _normalise(values))
        same = pc.or_(same, pc.fill_null(loose, False))
    return np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool)


def _offset_seconds(offset: pa.Array) -> pa.Array:
    """`-04:00` / `+0530` / `Z` as signed seconds."""
    digits = pc.replace_substring(pc.utf8_upper(offset), ":", "")
    digits = pc.if_else(pc.equal(digits, "Z"), "+0000", digits)
    hours = pc.utf8_slice_codeunits(digits, 1, 3).cast(pa.int64())
    minutes = pc.utf8_slice_codeunits(digits, 3, 5).cast(pa.int64())
    seconds = pc.add(pc.multiply(hours, 3600), pc.multiply(minutes, 60))
    negative = pc.equal(pc.utf8_slice_codeunits(digits, 0, 1), "-")
    return pc.if_else(negative, pc.negate(seconds), seconds)


def _normalise(text: pa.Array) -> pa.Array:
    """Lower case without leading zeros, so `2/9/18 2:05` echoes `02/09/18 02:05`."""
    return pc.replace_substring_regex(pc.utf8_lower(text), _LEADING_ZEROS, r"\1\2")


def _python_parse(values: pa.Array, pending: pa.Array, formats: Sequence[str]) -> pa.Array:
    distinct = pc.unique(pc.filter(values, pending))
    micros = pa.array([python_strptime(v, formats) for v in distinct.to_pylist()], pa.int64())
    positions = pc.index_in(values, value_set=distinct)
    return pc.take(micros, positions).cast(UTC_TIMESTAMP)


def python_strptime(value: str, formats: Sequence[str]) -> int | None:
    """Microseconds since the epoch of the first format that parses `value`, else None."""
    for fmt in formats:
        try:
            parsed = datetime.strptime(value, fmt)
            instant = parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except (ValueError, OverflowError):
            continue
        return (instant - EPOCH) // _MICRO
    return None
