"""Options of the generator: volumes, quirk rates and the run configuration."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from typing import Any, ClassVar

SOURCES: tuple[str, ...] = (
    "ad_platform",
    "app_store",
    "flyers",
    "notes_app",
    "marketing",
    "play_store",
)


@dataclass(frozen=True)
class QuirkRates:
    """Share of rows that get each quirk; 0 disables a quirk.

    Counts are exact per file: ``ceil(rate * eligible rows)`` (so a positive rate shows up
    at least once in every file that has an eligible row), and a row gets at most one
    quirk. ``item_open_placeholder`` and ``catalogue_variant`` mimic quirks native to the
    reference data (placeholder flyer/merchant ids on ``item_open``; apps listed twice
    with different attributes) and so default to the reference shares.
    """

    duplicate: float = 0.005
    late: float = 0.01
    out_of_order: float = 0.005
    malformed: float = 0.002
    null_optional_id: float = 0.005
    null_required_id: float = 0.001
    bad_timestamp: float = 0.001
    future_timestamp: float = 0.001
    duration_outlier: float = 0.005
    item_open_placeholder: float = 0.2
    catalogue_variant: float = 0.04
    max_late_days: int = 2

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "max_late_days":
                if value < 1:
                    raise ValueError("max_late_days must be at least 1")
            elif not 0.0 <= value <= 0.5:
                raise ValueError(f"quirk rate {f.name}={value} is not in [0, 0.5]")

    @classmethod
    def none(cls) -> QuirkRates:
        """Clean data: every quirk disabled."""
        zero: dict[str, Any] = {f.name: 0.0 for f in fields(cls) if f.name != "max_late_days"}
        return cls(**zero)


@dataclass(frozen=True)
class Volumes:
    """Volumes at ``scale=1``: events per day per table and actor/catalogue pool sizes."""

    ad_events: int = 8_000
    store_events: int = 4_000
    flyer_events: int = 3_000
    user_interactions: int = 4_000
    clickstream_sessions: int = 600
    app_downloads: int = 1_000
    devices: int = 5_000
    ads: int = 300
    store_apps: int = 500
    flyer_users: int = 1_200
    flyers: int = 1_600
    merchants: int = 500
    notes_users: int = 3_000
    metadata_rows: int = 3_000
    marketing_users: int = 1_500
    campaigns: int = 25
    playstore_users: int = 500
    apps: int = 2_000

    EVENT_FIELDS: ClassVar[tuple[str, ...]] = (
        "ad_events",
        "store_events",
        "flyer_events",
        "user_interactions",
        "clickstream_sessions",
        "app_downloads",
    )
    ACTOR_FIELDS: ClassVar[tuple[str, ...]] = (
        "devices",
        "flyer_users",
        "notes_users",
        "metadata_rows",
        "marketing_users",
    )
    CATALOGUE_FIELDS: ClassVar[tuple[str, ...]] = (
        "ads",
        "store_apps",
        "flyers",
        "merchants",
        "playstore_users",
        "apps",
    )

    def scaled(self, scale: float, events_per_day: int | None = None) -> Volumes:
        """Event volumes and actors grow with ``scale``, catalogues with its square root.

        ``events_per_day`` (approximate total of the event tables) overrides the event
        volumes only.
        """
        if scale <= 0:
            raise ValueError("scale must be positive")
        event_factor = scale
        if events_per_day is not None:
            event_factor = events_per_day / self.approx_events_per_day()
        changes: dict[str, int] = {}
        for name in self.EVENT_FIELDS:
            changes[name] = max(1, round(getattr(self, name) * event_factor))
        for name in self.ACTOR_FIELDS:
            changes[name] = max(1, round(getattr(self, name) * scale))
        for name in self.CATALOGUE_FIELDS:
            changes[name] = max(5, round(getattr(self, name) * math.sqrt(scale)))
        changes["apps"] = min(changes["apps"], 40_000)
        changes["notes_users"] = min(changes["notes_users"], 1_000_000)
        return replace(self, **changes)

    def approx_events_per_day(self) -> float:
        """Rows per day of the event tables (clickstream sessions hold ~5.6 rows)."""
        return (
            self.ad_events
            + self.store_events
            + self.flyer_events
            + self.user_interactions
            + self.clickstream_sessions * 5.6
            + self.app_downloads
        )


@dataclass(frozen=True)
class GenerateConfig:
    """One generator run. Defaults: all sources, 7 days, ~170k rows in total."""

    seed: int = 42
    start_date: date = date(2024, 1, 1)
    days: int = 7
    scale: float = 1.0
    events_per_day: int | None = None
    gzip: bool = False
    quirks: QuirkRates = field(default_factory=QuirkRates)
    volumes: Volumes = field(default_factory=Volumes)
    flyer_utc_offset: str = "-04:00"
    sources: tuple[str, ...] = SOURCES

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError("days must be at least 1")
        unknown = set(self.sources) - set(SOURCES)
        if unknown:
            raise ValueError(f"unknown sources: {sorted(unknown)}; known: {list(SOURCES)}")
        offset_seconds(self.flyer_utc_offset)

    @property
    def effective_volumes(self) -> Volumes:
        return self.volumes.scaled(self.scale, self.events_per_day)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters, recorded in the manifest."""
        data = asdict(self)
        data["start_date"] = self.start_date.isoformat()
        data["sources"] = list(self.sources)
        data["effective_volumes"] = asdict(self.effective_volumes)
        return data


def offset_seconds(offset: str) -> int:
    """``-04:00`` -> -14400; raises ValueError on anything else."""
    if len(offset) != 6 or offset[0] not in "+-" or offset[3] != ":":
        raise ValueError(f"UTC offset must look like -04:00, got {offset!r}")
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    if hours > 14 or minutes > 59:
        raise ValueError(f"UTC offset out of range: {offset!r}")
    sign = -1 if offset[0] == "-" else 1
    return sign * (hours * 3600 + minutes * 60)


def quota(rate: float, rows: int) -> int:
    """Rows a quirk rate asks for: ``ceil(rate * rows)``, 0 when the rate is 0."""
    if rate <= 0 or rows <= 0:
        return 0
    return min(rows, math.ceil(round(rate * rows, 9)))
