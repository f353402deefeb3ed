"""marketing: mobile-app clickstream sessions and the purchases made in them (capstone format).

A session is ``app_open`` (attributes: a Python-dict literal with the campaign and
channel), 1-3 ``search_product``, 0-3 ``view_product_details``, sometimes a ``purchase``
(attributes: JSON with the purchase id) and ``app_close``. Users come back for several
sessions over the days. 25 campaigns with a skewed mix; each campaign has its own mix of
the 5 channels. Every purchase event has one ``user_purchases`` row with the same id
and time; about half are confirmed.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from pulse.generate import text
from pulse.generate.rng import (
    EVENTS,
    POOL,
    categorical,
    choice,
    lognormal_weights,
    stream,
    zipf_weights,
)
from pulse.generate.sessions import Gaps, place, time_order
from pulse.generate.sources.base import Context
from pulse.generate.table import Column, Frame, Role, TableSpec
from pulse.generate.timefmt import TimeFormat, day_start, format_times, hourly_cycle

CLICKSTREAM = TableSpec(
    source="marketing",
    table="clickstream",
    file_stem="mobile_app_clickstream",
    columns=(
        Column("userId", Role.REQUIRED_ID),
        Column("eventId", Role.REQUIRED_ID),
        Column("eventType"),
        Column("eventTime", Role.EVENT_TIME),
        Column("attributes", free_text=True),
    ),
    time_format=TimeFormat.SQL,
    unique_rows=True,
)
PURCHASES = TableSpec(
    source="marketing",
    table="user_purchases",
    file_stem="user_purchases",
    columns=(
        Column("purchaseId", Role.REQUIRED_ID),
        Column("purchaseTime", Role.EVENT_TIME),
        Column("billingCost"),
        Column("isConfirmed"),
    ),
    time_format=TimeFormat.SQL,
    unique_rows=True,
)

EVENT_TYPES = ("app_open", "search_product", "view_product_details", "purchase", "app_close")
OPEN, SEARCH, VIEW, PURCHASE, CLOSE = range(5)
CHANNELS = ("Google Ads", "Facebook Ads", "Yandex Ads", "Twitter Ads", "VK Ads")
CHANNEL_P = np.array([0.3, 0.28, 0.17, 0.15, 0.1])
PURCHASE_P = 0.35
GAPS = Gaps(median_s=180, sigma=0.7, min_s=1, max_s=1_190)


class Marketing:
    name = "marketing"
    specs: tuple[TableSpec, ...] = (CLICKSTREAM, PURCHASES)

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        v = ctx.volumes
        rng = stream(ctx.seed, "marketing", 0, POOL)
        self.users = text.uuids(rng, v.marketing_users)
        self.user_w = lognormal_weights(rng, v.marketing_users, 1.0)
        n_campaigns = v.campaigns
        campaign_ids = np.sort(rng.choice(np.arange(100, 1_000), size=n_campaigns, replace=False))
        self.campaign_w = zipf_weights(n_campaigns, 0.8)[rng.permutation(n_campaigns)]
        # Each campaign leans on its own channels: Dirichlet around the global mix.
        self.channel_p = rng.dirichlet(CHANNEL_P * 4.0, size=n_campaigns)
        cid = np.repeat(campaign_ids, len(CHANNELS))
        channel = np.tile(np.arange(len(CHANNELS)), n_campaigns)
        self.open_attributes = text.concat(
            "{'campaign_id': ",
            text.ints(cid),
            ", 'channel_id': '",
            text.take(text.labels(CHANNELS), channel),
            "'}",
        )

    def day(self, day: int) -> dict[str, Frame]:
        rng = stream(self.ctx.seed, "clickstream", day, EVENTS)
        n_sessions = self.ctx.daily_count("clickstream", self.ctx.volumes.clickstream_sessions, day)
        searches = 1 + categorical(rng, np.array([0.5, 0.3, 0.2]), n_sessions)
        views = categorical(rng, np.array([0.25, 0.35, 0.25, 0.15]), n_sessions)
        buys = (rng.random(n_sessions) < PURCHASE_P).astype(np.int32)
        lengths = (2 + searches + views + buys).astype(np.int32)
        s = place(rng, lengths, GAPS, hourly_cycle(), day_start(self.ctx.date(day)))
        n = len(s.times)

        pos = s.position
        last = np.repeat(lengths - 1, lengths)
        kind = np.full(n, VIEW, dtype=np.int32)
        kind[pos <= np.repeat(searches, lengths)] = SEARCH
        kind[(pos == last - 1) & (np.repeat(buys, lengths) == 1)] = PURCHASE
        kind[pos == 0] = OPEN
        kind[pos == last] = CLOSE

        campaign = choice(rng, self.campaign_w, n_sessions)
        channel = _per_row_choice(rng, self.channel_p[campaign])
        user = choice(rng, self.user_w, n_sessions)
        event_ids = text.uuids(rng, n)
        purchase_rows = np.flatnonzero(kind == PURCHASE)
        purchase_ids = text.uuids(rng, len(purchase_rows))
        cents = rng.lognormal(np.log(15_000), 0.9, len(purchase_rows)).astype(np.int64)
        outside = (cents < 1_000) | (cents > 99_999)  # redraw the tails uniformly: 10.00-999.99
        cents[outside] = rng.integers(1_000, 100_000, int(outside.sum()))
        confirmed = rng.random(len(purchase_rows)) < 0.5

        # Attributes: codes into ["", the campaign x channel dicts, this day's purchase JSON].
        n_open = len(self.open_attributes)
        json = text.concat('{"purchase_id": "', purchase_ids, '"}')
        attribute_text = pa.concat_arrays([text.empty(1), self.open_attributes, json])
        attribute = np.zeros(n, dtype=np.int32)
        opens = kind == OPEN
        attribute[opens] = 1 + (campaign * len(CHANNELS) + channel)[s.session[opens]]
        attribute[purchase_rows] = 1 + n_open + np.arange(len(purchase_rows))

        o = time_order(s.times)
        times = s.times[o]
        clicks = Frame(
            columns=[
                text.coded(self.users, user[s.session[o]]),
                text.take(event_ids, o),
                text.coded(text.labels(EVENT_TYPES), kind[o]),
                format_times(times, TimeFormat.SQL),
                text.coded(attribute_text, attribute[o]),
            ],
            times=times,
        )
        p = time_order(s.times[purchase_rows])
        purchase_times = s.times[purchase_rows][p]
        purchases = Frame(
            columns=[
                text.take(purchase_ids, p),
                format_times(purchase_times, TimeFormat.SQL),
                text.concat(text.ints(cents[p] // 100), ".", text.padded("", cents[p] % 100, 2)),
                text.coded(text.labels(["False", "True"]), confirmed[p].astype(np.int32)),
            ],
            times=purchase_times,
        )
        return {CLICKSTREAM.table: clicks, PURCHASES.table: purchases}


def _per_row_choice(rng: np.random.Generator, p: NDArray[np.float64]) -> NDArray[np.int32]:
    """One draw per row of a (rows, k) probability matrix."""
    cdf = np.cumsum(p, axis=1)
    u = rng.random((len(p), 1)) * cdf[:, -1:]
    return np.minimum((u > cdf).sum(axis=1), p.shape[1] - 1).astype(np.int32)
