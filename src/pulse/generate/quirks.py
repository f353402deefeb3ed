"""Quirk injection: late delivery, then value, order and line quirks of one batch file.

Every count is exact and recorded: a kind at rate r touches ``ceil(r * rows)`` rows of a
file's on-time rows (for ``null_optional_id``: of the rows that have an optional id), no
row gets two quirks, and rows carrying a source-native quirk get none.

Kinds and where the rows go after loading (for the loader's tests):

* ``duplicate``: an exact copy of a valid row at a random place in the same file.
* ``late`` (chosen in ``late.py``): a valid row of day D written into the batch of day
  D+k (k in 1..max_late_days), appended after that batch's own rows; ``late_from``
  counts them by event date.
* ``out_of_order``: a valid row moved to the other half of its file.
* ``malformed``: an extra line that is not a record of the table: garbage text (one
  field), or a copy of a row with its last field missing or an extra field appended.
* ``null_optional_id``: an optional id (``ad_id``, ``flyer_id``, ``page_id``...) replaced
  by a placeholder (``null``, ``NULL``, ``<null>``, ``%3Cnull%3G`` or empty).
* ``null_required_id``: the same placeholders in a required id column.
* ``bad_timestamp``: the event time replaced by unparseable text.
* ``future_timestamp``: the event time moved to 9999-01-01 (2068-12-31 for ``M/d/yy``).
* ``duration_outlier`` (notes_app): a negative duration or one over two hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from pulse.generate.coded import Coded, materialise, non_empty
from pulse.generate.config import QuirkRates, quota
from pulse.generate.csvtext import escaped_columns, join_lines, render
from pulse.generate.late import LateRows
from pulse.generate.table import Frame, Role, TableSpec
from pulse.generate.text import concat, hex_ids, ints, labels, take
from pulse.generate.timefmt import BAD_TIMESTAMPS, DAY, EPOCH, future

NULL_TOKENS: tuple[str, ...] = ("null", "NULL", "<null>", "%3Cnull%3G", "")
TWO_HOURS_MS = 7_200_000


def applicable(spec: TableSpec) -> list[str]:
    """The generic quirk kinds a table can carry (its manifest keys)."""
    kinds = ["duplicate", "malformed"]
    if not spec.snapshot:
        kinds += ["late", "out_of_order"]
    if spec.indices(Role.REQUIRED_ID):
        kinds.append("null_required_id")
    if spec.indices(Role.OPTIONAL_ID):
        kinds.append("null_optional_id")
    if spec.time_index() is not None:
        kinds += ["bad_timestamp", "future_timestamp"]
    if spec.indices(Role.DURATION):
        kinds.append("duration_outlier")
    return kinds


@dataclass
class Batch:
    """A finished file: its lines (header excluded) and what it holds."""

    lines: pa.Array
    base_rows: int
    quirks: dict[str, int] = field(default_factory=dict)
    late_from: dict[str, int] = field(default_factory=dict)
    late_out: dict[int, LateRows] = field(default_factory=dict)  # delay -> rows held back


class _Picker:
    """Disjoint random row picks, in the order of one random candidate list.

    The candidates are a random sample a few times larger than all quotas together (the
    whole file, shuffled, for small files); if they run short, the whole file is used.
    """

    def __init__(
        self, rng: np.random.Generator, n: int, used: NDArray[np.bool_], base: int, wanted: int
    ) -> None:
        self.rng = rng
        self.n = n
        self.used = used.copy()
        self.base = base  # rows a rate applies to
        size = 4 * wanted + 1_000
        self.complete = size >= n
        self.candidates = (
            rng.permutation(n) if self.complete else rng.choice(n, size, replace=False)
        )

    def pick(self, rate: float, eligible: NDArray[np.bool_] | None = None) -> NDArray[np.int64]:
        base = self.base if eligible is None else int((eligible & ~self.used).sum())
        k = quota(rate, base)
        if k == 0:
            return np.zeros(0, dtype=np.int64)
        chosen = self._first(k, eligible)
        if len(chosen) < k and not self.complete:
            self.candidates, self.complete = self.rng.permutation(self.n), True
            chosen = self._first(k, eligible)
        self.used[chosen] = True
        return np.sort(chosen)

    def _first(self, k: int, eligible: NDArray[np.bool_] | None) -> NDArray[np.int64]:
        ok = ~self.used[self.candidates]
        if eligible is not None:
            ok &= eligible[self.candidates]
        return self.candidates[ok][:k].astype(np.int64)


def _edit(frame: Frame, column: int, rows: NDArray[np.int64], values: pa.Array) -> None:
    """Set ``values`` at ``rows`` (ascending) of a column, in place.

    A coded column with a small dictionary gets the values appended to its dictionary
    and only the rows' codes change; otherwise the column is replaced with a masked copy.
    """
    if len(rows) == 0:
        return
    current = frame.columns[column]
    if isinstance(current, Coded) and len(current.dictionary) <= len(current.codes):
        codes = current.codes.copy()
        codes[rows] = len(current.dictionary) + np.arange(len(rows), dtype=np.int32)
        frame.columns[column] = Coded(pa.concat_arrays([current.dictionary, values]), codes)
        return
    mask = np.zeros(len(current), dtype=np.bool_)
    mask[rows] = True
    frame.columns[column] = pc.replace_with_mask(materialise(current), pa.array(mask), values)


def _placeholder_ids(
    frame: Frame,
    columns: list[int],
    rows: NDArray[np.int64],
    which: NDArray[np.integer],
    rng: np.random.Generator,
) -> None:
    values = take(labels(NULL_TOKENS), rng.integers(0, len(NULL_TOKENS), len(rows)))
    for j, col in enumerate(columns):
        sel = which == j
        _edit(frame, col, rows[sel], values.filter(pa.array(sel)))


def _value_quirks(
    spec: TableSpec,
    frame: Frame,
    picker: _Picker,
    rng: np.random.Generator,
    rates: QuirkRates,
    counts: dict[str, int],
) -> None:
    """Placeholder ids, bad and future timestamps, outlier durations (in place)."""
    optional = spec.indices(Role.OPTIONAL_ID)
    if optional:
        real = np.stack([non_empty(frame.columns[i]) for i in optional], axis=1)
        rows = picker.pick(rates.null_optional_id, np.asarray(real.any(axis=1), dtype=np.bool_))
        which = np.argmax(rng.random((len(rows), len(optional))) * real[rows], axis=1)
        _placeholder_ids(frame, optional, rows, which, rng)
        counts["null_optional_id"] = len(rows)

    required = spec.indices(Role.REQUIRED_ID)
    if required:
        rows = picker.pick(rates.null_required_id)
        _placeholder_ids(frame, required, rows, rng.integers(0, len(required), len(rows)), rng)
        counts["null_required_id"] = len(rows)

    t = spec.time_index()
    if t is not None and spec.time_format is not None:
        rows = picker.pick(rates.bad_timestamp)
        bad = labels(BAD_TIMESTAMPS[spec.time_format])
        _edit(frame, t, rows, take(bad, rng.integers(0, len(bad), len(rows))))
        counts["bad_timestamp"] = len(rows)
        rows = picker.pick(rates.future_timestamp)
        current = materialise(frame.take(rows).columns[t])
        _edit(frame, t, rows, future(current, spec.time_format))
        counts["future_timestamp"] = len(rows)

    for col in spec.indices(Role.DURATION):
        rows = picker.pick(rates.duration_outlier)
        negative = rng.random(len(rows)) < 0.5
        ms = np.where(
            negative,
            -rng.integers(1, 300_000, len(rows)),
            rng.integers(TWO_HOURS_MS + 1, 12 * 3_600_000, len(rows)),
        )
        _edit(frame, col, rows, ints(ms))
        counts["duration_outlier"] = len(rows)


def _malformed(
    spec: TableSpec, frame: Frame, rows: NDArray[np.int64], rng: np.random.Generator
) -> pa.Array:
    k = len(rows)
    fields = escaped_columns(spec, frame.take(rows).materialised())
    garbage = concat("~~ garbled record ", hex_ids(rng, k, 12), " ~~\n")
    missing = join_lines(fields[:-1])
    extra = join_lines(fields, tail=",unexpected")
    variant = rng.integers(0, 3, k)
    return pc.if_else(
        pa.array(variant == 0), garbage, pc.if_else(pa.array(variant == 1), missing, extra)
    )


def _file_order(
    rng: np.random.Generator,
    on_time: NDArray[np.bool_],
    displaced: NDArray[np.int64],
    copies: NDArray[np.int64],
    n_malformed: int,
    late_count: int,
) -> NDArray[np.int64]:
    """Line order of a file as indices into [day lines, late lines, malformed lines].

    The day's on-time rows keep their order, late rows follow them; displaced rows go
    to a random place in the other half of the file, copies and malformed lines
    anywhere.
    """
    n = len(on_time)
    base = int(on_time.sum())
    keep = on_time.copy()
    keep[displaced] = False
    main = np.concatenate([np.flatnonzero(keep), np.arange(n, n + late_count)])
    m = len(main)
    half = m // 2
    low = rng.integers(half, m + 1, len(displaced))
    high = rng.integers(0, half + 1, len(displaced))
    rank = np.cumsum(on_time)[displaced] if len(displaced) else displaced
    slots = np.concatenate(
        [np.where(rank <= base / 2, low, high), rng.integers(0, m + 1, len(copies) + n_malformed)]
    )
    extras = np.concatenate([displaced, copies, n + late_count + np.arange(n_malformed)])
    keys = np.concatenate([2 * np.arange(m, dtype=np.int64) + 1, 2 * slots.astype(np.int64)])
    return np.concatenate([main, extras])[np.argsort(keys, kind="stable")]


def _times(frame: Frame) -> NDArray[np.int64]:
    if frame.times is None:
        raise ValueError("late rows need event times")
    return frame.times


def finish(
    spec: TableSpec,
    frame: Frame,
    late_out: dict[int, NDArray[np.int64]],
    late_in: list[LateRows],
    rng: np.random.Generator,
    rates: QuirkRates,
) -> Batch:
    """Render a day's rows with the file-level quirks, plus the late rows due today.

    ``late_out`` (delay -> rows) are rows held back for later batches: they are
    rendered clean and returned in ``Batch.late_out``. The file is one gather over
    [lines, late lines, malformed lines].
    """
    n = len(frame)
    on_time = np.ones(n, dtype=np.bool_)
    for rows in late_out.values():
        on_time[rows] = False
    base = int(on_time.sum())
    counts: dict[str, int] = dict.fromkeys(applicable(spec), 0)
    rates_used = [getattr(rates, kind) for kind in counts if hasattr(rates, kind)]
    wanted = sum(quota(rate, base) for rate in rates_used)
    picker = _Picker(rng, n, frame.protected_mask() | ~on_time, base, wanted)
    edited = Frame(list(frame.columns), frame.times, frame.protected, frame.native_kind)
    _value_quirks(spec, edited, picker, rng, rates, counts)

    no_rows = np.zeros(0, dtype=np.int64)
    displaced = picker.pick(rates.out_of_order) if not spec.snapshot else no_rows
    copies = picker.pick(rates.duplicate)
    broken = picker.pick(rates.malformed)
    if not spec.snapshot:
        counts["out_of_order"] = len(displaced)
    counts["duplicate"] = len(copies)
    counts["malformed"] = len(broken)

    lines = render(spec, edited.columns)  # late rows have no edits: they go out clean
    sent = {
        delay: LateRows(take(lines, rows), _times(frame)[rows]) for delay, rows in late_out.items()
    }
    order = _file_order(
        rng, on_time, displaced, copies, len(broken), late_count=sum(len(x.lines) for x in late_in)
    )
    pool = pa.concat_arrays(
        [lines, *(late.lines for late in late_in), _malformed(spec, frame, broken, rng)]
    )
    final = pool.take(pa.array(order))

    if frame.native_kind:
        counts[frame.native_kind] = int((frame.protected_mask() & on_time).sum())
    late_from: dict[str, int] = {}
    if late_in:
        counts["late"] = sum(len(late.lines) for late in late_in)
        days, per_day = np.unique(
            np.concatenate([late.times for late in late_in]) // DAY, return_counts=True
        )
        late_from = {
            date.fromordinal(EPOCH.toordinal() + int(d)).isoformat(): int(c)
            for d, c in zip(days, per_day, strict=True)
        }
    return Batch(lines=final, base_rows=base, quirks=counts, late_from=late_from, late_out=sent)
