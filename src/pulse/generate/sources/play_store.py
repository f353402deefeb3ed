"""play_store: the app catalogue (raw Kaggle format) and users' daily app downloads.

The catalogue is synthetic (word-list names, Kaggle-like category mix and value
formats) and written once, into the first batch. Its native quirk, as in Kaggle: some
apps are listed twice with different attributes (``catalogue_variant``), so one app
name (and ``app_id`` = 500 + 0-based dense rank of the name) has several attribute
tuples. Downloads favour popular categories and apps with many installs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from pulse.generate import text
from pulse.generate.config import quota
from pulse.generate.rng import (
    EVENTS,
    NATIVE,
    POOL,
    categorical,
    choice,
    lognormal_weights,
    probs,
    stream,
)
from pulse.generate.sources import vocab
from pulse.generate.sources.base import Context
from pulse.generate.table import Column, Frame, Role, TableSpec
from pulse.generate.timefmt import TimeFormat, day_start, format_times

_APP_HEADERS = (
    "app",
    "category",
    "rating",
    "reviews",
    "size",
    "installs",
    "type",
    "price",
    "content_rating",
    "genres",
    "last_updated",
    "current_version",
    "Android_version",
)
_FREE_TEXT = {"app", "installs", "genres", "last_updated", "current_version"}

APPS = TableSpec(
    source="play_store",
    table="apps",
    file_stem="googleplaystore",
    columns=tuple(Column(h, free_text=h in _FREE_TEXT) for h in _APP_HEADERS),
    snapshot=True,
    fixed_name="googleplaystore.csv",
    unique_rows=True,
)
_DOWNLOAD_APP_HEADERS = (
    "app",
    "category",
    "rating",
    "reviews",
    "app_size",
    "installs",
    "app_type",
    "price",
    "content_rating",
    "genres",
    "last_updated",
    "current_version",
    "android_version",
)
DOWNLOADS = TableSpec(
    source="play_store",
    table="app_downloads",
    file_stem="users_app_batch",
    columns=(
        Column("event_id"),
        Column("download_date", Role.EVENT_TIME),
        Column("user_id", Role.REQUIRED_ID),
        *(Column(h, free_text=h in _FREE_TEXT) for h in _DOWNLOAD_APP_HEADERS),
        Column("app_id", Role.REQUIRED_ID),
        Column("user_name"),
        Column("user_age"),
        Column("user_location"),
        Column("time_spent_min"),
    ),
    time_format=TimeFormat.DATE,
    unique_rows=True,
)
NATIVE_KIND = "catalogue_variant"
LAST_UPDATE = date(2018, 8, 8)
MEDIAN_RATING = "4.3"  # what the batch file fills empty ratings with


@dataclass
class Catalogue:
    """Catalogue rows (text columns in header order) and per-row download weight."""

    columns: list[pa.Array]
    app_rank: NDArray[np.int64]  # 0-based dense rank of the app name
    weight: NDArray[np.float64]
    variant: NDArray[np.bool_]


def _one_decimal(tenths: NDArray[np.int64]) -> pa.Array:
    return text.concat(text.ints(tenths // 10), ".", text.ints(tenths % 10))


def build_catalogue(ctx: Context) -> Catalogue:
    rng = stream(ctx.seed, "apps", 0, POOL)
    heads, tails, suffixes = vocab.NAME_HEADS, vocab.NAME_TAILS, vocab.NAME_SUFFIXES
    space = len(heads) * len(tails) * len(suffixes)
    n = min(ctx.volumes.apps, space)
    combo = rng.choice(space, size=n, replace=False)
    h, rest = np.divmod(combo, len(tails) * len(suffixes))
    t, s = np.divmod(rest, len(suffixes))
    names = text.concat(
        text.take(text.labels(heads), h),
        " ",
        text.take(text.labels(tails), t),
        text.take(text.labels(suffixes), s),
    )

    cats = list(vocab.CATEGORIES)
    share = np.array([vocab.CATEGORIES[c][0] for c in cats], dtype=np.float64)
    cat = categorical(rng, share / share.sum(), n)
    genre_lists = [vocab.CATEGORIES[c][1] for c in cats]
    genre_start = np.cumsum([0] + [len(g) for g in genre_lists[:-1]])
    genre_count = np.array([len(g) for g in genre_lists])
    genre = genre_start[cat] + (rng.random(n) * genre_count[cat]).astype(np.int64)
    genres = text.take(text.labels([g for gs in genre_lists for g in gs]), genre)

    reviews = np.floor(rng.lognormal(6.0, 2.6, n)).astype(np.int64)
    installs_target = (reviews + 1) * rng.lognormal(np.log(30), 0.8, n)
    buckets = np.array(vocab.INSTALL_BUCKETS)
    bucket = np.clip(
        np.searchsorted(buckets, installs_target, side="right") - 1, 0, len(buckets) - 1
    )
    installs = text.take(text.labels([f"{b:,}+" for b in vocab.INSTALL_BUCKETS]), bucket)

    rated = (reviews >= 5) & (rng.random(n) > 0.05)
    rating10 = np.clip(np.round(rng.normal(42, 4, n)), 10, 50).astype(np.int64)
    rating = text.where(rated, _one_decimal(rating10), "")

    mb10 = np.clip(rng.lognormal(np.log(150), 1.0, n), 1, 1_000).astype(np.int64)
    kb = np.maximum(8, (mb10 * 100 + rng.integers(0, 100, n))).astype(np.int64)
    size = text.where(
        mb10 >= 100, text.concat(text.ints(mb10 // 10), "M"), text.concat(_one_decimal(mb10), "M")
    )
    size = text.where(mb10 < 10, text.concat(text.ints(kb), "k"), size)
    size = text.where(rng.random(n) < 0.15, "Varies with device", size)

    paid = rng.random(n) < 0.074
    price_labels, price_p = probs({k: float(v) for k, v in vocab.PRICES.items()})
    price = text.where(
        paid, text.take(text.labels(price_labels), categorical(rng, price_p, n)), "0"
    )
    kind = text.where(paid, "Paid", "Free")
    cr_labels, cr_p = probs(vocab.CONTENT_RATINGS)
    content = text.take(text.labels(cr_labels), categorical(rng, cr_p, n))

    back = np.minimum(rng.exponential(260, n), 2_900).astype("timedelta64[D]")
    updated = np.datetime64(LAST_UPDATE.isoformat()) - back
    year = updated.astype("datetime64[Y]").astype(np.int64) + 1970
    month = updated.astype("datetime64[M]").astype(np.int64) % 12
    day = (updated - updated.astype("datetime64[M]")).astype(np.int64) + 1
    last_updated = text.concat(
        text.take(text.labels(vocab.MONTHS), month), " ", text.ints(day), ", ", text.ints(year)
    )

    version = text.concat(
        text.ints(rng.integers(1, 9, n)),
        ".",
        text.ints(rng.integers(0, 20, n)),
        ".",
        text.ints(rng.integers(0, 10, n)),
    )
    version = text.where(rng.random(n) < 0.13, "Varies with device", version)
    av_labels, av_p = probs({k: float(v) for k, v in vocab.ANDROID_VERSIONS.items()})
    android = text.take(text.labels(av_labels), categorical(rng, av_p, n))

    columns = [
        names,
        text.take(text.labels(cats), cat),
        rating,
        text.ints(reviews),
        size,
        installs,
        kind,
        price,
        content,
        genres,
        last_updated,
        version,
        android,
    ]
    appeal = np.array([vocab.CATEGORIES[c][2] for c in cats])
    weight = appeal[cat] * (buckets[bucket].astype(np.float64) + 10.0) ** 0.45

    # Native quirk: some apps listed again with other review counts and version.
    native = stream(ctx.seed, "apps", 0, NATIVE)
    dup = np.sort(
        native.choice(n, size=quota(ctx.config.quirks.catalogue_variant, n), replace=False)
    )
    rows = np.concatenate([np.arange(n), dup])
    variant = np.concatenate([np.zeros(n, np.bool_), np.ones(len(dup), np.bool_)])
    columns = [c.take(pa.array(rows)) for c in columns]
    columns[3] = text.where(
        variant, text.ints(reviews[rows] + native.integers(1, 500, len(rows))), columns[3]
    )
    columns[11] = text.where(
        variant & (native.random(len(rows)) < 0.5), "Varies with device", columns[11]
    )

    order = np.lexsort((rows, cat[rows]))  # grouped by category, as in Kaggle
    names_sorted = np.array(names.to_pylist())
    rank = np.unique(names_sorted, return_inverse=True)[1].astype(np.int64)
    return Catalogue(
        columns=[c.take(pa.array(order)) for c in columns],
        app_rank=rank[rows][order],
        weight=(weight[rows] / np.where(variant, 4.0, 1.0))[order],
        variant=variant[order],
    )


class PlayStore:
    name = "play_store"
    specs: tuple[TableSpec, ...] = (APPS, DOWNLOADS)

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.catalogue = build_catalogue(ctx)
        rng = stream(ctx.seed, "play_store", 0, POOL)
        n_users = ctx.volumes.playstore_users
        self.user_w = lognormal_weights(rng, n_users, 0.9)
        self.user_names = text.concat(
            text.take(
                text.labels(vocab.FIRST_NAMES), rng.integers(0, len(vocab.FIRST_NAMES), n_users)
            ),
            " ",
            text.take(
                text.labels(vocab.LAST_NAMES), rng.integers(0, len(vocab.LAST_NAMES), n_users)
            ),
        )
        self.user_ages = text.ints(np.clip(rng.normal(38, 12, n_users), 18, 64).astype(np.int64))
        self.user_states = text.take(
            text.labels(vocab.US_STATES), rng.integers(0, len(vocab.US_STATES), n_users)
        )
        self.user_ids = text.ints(np.arange(1, n_users + 1))
        # What a download row shows of its app: empty ratings filled with the median.
        self.app_columns = list(self.catalogue.columns)
        self.app_columns[2] = pc.if_else(
            pc.equal(self.app_columns[2], ""), MEDIAN_RATING, self.app_columns[2]
        )
        self.app_ids = text.ints(500 + self.catalogue.app_rank)
        self.next_event_id = 0  # event ids run on across batches, so they stay unique
        self._next_day = 0

    def day(self, day: int) -> dict[str, Frame]:
        out = {DOWNLOADS.table: self._downloads(day)}
        if day == 0:
            cat = self.catalogue
            out[APPS.table] = Frame(
                columns=list(cat.columns), protected=cat.variant, native_kind=NATIVE_KIND
            )
        return out

    def _downloads(self, day: int) -> Frame:
        """Downloads of a day, unique per (user, app), in catalogue order."""
        if day != self._next_day:
            raise RuntimeError("play_store downloads must be generated day by day, in order")
        rng = stream(self.ctx.seed, "app_downloads", day, EVENTS)
        cat = self.catalogue
        n = self.ctx.daily_count("app_downloads", self.ctx.volumes.app_downloads, day)
        user = choice(rng, self.user_w, n)
        row = choice(rng, cat.weight, n)
        key = user.astype(np.int64) * (int(cat.app_rank.max()) + 1) + cat.app_rank[row]
        first = np.unique(key, return_index=True)[1]
        user, row = user[first], row[first]
        order = np.lexsort((user, row))
        user, row = user[order].astype(np.int32), row[order].astype(np.int32)
        m = len(row)
        times = np.full(m, day_start(self.ctx.date(day)), dtype=np.int64)
        event_id = np.arange(self.next_event_id, self.next_event_id + m)
        self.next_event_id += m
        self._next_day = day + 1
        minutes = np.clip(rng.lognormal(np.log(90), 0.5, m), 30, 249).astype(np.int64)
        return Frame(
            columns=[
                text.ints(event_id),
                format_times(times, TimeFormat.DATE),
                text.coded(self.user_ids, user),
                *(text.coded(column, row) for column in self.app_columns),
                text.coded(self.app_ids, row),
                text.coded(self.user_names, user),
                text.coded(self.user_ages, user),
                text.coded(self.user_states, user),
                text.ints(minutes),
            ],
            times=times,
        )
