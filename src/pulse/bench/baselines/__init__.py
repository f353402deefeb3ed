"""The two baselines: a monolithic PySpark job (a) and DuckDB (b), over the raw lake."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class BaselineRun:
    """Wall seconds of each run of one baseline, and the outputs of the last run."""

    engine: str
    seconds: list[float] = field(default_factory=list)
    outputs: dict[str, pd.DataFrame] = field(default_factory=dict)
    startup_seconds: float = 0.0
    peak_rss_bytes: int | None = None
