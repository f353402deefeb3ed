"""Seeded random streams and the weighted draws every source uses."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

# Purposes of streams, so that adding a draw to one stream never shifts another.
POOL = 0
EVENTS = 1
QUIRKS = 2
LATE = 3
NATIVE = 4

_TABLE_CODES: dict[str, int] = {
    "devices": 1,
    "ad_events": 2,
    "store_events": 3,
    "flyer_events": 4,
    "user_interactions": 5,
    "user_metadata": 6,
    "clickstream": 7,
    "user_purchases": 8,
    "apps": 9,
    "app_downloads": 10,
    "flyers": 11,
    "notes_app": 12,
    "marketing": 13,
    "play_store": 14,
}


def stream(seed: int, name: str, day: int, purpose: int) -> np.random.Generator:
    """An independent generator for (seed, table or pool, day, purpose)."""
    key = (_TABLE_CODES[name], day, purpose)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def lognormal_weights(rng: np.random.Generator, n: int, sigma: float) -> NDArray[np.float64]:
    """Heavy-tailed activity weights (normalised) for n actors or items."""
    w = rng.lognormal(0.0, sigma, n)
    return w / w.sum()


def zipf_weights(n: int, exponent: float) -> NDArray[np.float64]:
    """Weights 1/rank^exponent for ranks 1..n (normalised)."""
    w = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** exponent
    return w / w.sum()


def choice(rng: np.random.Generator, weights: NDArray[np.float64], size: int) -> NDArray[np.int32]:
    """Weighted draw with replacement of ``size`` indices into ``weights``."""
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    idx = np.searchsorted(cdf, rng.random(size), side="right")
    return np.minimum(idx, len(weights) - 1).astype(np.int32)


def categorical(rng: np.random.Generator, p: NDArray[np.float64], size: int) -> NDArray[np.int32]:
    """Fast draw from a short mix (probabilities resolved to 1/65536) by table lookup."""
    counts = np.floor(np.cumsum(p) / p.sum() * 65_536 + 0.5).astype(np.int64)
    table = np.repeat(np.arange(len(p), dtype=np.int32), np.diff(counts, prepend=0))
    return table[rng.integers(0, 65_536, size, dtype=np.uint16)]


def probs(values: dict[str, float]) -> tuple[list[str], NDArray[np.float64]]:
    """Labels and normalised probabilities of a {label: weight} mix."""
    labels = list(values)
    w = np.array([values[k] for k in labels], dtype=np.float64)
    return labels, w / w.sum()
