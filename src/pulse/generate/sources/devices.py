"""ad_platform/ad_events and app_store/store_events: device streams (KaiOS format).

Both streams share one device pool (32-hex ids, a home country and a brand; ~2% of
devices also show up in a second country), so a device can be active in both products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from pulse.generate import text
from pulse.generate.dedupe import first_of_each
from pulse.generate.rng import EVENTS, POOL, categorical, choice, lognormal_weights, probs, stream
from pulse.generate.sessions import Gaps, lengths_for_total, place, time_order
from pulse.generate.sources.base import Context
from pulse.generate.table import Column, Frame, Role, TableSpec
from pulse.generate.timefmt import TimeFormat, day_start, format_times, hourly_cycle

COUNTRIES, COUNTRY_P = probs({"India": 0.34, "Nigeria": 0.31, "United States": 0.2, "China": 0.15})
BRANDS, BRAND_P = probs(
    {"Brand A": 0.3, "Brand B": 0.25, "Brand C": 0.2, "Brand D": 0.15, "Brand E": 0.1}
)
AD_TYPES, AD_P = probs(
    {"logs": 0.481, "load": 0.192, "display": 0.173, "close": 0.135, "click": 0.019}
)
STORE_TYPES, STORE_P = probs({"logs": 0.45, "app_view": 0.3, "open": 0.17, "download": 0.08})
SECOND_COUNTRY_SHARE = 0.02
GAPS = Gaps(median_s=75, sigma=0.9, min_s=20)


def _spec(source: str, table: str, stem: str, item: str) -> TableSpec:
    return TableSpec(
        source=source,
        table=table,
        file_stem=stem,
        columns=(
            Column("device_id", Role.REQUIRED_ID),
            Column("server_time", Role.EVENT_TIME),
            Column(item, Role.OPTIONAL_ID),
            Column("event_type"),
            Column("country"),
            Column("brand"),
        ),
        time_format=TimeFormat.MDY_HM,
    )


AD_EVENTS = _spec("ad_platform", "ad_events", "ads_stream", "ad_id")
STORE_EVENTS = _spec("app_store", "store_events", "store_stream", "app_id")


@dataclass(frozen=True)
class DevicePool:
    ids: pa.Array
    weights: NDArray[np.float64]
    home: NDArray[np.int32]  # country index
    away: NDArray[np.int32]  # second country index, -1 for none
    brand: NDArray[np.int32]

    @classmethod
    def build(cls, ctx: Context) -> DevicePool:
        rng = stream(ctx.seed, "devices", 0, POOL)
        n = ctx.volumes.devices
        home = choice(rng, COUNTRY_P, n)
        other = (home + rng.integers(1, len(COUNTRIES), n)) % len(COUNTRIES)
        away = np.where(rng.random(n) < SECOND_COUNTRY_SHARE, other, -1).astype(np.int32)
        return cls(
            ids=text.hex_ids(rng, n, 32),
            weights=lognormal_weights(rng, n, 1.3),
            home=home,
            away=away,
            brand=choice(rng, BRAND_P, n),
        )


class DeviceStream:
    """One device-keyed event stream (ads or store)."""

    def __init__(
        self,
        ctx: Context,
        pool: DevicePool,
        spec: TableSpec,
        types: tuple[list[str], NDArray[np.float64]],
        n_items: int,
        per_day: int,
    ) -> None:
        self.ctx, self.pool, self.spec = ctx, pool, spec
        self.name = spec.source
        self.specs: tuple[TableSpec, ...] = (spec,)
        self.type_labels = text.labels(types[0])
        self.type_p = types[1]
        self.logs = types[0].index("logs")
        rng = stream(ctx.seed, spec.table, 0, POOL)
        self.item_text = pa.concat_arrays([text.empty(1), text.hex_ids(rng, n_items, 32)])
        self.item_w = lognormal_weights(rng, n_items, 1.4)
        self.per_day = per_day

    def day(self, day: int) -> dict[str, Frame]:
        spec = self.spec
        rng = stream(self.ctx.seed, spec.table, day, EVENTS)
        n = self.ctx.daily_count(spec.table, self.per_day, day)
        lengths = lengths_for_total(rng, n, mean=7.0)
        s = place(rng, lengths, GAPS, hourly_cycle(), day_start(self.ctx.date(day)))
        device = np.repeat(choice(rng, self.pool.weights, len(lengths)), lengths)
        away = self.pool.away[device]
        country = np.where((away >= 0) & (rng.random(n) < 0.3), away, self.pool.home[device])
        kind = categorical(rng, self.type_p, n)
        item = np.repeat(choice(rng, self.item_w, len(lengths)), lengths)
        browse = rng.random(n) < 0.3  # the rest stay on the session's ad or app
        item[browse] = choice(rng, self.item_w, int(browse.sum()))
        o = time_order(s.times)
        item = np.where(kind == self.logs, -1, item)  # logs carry no ad / app
        minute = (s.times - s.times.min(initial=0)) // 60
        keep = first_of_each(
            [
                (minute[o], 2 * 1_440),
                (device[o], len(self.pool.weights)),
                (kind[o], len(self.type_p)),
                (item[o] + 1, len(self.item_w) + 1),
                (country[o], len(COUNTRIES)),
            ]
        )
        o = o[keep]
        times, device, country, kind, item = s.times[o], device[o], country[o], kind[o], item[o]
        frame = Frame(
            columns=[
                text.coded(self.pool.ids, device),
                format_times(times, TimeFormat.MDY_HM),
                text.coded(self.item_text, item + 1),
                text.coded(self.type_labels, kind),
                text.coded(text.labels(COUNTRIES), country),
                text.coded(text.labels(BRANDS), self.pool.brand[device]),
            ],
            times=times,
        )
        return {spec.table: frame}


def ad_platform(ctx: Context, pool: DevicePool) -> DeviceStream:
    return DeviceStream(
        ctx, pool, AD_EVENTS, (AD_TYPES, AD_P), ctx.volumes.ads, ctx.volumes.ad_events
    )


def app_store(ctx: Context, pool: DevicePool) -> DeviceStream:
    return DeviceStream(
        ctx,
        pool,
        STORE_EVENTS,
        (STORE_TYPES, STORE_P),
        ctx.volumes.store_apps,
        ctx.volumes.store_events,
    )
