"""notes_app: user interactions (with a duration) and a user metadata snapshot.

Formats follow the goodnotes-insights generator: ids ``u`` / ``p`` + 6 digits (the id
1,000,000 keeps 7), ``YYYY-MM-DD HH:MM:SS`` times, ``M.m.p`` versions. Unlike that
generator, activity is heavy-tailed and interactions come in sessions (gaps mostly
well under 30 minutes). Metadata ids are drawn with replacement, so ids repeat with
conflicting attributes and some active users have no metadata row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from pulse.generate import text
from pulse.generate.dedupe import first_of_each
from pulse.generate.rng import EVENTS, POOL, categorical, choice, lognormal_weights, probs, stream
from pulse.generate.sessions import Gaps, lengths_for_total, place, time_order
from pulse.generate.sources.base import Context
from pulse.generate.table import Column, Frame, Role, TableSpec
from pulse.generate.timefmt import DAY, EPOCH, TimeFormat, day_start, format_times, hourly_cycle

INTERACTIONS = TableSpec(
    source="notes_app",
    table="user_interactions",
    file_stem="user_interactions",
    columns=(
        Column("user_id", Role.REQUIRED_ID),
        Column("timestamp", Role.EVENT_TIME),
        Column("action_type"),
        Column("page_id", Role.OPTIONAL_ID),
        Column("duration_ms", Role.DURATION),
        Column("app_version"),
    ),
    time_format=TimeFormat.SQL,
)
METADATA = TableSpec(
    source="notes_app",
    table="user_metadata",
    file_stem="user_metadata",
    columns=(
        Column("user_id", Role.REQUIRED_ID),
        Column("join_date"),
        Column("country"),
        Column("device_type"),
        Column("subscription_type"),
    ),
    snapshot=True,
)

ACTIONS, ACTION_P = probs(
    {"page_view": 0.5, "edit": 0.26, "create": 0.1, "share": 0.08, "delete": 0.06}
)
COUNTRIES, COUNTRY_P = probs(
    {
        "US": 0.3,
        "UK": 0.1,
        "CA": 0.06,
        "AU": 0.05,
        "DE": 0.1,
        "FR": 0.08,
        "JP": 0.1,
        "IN": 0.12,
        "BR": 0.05,
        "MX": 0.04,
    }
)
DEVICES, DEVICE_P = probs(
    {
        "iPhone": 0.22,
        "iPad": 0.3,
        "Android Phone": 0.15,
        "Android Tablet": 0.1,
        "Windows": 0.1,
        "Mac": 0.13,
    }
)
PLANS, PLAN_P = probs({"free": 0.55, "basic": 0.25, "premium": 0.15, "enterprise": 0.05})
GAPS = Gaps(median_s=60, sigma=1.0, min_s=1)
JOIN_YEARS = 4  # sign-ups over the 4 years before the data (2020-2023 for 2024 data)


def _ids(prefix: str, numbers: NDArray[np.int64]) -> pa.Array:
    return text.padded(prefix, numbers, 6)


class NotesApp:
    name = "notes_app"
    specs: tuple[TableSpec, ...] = (INTERACTIONS, METADATA)

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        v = ctx.volumes
        rng = stream(ctx.seed, "notes_app", 0, POOL)
        self.numbers = np.sort(
            rng.choice(np.arange(1, 1_000_001), size=v.notes_users, replace=False)
        )
        self.users = _ids("u", self.numbers)
        self.user_w = lognormal_weights(rng, v.notes_users, 1.2)
        self.home_page = rng.integers(1, 1_000_001, v.notes_users)
        major = categorical(rng, np.array([0.15, 0.35, 0.5]), v.notes_users) + 5
        versions = text.concat(
            text.ints(major),
            ".",
            text.ints(rng.integers(0, 10, v.notes_users)),
            ".",
            text.ints(rng.integers(0, 10, v.notes_users)),
        )
        self.versions = versions

    def day(self, day: int) -> dict[str, Frame]:
        out = {INTERACTIONS.table: self._interactions(day)}
        if day == 0:
            out[METADATA.table] = self._metadata()
        return out

    def _interactions(self, day: int) -> Frame:
        rng = stream(self.ctx.seed, "user_interactions", day, EVENTS)
        n = self.ctx.daily_count("user_interactions", self.ctx.volumes.user_interactions, day)
        lengths = lengths_for_total(rng, n, mean=4.0)
        s = place(rng, lengths, GAPS, hourly_cycle(), day_start(self.ctx.date(day)))
        user = np.repeat(choice(rng, self.user_w, len(lengths)), lengths)
        # A user works on a few pages near their own: offset 0 most often.
        page = (
            self.home_page[user] + rng.geometric(0.5, n) - 1 + rng.integers(0, 3, n) * 97
        ) % 1_000_000 + 1
        action = categorical(rng, ACTION_P, n)
        duration = np.clip(rng.lognormal(np.log(20_000), 1.0, n), 100, 300_000).astype(np.int64)
        o = time_order(s.times)
        second = s.times - s.times.min(initial=0)
        # Unique on the reference's dedup key (user, time, action, page): every duplicate
        # on it is an injected one.
        keep = first_of_each(
            [
                (second[o], 2 * 86_400),
                (user[o], len(self.numbers)),
                (action[o], len(ACTIONS)),
                (page[o], 1_000_001),
            ]
        )
        o = o[keep]
        times, user, page, action, duration = s.times[o], user[o], page[o], action[o], duration[o]
        return Frame(
            columns=[
                text.coded(self.users, user),
                format_times(times, TimeFormat.SQL),
                text.coded(text.labels(ACTIONS), action),
                _ids("p", page),
                text.ints(duration),
                text.coded(self.versions, user),
            ],
            times=times,
        )

    def _metadata(self) -> Frame:
        rng = stream(self.ctx.seed, "user_metadata", 0, EVENTS)
        n = self.ctx.volumes.metadata_rows
        start = self.ctx.config.start_date
        first_join = start.replace(year=start.year - JOIN_YEARS, day=min(start.day, 28))
        span = (start - first_join).days
        user = rng.integers(0, len(self.numbers), n)
        join = rng.integers(0, span, n)
        country = categorical(rng, COUNTRY_P, n)
        device = categorical(rng, DEVICE_P, n)
        plan = categorical(rng, PLAN_P, n)
        keep = first_of_each(
            [
                (user, len(self.numbers)),
                (join, span),
                (country, len(COUNTRIES)),
                (device, len(DEVICES)),
                (plan, len(PLANS)),
            ]
        )
        join_s = (first_join.toordinal() - EPOCH.toordinal() + join[keep]) * DAY
        return Frame(
            columns=[
                text.coded(self.users, user[keep]),
                format_times(join_s, TimeFormat.DATE),
                text.coded(text.labels(COUNTRIES), country[keep]),
                text.coded(text.labels(DEVICES), device[keep]),
                text.coded(text.labels(PLANS), plan[keep]),
            ]
        )
