"""Sessions: bursts of events by one actor, placed on a day with a daily cycle.

Inside a session consecutive events are seconds to minutes apart (log-normal gaps, capped
below 30 minutes); sessions start at hours drawn from the daily cycle and are shifted so
that a session never crosses midnight UTC, so every event of day D is on day D.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pulse.generate.rng import categorical
from pulse.generate.timefmt import DAY


@dataclass(frozen=True)
class Gaps:
    """Log-normal gaps between consecutive events of a session, in seconds."""

    median_s: float
    sigma: float
    min_s: int = 0
    max_s: int = 1_790

    def draw(self, rng: np.random.Generator, n: int) -> NDArray[np.int64]:
        g = rng.lognormal(np.log(self.median_s), self.sigma, n)
        return np.clip(g, self.min_s, self.max_s).astype(np.int64)


@dataclass(frozen=True)
class Sessions:
    """Events in generation order (session by session)."""

    session: NDArray[np.int32]  # session number per event
    position: NDArray[np.int32]  # 0-based position inside its session
    lengths: NDArray[np.int32]  # events per session
    times: NDArray[np.int64]  # epoch seconds per event


def lengths_for_total(rng: np.random.Generator, n_events: int, mean: float) -> NDArray[np.int32]:
    """Geometric session lengths (>= 1, given mean) summing to exactly ``n_events``."""
    if n_events <= 0:
        return np.zeros(0, dtype=np.int32)
    p = 1.0 / max(mean, 1.0)
    parts: list[NDArray[np.int64]] = []
    total = 0
    while total < n_events:
        draw = rng.geometric(p, int((n_events - total) * p * 1.2) + 8)
        parts.append(draw)
        total += int(draw.sum())
    lengths = np.concatenate(parts)
    cum = np.cumsum(lengths)
    last = int(np.searchsorted(cum, n_events))
    lengths = lengths[: last + 1].copy()
    lengths[-1] -= int(cum[last]) - n_events
    return lengths.astype(np.int32)


def place(
    rng: np.random.Generator,
    lengths: NDArray[np.int32],
    gaps: Gaps,
    cycle: NDArray[np.float64],
    day_start: int,
) -> Sessions:
    """Times for sessions of the given lengths on the day starting at ``day_start``."""
    n_sessions = len(lengths)
    n = int(lengths.sum())
    session = np.repeat(np.arange(n_sessions, dtype=np.int32), lengths)
    starts_idx = np.concatenate(([0], np.cumsum(lengths[:-1]))).astype(np.int64)
    position = (np.arange(n, dtype=np.int64) - np.repeat(starts_idx, lengths)).astype(np.int32)
    step = gaps.draw(rng, n)
    step[position == 0] = 0
    cum = np.cumsum(step)
    offset = cum - np.repeat(cum[starts_idx] if n else cum, lengths)
    span = np.zeros(n_sessions, dtype=np.int64)
    if n:
        span = offset[starts_idx + lengths.astype(np.int64) - 1]
    hour = categorical(rng, cycle, n_sessions).astype(np.int64)
    start = hour * 3600 + rng.integers(0, 3600, n_sessions)
    start = np.clip(np.minimum(start, DAY - 1 - span), 0, DAY - 1)
    times = day_start + np.repeat(start, lengths) + offset
    np.minimum(times, day_start + DAY - 1, out=times)
    return Sessions(session=session, position=position, lengths=lengths, times=times)


def time_order(times: NDArray[np.int64]) -> NDArray[np.intp]:
    """``np.argsort(times, kind="stable")`` for times spanning less than 2**32 seconds,
    as two 16-bit radix passes (several times faster than a comparison sort)."""
    if len(times) == 0:
        return np.zeros(0, dtype=np.intp)
    rel = times - times.min()
    if int(rel.max()) >= 2**32:
        return np.argsort(times, kind="stable")
    order = np.argsort((rel & 0xFFFF).astype(np.uint16), kind="stable")
    high = (rel >> 16).astype(np.uint16)
    return order[np.argsort(high[order], kind="stable")]
