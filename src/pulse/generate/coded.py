"""Coded text columns: codes into a dictionary of distinct values, not materialised."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray


@dataclass(frozen=True)
class Coded:
    """A text column as codes into a dictionary of distinct values (not materialised).

    Rendering takes from the dictionary once (or from a merged dictionary of several
    adjacent small ones); quirks materialise only the few rows they touch.
    """

    dictionary: pa.Array
    codes: NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, index: NDArray[np.integer]) -> Coded:
        return Coded(self.dictionary, self.codes[index])

    def values(self) -> pa.Array:
        return self.dictionary.take(pa.array(self.codes))


Col: TypeAlias = pa.Array | Coded


def materialise(column: Col) -> pa.Array:
    return column.values() if isinstance(column, Coded) else column


def non_empty(column: Col) -> NDArray[np.bool_]:
    """Rows whose value is not the empty string."""
    if isinstance(column, Coded):
        return np.asarray(pc.not_equal(column.dictionary, "")).astype(np.bool_)[column.codes]
    return np.asarray(pc.not_equal(column, "")).astype(np.bool_)
