"""Timestamp text in each source's format, built from lookup tables (vectorised).

Times are int64 seconds since the Unix epoch (UTC). A format splits a time into a date
part (few distinct values per batch) and a time-of-day part (one of 86,400 or 1,440
strings), each taken from a table, then joins them.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import Enum
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from pulse.generate.coded import Coded, Col

DAY = 86_400
EPOCH = date(1970, 1, 1)


class TimeFormat(Enum):
    """The timestamp formats of the sources (value: strptime pattern of the contract)."""

    MDY_HM = "%m/%d/%y %H:%M"  # ads / store: 2/19/18 2:05 (no zero padding but minutes)
    ISO_OFFSET = "%Y-%m-%dT%H:%M:%S%z"  # flyers: 2018-10-01T13:54:59-04:00
    SQL = "%Y-%m-%d %H:%M:%S"  # notes, clickstream, purchases
    DATE = "%Y-%m-%d"  # play store downloads


def day_start(day: date) -> int:
    """Epoch seconds of a day's midnight UTC."""
    return (day - EPOCH).days * DAY


def _date_text(fmt: TimeFormat, day: date) -> str:
    if fmt is TimeFormat.MDY_HM:
        return f"{day.month}/{day.day}/{day.year % 100:02d}"
    return day.isoformat()


def _two_digits(values: NDArray[np.int64]) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width=2, padding="0")


@lru_cache(maxsize=16)
def _time_of_day(fmt: TimeFormat, suffix: str) -> pa.Array:
    """Text of every minute (``H:mm``) or second (``HH:MM:SS`` + suffix) of a day."""
    if fmt is TimeFormat.MDY_HM:
        minute = np.arange(1_440)
        hours = pc.cast(pa.array(minute // 60), pa.string())
        return pc.binary_join_element_wise(hours, _two_digits(minute % 60), ":")
    second = np.arange(DAY)
    hms = pc.binary_join_element_wise(
        _two_digits(second // 3600), _two_digits(second // 60 % 60), _two_digits(second % 60), ":"
    )
    return pc.binary_join_element_wise(hms, suffix, "")


_SEPARATOR = {TimeFormat.MDY_HM: " ", TimeFormat.ISO_OFFSET: "T", TimeFormat.SQL: " "}


def format_times(
    times: NDArray[np.int64], fmt: TimeFormat, offset: str = "", offset_s: int = 0
) -> Col:
    """Text of ``times`` in ``fmt``; ISO_OFFSET shows local time at ``offset`` (e.g. -04:00)."""
    local = times + offset_s
    days = local // DAY
    seconds = local - days * DAY
    first = int(days.min()) if len(days) else 0
    rel = (days - first).astype(np.int64)
    n_days = int(rel.max()) + 1 if len(rel) else 1
    if fmt is TimeFormat.DATE:
        return Coded(_dates(fmt, first, n_days), rel.astype(np.int32))
    suffix = offset if fmt is TimeFormat.ISO_OFFSET else ""
    step = 60 if fmt is TimeFormat.MDY_HM else 1
    per_day = DAY // step
    index = seconds // step
    if n_days <= 3 and len(times) * 4 >= n_days * per_day:
        # Many rows over few days: one take from a table of every full timestamp.
        return Coded(
            _full_table(fmt, suffix, first, n_days), (rel * per_day + index).astype(np.int32)
        )
    dates = _dates(fmt, first, n_days)
    date_part = dates[0] if n_days == 1 else pc.take(dates, pa.array(rel.astype(np.int32)))
    tod = pc.take(_time_of_day(fmt, suffix), pa.array(index.astype(np.int32)))
    return pc.binary_join_element_wise(date_part, tod, _SEPARATOR[fmt])


def _dates(fmt: TimeFormat, first: int, n_days: int) -> pa.Array:
    return pa.array([_date_text(fmt, EPOCH + timedelta(days=first + i)) for i in range(n_days)])


@lru_cache(maxsize=32)
def _full_table(fmt: TimeFormat, suffix: str, first: int, n_days: int) -> pa.Array:
    tod = _time_of_day(fmt, suffix)
    parts = [
        pc.binary_join_element_wise(date, tod, _SEPARATOR[fmt])
        for date in _dates(fmt, first, n_days)
    ]
    return pa.concat_arrays(parts)


BAD_TIMESTAMPS: dict[TimeFormat, tuple[str, ...]] = {
    TimeFormat.MDY_HM: ("not-a-date", "2/30/18 25:99", "13/45/24 7:61"),
    TimeFormat.ISO_OFFSET: ("not-a-date", "2024-02-30T25:99:00-04:00", "01/10/2018T13:54:59"),
    TimeFormat.SQL: ("not-a-date", "2024-02-30 25:99:00", "2024-13-01 00:00:00"),
    TimeFormat.DATE: ("not-a-date", "2024-02-30", "2024-13-45"),
}
"""Unparseable values per format (each fails strptime with the contract's pattern)."""

# Future values keep the row's time of day. Two-digit years read 00-68 as 20xx in both
# Python and Spark, so 2068 is the furthest future M/d/yy can say; the 4-digit formats
# use 9999-01-01, which stays in range after any UTC offset.
_FUTURE_DATE = {
    TimeFormat.MDY_HM: (r"^\S+", "12/31/68"),
    TimeFormat.ISO_OFFSET: (r"^\d{4}-\d{2}-\d{2}", "9999-01-01"),
    TimeFormat.SQL: (r"^\d{4}-\d{2}-\d{2}", "9999-01-01"),
    TimeFormat.DATE: (r"^\d{4}-\d{2}-\d{2}", "9999-01-01"),
}


def future(texts: pa.Array, fmt: TimeFormat) -> pa.Array:
    """The same timestamps moved to a far-future date."""
    pattern, replacement = _FUTURE_DATE[fmt]
    return pc.replace_substring_regex(texts, pattern=pattern, replacement=replacement)


def hourly_cycle(shift_hours: int = 0) -> NDArray[np.float64]:
    """Relative activity per UTC hour: quiet nights, a midday and an evening peak.

    ``shift_hours`` is the local time's offset from UTC (local = UTC + shift).
    """
    local = np.array(
        [0.30, 0.20, 0.14, 0.11, 0.11, 0.16, 0.32, 0.55, 0.78, 0.90, 0.95, 1.00,
         1.08, 1.02, 0.96, 0.94, 0.98, 1.08, 1.20, 1.30, 1.32, 1.15, 0.85, 0.52],
    )  # fmt: skip
    utc = np.roll(local, -shift_hours)
    return utc / utc.sum()
