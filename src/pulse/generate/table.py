"""Table contracts (columns, roles, file names) and a day's rows of one table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from pulse.generate.coded import Coded, Col, materialise
from pulse.generate.timefmt import TimeFormat


class Role(Enum):
    """What a column is, which decides the quirks it can get."""

    PLAIN = "plain"
    REQUIRED_ID = "required_id"
    OPTIONAL_ID = "optional_id"
    EVENT_TIME = "event_time"
    DURATION = "duration"


@dataclass(frozen=True)
class Column:
    header: str
    role: Role = Role.PLAIN
    free_text: bool = False  # may hold commas or quotes, so needs CSV escaping


@dataclass(frozen=True)
class TableSpec:
    """One raw table: where its files go and what they hold.

    Files are named ``<file_stem>_<batch date>.csv``, or ``fixed_name``. A ``snapshot``
    table (no event time) is written once, into the first batch. Unless ``unique_rows``,
    accidental identical rows (same actor, minute and event) are dropped before quirks,
    so that every exact duplicate in a file is an injected one.
    """

    source: str
    table: str
    file_stem: str
    columns: tuple[Column, ...]
    time_format: TimeFormat | None = None
    snapshot: bool = False
    fixed_name: str | None = None
    unique_rows: bool = False  # rows carry a unique id, so no accidental duplicate rows

    @property
    def key(self) -> str:
        return f"{self.source}.{self.table}"

    @property
    def header(self) -> str:
        return ",".join(c.header for c in self.columns) + "\n"

    def file_name(self, batch: date, gzip: bool) -> str:
        name = self.fixed_name or f"{self.file_stem}_{batch.isoformat()}.csv"
        return name + (".gz" if gzip else "")

    def indices(self, role: Role) -> list[int]:
        return [i for i, c in enumerate(self.columns) if c.role is role]

    def time_index(self) -> int | None:
        found = self.indices(Role.EVENT_TIME)
        return found[0] if found else None


@dataclass
class Frame:
    """Rows of one table for one day, as text columns in header order (not CSV-escaped).

    ``times`` holds each row's event time (epoch seconds, UTC) for event tables;
    ``protected`` marks rows that already carry the quirk native to the source named
    ``native_kind``, so that generic quirks (and late delivery) leave them alone.
    """

    columns: list[Col]
    times: NDArray[np.int64] | None = None
    protected: NDArray[np.bool_] | None = None
    native_kind: str | None = None

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def take(self, index: NDArray[np.integer] | NDArray[np.bool_]) -> Frame:
        """Rows by position (int array) or mask (bool array), in that order."""
        rows = np.flatnonzero(index) if index.dtype == np.bool_ else index.astype(np.int64)
        idx = pa.array(rows.astype(np.int32))
        return Frame(
            columns=[c.take(rows) if isinstance(c, Coded) else c.take(idx) for c in self.columns],
            times=None if self.times is None else self.times[rows],
            protected=None if self.protected is None else self.protected[rows],
            native_kind=self.native_kind,
        )

    def materialised(self) -> list[pa.Array]:
        return [materialise(c) for c in self.columns]

    def protected_mask(self) -> NDArray[np.bool_]:
        if self.protected is None:
            return np.zeros(len(self), dtype=np.bool_)
        return self.protected
