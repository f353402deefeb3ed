"""Engagement marts on a hand-built dataset, against answers computed in pandas.

Edge cases: exactly 30:00 and 29:59 apart, across midnight, across a month end, a late
event (second load), an exact duplicate, outlier durations, a device seen in two
countries (d1 on one day, d2 across days, with a new brand too), an unengaging-only
device, a device in both ad and store streams, and a user resurrected after more than
30 days.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from engagement_reference import (
    active_days,
    active_users,
    gap_sessions,
    notes_sessions,
    retention,
    session_metrics,
)
from warehouse import Warehouse

pytestmark = pytest.mark.spark

NOTES = """user_id,timestamp,action_type,page_id,duration_ms,app_version
u000001,2024-01-30 10:00:00,edit,p000001,60000,6.1.0
u000001,2024-01-30 10:00:00,edit,p000001,60000,6.1.0
u000001,2024-01-30 10:30:00,page_view,p000001,1000,6.1.0
u000001,2024-01-30 10:59:59,share,p000002,2000,6.1.0
u000001,2024-01-30 23:50:00,create,p000003,1000,6.1.0
u000001,2024-01-31 00:10:00,edit,p000003,5000,6.1.0
u000001,2024-01-31 23:59:00,page_view,p000003,1500,6.1.0
u000001,2024-02-01 00:01:00,page_view,p000003,2500,6.1.0
u000002,2024-01-30 12:00:00,edit,p000010,8000000,5.0.1
u000002,2024-02-01 09:00:00,edit,p000010,-5,5.0.1
u000002,2024-02-02 09:00:00,edit,p000010,1000,5.0.1
u000003,2023-12-20 08:00:00,create,p000020,3000,7.2.2
u000003,2024-02-02 08:00:00,page_view,p000020,4000,7.2.2
"""
NOTES_LATE = """user_id,timestamp,action_type,page_id,duration_ms,app_version
u000004,2024-01-31 15:00:00,page_view,p000030,7000,6.0.0
u000001,2024-01-30 23:55:00,edit,p000003,3000,6.1.0
"""
METADATA = """user_id,join_date,country,device_type,subscription_type
u000001,2023-01-01,US,iPhone,free
u000001,2023-06-01,UK,iPad,premium
u000002,2022-05-05,DE,Windows,basic
"""
ADS = """device_id,server_time,ad_id,event_type,country,brand
d1,1/30/24 9:00,adA,display,India,Brand A
d1,1/30/24 9:01,adA,click,India,Brand A
d1,1/30/24 18:00,adA,click,Nigeria,Brand A
d2,1/30/24 9:05,adA,display,India,Brand B
d2,1/31/24 9:05,,logs,Kenya,Brand B2
d3,1/30/24 10:00,,logs,China,Brand C
d3,1/30/24 10:01,adB,load,China,Brand C
d3,1/30/24 10:01,adB,display,China,Brand C
d4,2/1/24 7:00,adB,close,China,Brand D
"""
STORE = """device_id,server_time,app_id,event_type,country,brand
d1,1/30/24 9:30,appX,app_view,India,Brand A
d1,1/30/24 9:31,appX,download,India,Brand A
d5,1/31/24 11:00,appX,app_view,United States,Brand E
d5,2/2/24 11:00,,logs,United States,Brand E
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def frame(text: str, actor: str, ts: str, fmt: str | None = None) -> pd.DataFrame:
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    df = df.rename(columns={actor: "actor", "action_type": "event_type"})
    df["ts"] = pd.to_datetime(df[ts], format=fmt)
    return df


@pytest.fixture(scope="module")
def built(thrift_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    wh = thrift_warehouse
    landing = tmp_path_factory.mktemp("landing")
    write(landing, "notes_app/user_interactions_1.csv", NOTES)
    write(landing, "notes_app/user_metadata_1.csv", METADATA)
    write(landing, "ad_platform/ads_stream_1.csv", ADS)
    write(landing, "app_store/store_stream_1.csv", STORE)
    wh.load(landing, None, load_date=date(2024, 2, 2))
    wh.register()
    wh.dbt("seed")
    wh.dbt("run")
    late = write(tmp_path_factory.mktemp("late"), "user_interactions_late.csv", NOTES_LATE)
    wh.load(late, "notes_app", load_date=date(2024, 2, 3))
    wh.build()
    return wh


def expected_frames() -> dict[str, pd.DataFrame]:
    return {
        "notes_app": frame(NOTES + NOTES_LATE.split("\n", 1)[1], "user_id", "timestamp"),
        "ad_platform": frame(ADS, "device_id", "server_time", "%m/%d/%y %H:%M"),
        "app_store": frame(STORE, "device_id", "server_time", "%m/%d/%y %H:%M"),
    }


def test_active_users_match_pandas(built: Warehouse) -> None:
    expected = active_users(active_days(expected_frames()))
    got = built.query("select * from marts.active_users_daily")
    columns = list(expected.columns)
    got = got[columns].assign(activity_date=lambda d: pd.to_datetime(d["activity_date"]).dt.date)
    for column in columns[2:]:
        got[column] = got[column].astype(int)
    key = ["product", "activity_date"]
    merged = expected.merge(got, on=key, how="outer", suffixes=("_want", "_got"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"][[*key, "_merge"]]
    for column in columns[2:]:
        bad = merged[merged[f"{column}_want"] != merged[f"{column}_got"]]
        assert bad.empty, f"{column} differs:\n{bad[[*key, f'{column}_want', f'{column}_got']]}"


def test_hand_checked_figures(built: Warehouse) -> None:
    """A few numbers worked out by hand, so the pandas reference is checked too."""
    rows = built.query(
        "select product, cast(activity_date as string) as d, dau, resurrected_actors "
        "from marts.active_users_daily"
    )
    by = {(r.product, r.d): (r.dau, r.resurrected_actors) for r in rows.itertuples()}
    # d1 clicked in India and Nigeria: one device; d2/d3 never engaged.
    assert by[("ad_platform", "2024-01-30")] == (1, 0)
    # d1 (ads + store) counts once in 'all'; u000001 is the only valid notes user.
    assert by[("all", "2024-01-30")][0] == 2
    # u000003: active 2023-12-20, then 2024-02-02 -> resurrected.
    assert by[("notes_app", "2024-02-02")] == (2, 1)
    # the late event of u000004 on 2024-01-31 is counted.
    assert by[("notes_app", "2024-01-31")][0] == 2


def test_sessions_match_pandas(built: Warehouse) -> None:
    expected = notes_sessions(expected_frames()["notes_app"])
    got = built.query(
        "select actor_id, session_date, session_start, event_count, "
        "cast(session_length_seconds as double) as session_length_seconds, "
        "cast(engaged_seconds as double) as engaged_seconds "
        "from marts.fct_sessions where source = 'notes_app'"
    )
    got["session_date"] = pd.to_datetime(got["session_date"]).dt.date
    got["session_start"] = pd.to_datetime(got["session_start"])
    key = ["actor_id", "session_start"]
    want = expected.sort_values(key).reset_index(drop=True)
    have = got.sort_values(key).reset_index(drop=True)[list(want.columns)]
    have["event_count"] = have["event_count"].astype(int)
    pd.testing.assert_frame_equal(want, have, check_dtype=False)
    # by hand: 10:00 alone (10:30 is exactly 30:00 later), then 10:30 + 10:59:59 (29:59).
    assert have["event_count"].tolist()[:3] == [1, 2, 2]


def test_session_boundaries_by_hand(built: Warehouse) -> None:
    rows = built.query(
        "select cast(session_start as string) as s, event_count from marts.fct_sessions "
        "where source = 'notes_app' and actor_id = 'u000001' order by session_start"
    )
    assert list(rows["event_count"].astype(int)) == [1, 2, 2, 1, 1, 1]
    assert list(rows["s"]) == [
        "2024-01-30 10:00:00",
        "2024-01-30 10:30:00",
        "2024-01-30 23:50:00",
        "2024-01-31 00:10:00",
        "2024-01-31 23:59:00",
        "2024-02-01 00:01:00",
    ]


def test_funnel_counts_distinct_devices(built: Warehouse) -> None:
    rows = built.query(
        "select country, devices_displayed, devices_clicked, "
        "cast(click_through_rate as double) as ctr from marts.ad_funnel_monthly "
        "where ad_id = 'adA' and month_start = date '2024-01-01'"
    )
    by = {r.country: (r.devices_displayed, r.devices_clicked, r.ctr) for r in rows.itertuples()}
    assert by["India"] == (2, 1, 0.5)
    assert by["Nigeria"][:2] == (0, 1) and pd.isna(by["Nigeria"][2])
    assert by["all"] == (2, 1, 0.5)


def test_outliers_counted_not_dropped(built: Warehouse) -> None:
    rows = built.query(
        "select sum(outlier_events) as outliers, sum(duplicate_rows) as dups "
        "from marts.data_quality_daily where source = 'notes_app'"
    )
    assert int(rows["outliers"][0]) == 2
    assert int(rows["dups"][0]) == 1


def test_metadata_conflict_rule(built: Warehouse) -> None:
    rows = built.query(
        "select country, device_type, subscription_type from marts.dim_actors "
        "where identity_space = 'notes_user' and actor_id = 'u000001'"
    )
    assert rows.values.tolist() == [["UK", "iPad", "premium"]]


def compare(want: pd.DataFrame, got: pd.DataFrame, key: list[str], places: int) -> None:
    """Outer-join on key; every other column equal to `places` decimals (NaN equals NaN)."""
    assert len(want) > 0 and len(got) > 0
    merged = want.merge(got, on=key, how="outer", suffixes=("_want", "_got"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"][[*key, "_merge"]]
    for column in [c for c in want.columns if c not in key]:
        a = pd.to_numeric(merged[f"{column}_want"]).astype(float).round(places)
        b = pd.to_numeric(merged[f"{column}_got"]).astype(float).round(places)
        bad = merged[~((a == b) | (a.isna() & b.isna()))]
        assert bad.empty, f"{column} differs:\n{bad[[*key, f'{column}_want', f'{column}_got']]}"


def test_retention_cohorts_match_pandas(built: Warehouse) -> None:
    want = retention(active_days(expected_frames()))
    got = built.query(
        "select cohort_grain, product, cohort_start, period_number, cohort_size, "
        "active_actors, cast(retention_rate as double) as retention_rate "
        "from marts.retention_cohorts"
    )
    got["cohort_start"] = pd.to_datetime(got["cohort_start"]).dt.date
    compare(want, got, ["cohort_grain", "product", "cohort_start", "period_number"], 4)
    # by hand: u000003 joined notes in Dec 2023 and came back in Feb 2024 (period 2).
    month = got[(got["product"] == "notes_app") & (got["cohort_grain"] == "month")]
    dec = month[month["cohort_start"] == date(2023, 12, 1)].set_index("period_number")
    assert dec["active_actors"].to_dict() == {0: 1, 2: 1}


def device_attributes(frames: dict[str, pd.DataFrame]) -> dict[str, tuple[str, str]]:
    """Latest country and brand of each device over the ad and store streams."""
    devices = pd.concat([frames["ad_platform"], frames["app_store"]]).sort_values("ts")
    latest = devices.groupby("actor").last()
    return {a: (r.country, r.brand) for a, r in latest.iterrows()}


def test_session_metrics_match_pandas(built: Warehouse) -> None:
    frames = expected_frames()
    sessions = pd.concat(
        [gap_sessions(frames[source], source) for source in frames], ignore_index=True
    )
    attributes = {"u000001": ("UK", "iPad"), "u000002": ("DE", "Windows")}
    want = session_metrics(sessions, {**attributes, **device_attributes(frames)})
    got = built.query("select * from marts.session_metrics_daily").drop(
        columns="session_metrics_daily_id"
    )
    got["session_date"] = pd.to_datetime(got["session_date"]).dt.date
    compare(want, got, ["session_date", "product", "country", "device_type"], 2)
    # by hand: d1 on 2024-01-30 in the ad stream: 9:00+9:01 then 18:00 -> 2 sessions.
    d1 = got[(got["product"] == "ad_platform") & (got["country"] == "Nigeria")]
    assert int(d1[d1["session_date"] == date(2024, 1, 30)]["sessions"].sum()) == 2
