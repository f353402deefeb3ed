"""flyers/flyer_events: flyer and merchant content events per hashed user (BDO format).

Users are 64-hex ids with heavy-tailed activity. Each flyer belongs to one merchant,
except ~3% that sometimes appear under a second merchant (as in the reference). Event
mix and empty ids follow the reference: ``shopping_list_open`` and ``list_flyers`` carry
neither id, ``favorite`` a merchant but no flyer. The native quirk: a share of
``item_open`` rows has placeholder ids (``null`` / ``%3Cnull%3G`` flyer, ``NULL`` /
``<null>`` merchant) instead of digits.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from pulse.generate import text
from pulse.generate.config import offset_seconds
from pulse.generate.dedupe import first_of_each
from pulse.generate.rng import (
    EVENTS,
    NATIVE,
    POOL,
    categorical,
    choice,
    lognormal_weights,
    probs,
    stream,
    zipf_weights,
)
from pulse.generate.sessions import Gaps, lengths_for_total, place, time_order
from pulse.generate.sources.base import Context
from pulse.generate.table import Column, Frame, Role, TableSpec
from pulse.generate.timefmt import TimeFormat, day_start, format_times, hourly_cycle

FLYER_EVENTS = TableSpec(
    source="flyers",
    table="flyer_events",
    file_stem="flyer_events",
    columns=(
        Column("timestamp", Role.EVENT_TIME),
        Column("user_id", Role.REQUIRED_ID),
        Column("event"),
        Column("flyer_id", Role.OPTIONAL_ID),
        Column("merchant_id", Role.OPTIONAL_ID),
    ),
    time_format=TimeFormat.ISO_OFFSET,
)

EVENT_TYPES, EVENT_P = probs(
    {
        "flyer_open": 0.7217,
        "shopping_list_open": 0.1496,
        "item_open": 0.075,
        "list_flyers": 0.0413,
        "favorite": 0.0124,
    }
)
FLYER_OPEN, SHOPPING_LIST, ITEM_OPEN, LIST_FLYERS, FAVORITE = range(5)
MULTI_MERCHANT_SHARE = 0.03
GAPS = Gaps(median_s=40, sigma=1.1, min_s=0)
NATIVE_KIND = "item_open_placeholder"


class Flyers:
    name = "flyers"
    specs: tuple[TableSpec, ...] = (FLYER_EVENTS,)

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        v = ctx.volumes
        rng = stream(ctx.seed, "flyers", 0, POOL)
        self.users = text.hex_ids(rng, v.flyer_users, 64)
        self.user_w = lognormal_weights(rng, v.flyer_users, 1.6)
        merchant_ids = np.sort(
            rng.choice(np.arange(200, 5_700), size=min(v.merchants, 5_500), replace=False)
        )
        flyer_ids = np.sort(
            rng.choice(np.arange(1_686_000, 2_034_000), size=v.flyers, replace=False)
        )
        self.flyers = pa.concat_arrays(
            [text.labels(["", "null", "%3Cnull%3G"]), text.ints(flyer_ids)]
        )
        self.merchants = pa.concat_arrays(
            [text.labels(["", "NULL", "<null>"]), text.ints(merchant_ids)]
        )
        merchant_w = zipf_weights(len(merchant_ids), 0.9)[rng.permutation(len(merchant_ids))]
        self.owner = choice(rng, merchant_w, v.flyers)
        self.other = np.where(
            rng.random(v.flyers) < MULTI_MERCHANT_SHARE,
            choice(rng, merchant_w, v.flyers),
            self.owner,
        ).astype(np.int32)
        self.flyer_w = lognormal_weights(rng, v.flyers, 1.2)
        self.offset = ctx.config.flyer_utc_offset
        self.offset_s = offset_seconds(self.offset)

    def day(self, day: int) -> dict[str, Frame]:
        rng = stream(self.ctx.seed, "flyer_events", day, EVENTS)
        n = self.ctx.daily_count("flyer_events", self.ctx.volumes.flyer_events, day)
        lengths = lengths_for_total(rng, n, mean=6.0)
        cycle = hourly_cycle(self.offset_s // 3600)
        s = place(rng, lengths, GAPS, cycle, day_start(self.ctx.date(day)))
        user = np.repeat(choice(rng, self.user_w, len(lengths)), lengths)
        kind = categorical(rng, EVENT_P, n)
        flyer = np.repeat(choice(rng, self.flyer_w, len(lengths)), lengths)
        browse = rng.random(n) < 0.5
        flyer[browse] = choice(rng, self.flyer_w, int(browse.sum()))
        merchant = np.where(rng.random(n) < 0.3, self.other[flyer], self.owner[flyer])

        # Codes into [no id, placeholder 1, placeholder 2, real ids...].
        has_flyer = (kind == FLYER_OPEN) | (kind == ITEM_OPEN)
        has_merchant = has_flyer | (kind == FAVORITE)
        flyer_code = np.where(has_flyer, flyer + 3, 0)
        merchant_code = np.where(has_merchant, merchant + 3, 0)
        native = stream(self.ctx.seed, "flyer_events", day, NATIVE)
        items = np.flatnonzero(kind == ITEM_OPEN)
        junk = items[native.random(len(items)) < self.ctx.config.quirks.item_open_placeholder]
        flyer_code[junk] = 1 + native.integers(0, 2, len(junk))
        bad_merchant = junk[native.random(len(junk)) < 0.5]
        merchant_code[bad_merchant] = 1 + (native.random(len(bad_merchant)) < 0.01)
        protected = np.zeros(n, dtype=np.bool_)
        protected[junk] = True

        o = time_order(s.times)
        second = s.times - s.times.min(initial=0)
        keep = first_of_each(
            [
                (second[o], 2 * 86_400),
                (user[o], len(self.user_w)),
                (kind[o], len(EVENT_TYPES)),
                (flyer_code[o], len(self.flyers)),
                (merchant_code[o], len(self.merchants)),
            ]
        )
        o = o[keep]
        times = s.times[o]
        frame = Frame(
            columns=[
                format_times(times, TimeFormat.ISO_OFFSET, self.offset, self.offset_s),
                text.coded(self.users, user[o]),
                text.coded(text.labels(EVENT_TYPES), kind[o]),
                text.coded(self.flyers, flyer_code[o]),
                text.coded(self.merchants, merchant_code[o]),
            ],
            times=times,
            protected=protected[o],
            native_kind=NATIVE_KIND,
        )
        return {FLYER_EVENTS.table: frame}
