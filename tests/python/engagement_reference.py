"""Engagement metrics computed independently of dbt, in pandas, from raw CSV rows.

Definitions from DESIGN.md, written here a second time on purpose: the test compares
the warehouse's marts with these, so a shared bug would need to be made twice.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

ENGAGING = {
    "ad_platform": {"click", "close"},
    "app_store": {"app_view", "open", "download"},
    "notes_app": {"page_view", "edit", "create", "delete", "share"},
}
SPACE = {"ad_platform": "device", "app_store": "device", "notes_app": "notes"}


def active_days(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """(actor, product, day) of engaging, valid events; product 'all' per identity space."""
    rows = []
    for source, df in frames.items():
        df = df.drop_duplicates()
        df = df[df["event_type"].isin(ENGAGING[source])]
        if source == "notes_app":
            ms = pd.to_numeric(df["duration_ms"], errors="coerce")
            df = df[(ms >= 0) & (ms <= 7_200_000)]
        actor = SPACE[source] + ":" + df["actor"]
        day = df["ts"].dt.date
        rows.append(pd.DataFrame({"actor": actor, "product": source, "day": day}))
    per_source = pd.concat(rows).drop_duplicates()
    overall = per_source.assign(product="all").drop_duplicates()
    return pd.concat([per_source, overall], ignore_index=True)


def active_users(days: pd.DataFrame) -> pd.DataFrame:
    """One row per product and day that has activity within the 31 days up to it."""
    out = []
    for product, group in days.groupby("product"):
        by_day = group.groupby("day")["actor"].apply(set).to_dict()
        first_day = group.groupby("actor")["day"].min().to_dict()
        all_days = sorted(days["day"].unique())
        d, last = min(group["day"]), max(all_days)
        while d <= last:

            def actors(lo: date, hi: date, _by_day: dict = by_day) -> set[str]:
                found: set[str] = set()
                for k, v in _by_day.items():
                    if lo <= k <= hi:
                        found |= v
                return found

            window31 = actors(d - timedelta(days=30), d)
            if window31:
                today = by_day.get(d, set())
                before30 = actors(d - timedelta(days=30), d - timedelta(days=1))
                ever_before = actors(date.min, d - timedelta(days=1))
                new = {a for a in today if first_day[a] == d}
                resurrected = {a for a in today if a in ever_before and a not in before30}
                mau30 = actors(d - timedelta(days=29), d)
                out.append(
                    {
                        "product": product,
                        "activity_date": d,
                        "dau": len(today),
                        "wau_rolling_7d": len(actors(d - timedelta(days=6), d)),
                        "mau_rolling_28d": len(actors(d - timedelta(days=27), d)),
                        "mau_rolling_30d": len(mau30),
                        "wau_calendar_week": len(actors(d - timedelta(days=d.weekday()), d)),
                        "mau_calendar_month": len(actors(d.replace(day=1), d)),
                        "new_actors": len(new),
                        "resurrected_actors": len(resurrected),
                        "returning_actors": len(today) - len(new) - len(resurrected),
                    }
                )
            d += timedelta(days=1)
    return pd.DataFrame(out)


def notes_sessions(df: pd.DataFrame, gap_minutes: int = 30) -> pd.DataFrame:
    """Gap sessions of valid notes-app interactions, split at midnight."""
    df = df.drop_duplicates().copy()
    df["ms"] = pd.to_numeric(df["duration_ms"], errors="coerce")
    df = df[(df["ms"] >= 0) & (df["ms"] <= 7_200_000)]
    sessions = []
    for (actor, day), group in df.groupby([df["actor"], df["ts"].dt.date]):
        group = group.sort_values("ts")
        current: list[pd.Series] = []
        for _, row in group.iterrows():
            if current and (row["ts"] - current[-1]["ts"]).total_seconds() >= gap_minutes * 60:
                sessions.append(_session(actor, day, current))
                current = []
            current.append(row)
        sessions.append(_session(actor, day, current))
    return pd.DataFrame(sessions)


def _session(actor: str, day: date, rows: list[pd.Series]) -> dict[str, object]:
    span = (rows[-1]["ts"] - rows[0]["ts"]).total_seconds()
    return {
        "actor_id": actor,
        "session_date": day,
        "session_start": rows[0]["ts"],
        "event_count": len(rows),
        "session_length_seconds": round(span + rows[-1]["ms"] / 1000.0, 3),
        "engaged_seconds": round(sum(r["ms"] for r in rows) / 1000.0, 3),
    }


def retention(days: pd.DataFrame) -> pd.DataFrame:
    """Weekly (Monday) and monthly acquisition cohorts: active share in each later period."""
    days = days.copy()
    days["day"] = pd.to_datetime(days["day"])
    first = days.groupby(["product", "actor"])["day"].transform("min")
    out = []
    for grain in ("week", "month"):
        if grain == "week":
            cohort = first - pd.to_timedelta(first.dt.day_of_week, unit="D")
            period = days["day"] - pd.to_timedelta(days["day"].dt.day_of_week, unit="D")
            number = (period - cohort).dt.days // 7
        else:
            cohort = first.dt.to_period("M").dt.to_timestamp()
            period = days["day"].dt.to_period("M").dt.to_timestamp()
            number = (period.dt.year - cohort.dt.year) * 12 + period.dt.month - cohort.dt.month
        frame = days.assign(cohort_start=cohort.dt.date, period_number=number)
        active = (
            frame.groupby(["product", "cohort_start", "period_number"])["actor"]
            .nunique()
            .rename("active_actors")
            .reset_index()
        )
        sizes = active[active["period_number"] == 0].drop(columns="period_number")
        active = active.merge(sizes.rename(columns={"active_actors": "cohort_size"}))
        active["retention_rate"] = (active["active_actors"] / active["cohort_size"]).round(4)
        out.append(active.assign(cohort_grain=grain))
    return pd.concat(out, ignore_index=True)


def gap_sessions(df: pd.DataFrame, source: str, gap_minutes: int = 30) -> pd.DataFrame:
    """Sessions of any gap-based stream: all distinct events, split at gaps and midnight.

    Notes-app rows outside 0..2h durations are outliers and left out; a session's length
    is last - first event plus the last event's duration (notes app only).
    """
    df = df.drop_duplicates().copy()
    if source == "notes_app":
        df["ms"] = pd.to_numeric(df["duration_ms"], errors="coerce")
        df = df[(df["ms"] >= 0) & (df["ms"] <= 7_200_000)]
    else:
        df["ms"] = float("nan")
    out = []
    for (actor, day), group in df.groupby([df["actor"], df["ts"].dt.date]):
        group = group.sort_values("ts")
        new = group["ts"].diff().dt.total_seconds().fillna(gap_minutes * 60) >= gap_minutes * 60
        for _, rows in group.groupby(new.cumsum()):
            span = (rows["ts"].iloc[-1] - rows["ts"].iloc[0]).total_seconds()
            last_ms = rows["ms"].iloc[-1]
            out.append(
                {
                    "product": source,
                    "actor": actor,
                    "session_date": day,
                    "length": span + (0.0 if pd.isna(last_ms) else last_ms / 1000.0),
                    "engaged": rows["ms"].sum(min_count=1) / 1000.0,
                    "events": len(rows),
                    "first_country": rows["country"].iloc[0] if "country" in rows else None,
                }
            )
    return pd.DataFrame(out)


def session_metrics(sessions: pd.DataFrame, attributes: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """Per day, product, country and device: counts, means, medians and bounce rate.

    `attributes` maps an actor to its (country, device_type) from metadata; a session
    without one takes its own first event's country, and 'unknown'.
    """
    s = sessions.copy()
    known = s["actor"].map(attributes)
    s["country"] = [
        a[0] if isinstance(a, tuple) and a[0] else (c if isinstance(c, str) else "unknown")
        for a, c in zip(known, s["first_country"], strict=True)
    ]
    s["device_type"] = [a[1] if isinstance(a, tuple) and a[1] else "unknown" for a in known]
    grouped = s.groupby(["session_date", "product", "country", "device_type"])
    return grouped.agg(
        sessions=("events", "size"),
        avg_session_length_seconds=("length", "mean"),
        median_session_length_seconds=("length", "median"),
        avg_engaged_seconds=("engaged", "mean"),
        actions_per_session=("events", "mean"),
        median_actions_per_session=("events", "median"),
        bounce_rate=("events", lambda e: (e == 1).mean()),
    ).reset_index()
