"""What a source module provides to the runner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

import numpy as np

from pulse.generate.config import GenerateConfig, Volumes
from pulse.generate.rng import stream
from pulse.generate.table import Frame, TableSpec

# Relative volume per weekday (Monday first).
WEEKDAY = np.array([1.0, 1.02, 1.0, 1.03, 1.06, 0.9, 0.85])


@dataclass(frozen=True)
class Context:
    """Run-wide inputs shared by the sources."""

    config: GenerateConfig
    volumes: Volumes

    @property
    def seed(self) -> int:
        return self.config.seed

    def date(self, day: int) -> date:
        return self.config.start_date + timedelta(days=day)

    def daily_count(self, name: str, base: int, day: int) -> int:
        """Rows of a table on a day: base volume x weekday factor x +-5% noise."""
        rng = stream(self.seed, name, day, 5)
        factor = WEEKDAY[self.date(day).weekday()] * (1.0 + 0.05 * rng.standard_normal())
        return max(1, round(base * factor))


class Source(Protocol):
    """One source folder: its tables and, per day, their rows (keyed by table name)."""

    name: str
    specs: tuple[TableSpec, ...]

    def day(self, day: int) -> dict[str, Frame]: ...
