"""Late delivery: rows of day D held back for the batch of day D+k."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from pulse.generate.config import QuirkRates, quota
from pulse.generate.table import Frame


@dataclass
class LateRows:
    """Rows of an earlier day due in a later batch."""

    lines: pa.Array
    times: NDArray[np.int64]


def choose_late(
    frame: Frame, rng: np.random.Generator, rates: QuirkRates, days_left: int
) -> dict[int, NDArray[np.int64]]:
    """Rows of a day to deliver late: {delay in days (1..max_late_days): rows}."""
    n = len(frame)
    if frame.times is None or days_left <= 0 or n == 0:
        return {}
    eligible = np.flatnonzero(~frame.protected_mask())
    k = min(quota(rates.late, n), len(eligible))
    if k == 0:
        return {}
    chosen = np.sort(rng.choice(eligible, size=k, replace=False))
    delay = 1 + rng.integers(0, min(rates.max_late_days, days_left), size=k)
    return {int(d): chosen[delay == d] for d in np.unique(delay)}
