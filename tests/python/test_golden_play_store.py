"""Golden tests: Play Store app-download star schema against pandas over the reference files.

Reference: ../shared/reference-data/playstore-users-app (README section 5). The expected
values are computed here, independently, from the CSVs: the catalogue cleaning and the
duplicate-app rule, row counts per file, and the daily aggregates and top charts.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pandas as pd
import pytest
from golden_fixture import build_domain, check_conformed, read_reference_csv, reference
from warehouse import Warehouse

pytestmark = [pytest.mark.spark, pytest.mark.reference]

FOLDER = "playstore-users-app"
CATALOGUE = "googleplaystore.csv"
BATCH = "users_app_batch_client_data.csv"
STREAMS = ("users_app_stream_client_data.csv", "users_app_data_stream_temp1.csv")
ROWS = {BATCH: 10_839, STREAMS[0]: 2_000, STREAMS[1]: 10_828}
BANDS = [(17, "under 18"), (24, "18-24"), (34, "25-34"), (44, "35-44"), (54, "45-54")]


@pytest.fixture(scope="module")
def built(thrift_warehouse: Warehouse) -> Iterator[Warehouse]:
    wh = thrift_warehouse
    for name in (CATALOGUE, BATCH, *STREAMS):
        wh.load(reference(FOLDER, name), "play_store")
    build_domain(wh, "play_store")
    yield wh


def age_band(age: int) -> str:
    for upper, band in BANDS:
        if age <= upper:
            return band
    return "55-64" if age <= 64 else "65+"


def clean_size(text: str) -> int | None:
    if text == "Varies with device":
        return None
    if text.endswith("M"):
        return int(Decimal(text[:-1]) * 1_000_000)
    if text.endswith("k"):
        return int(Decimal(text[:-1]) * 1_000)
    return int(Decimal(text)) or None


def expected_apps() -> pd.DataFrame:
    """One row per app name: most reviews, latest update, most installs, then category and
    genres alphabetically; app_id = 500 + 0-based rank of the name (code point order)."""
    apps = read_reference_csv(FOLDER, CATALOGUE).drop_duplicates()
    assert len(apps) == 10_839 - 483
    apps["reviews_n"] = apps["reviews"].astype(int)
    apps["updated"] = pd.to_datetime(apps["last_updated"], format="%B %d, %Y").dt.date
    apps["installs_n"] = apps["installs"].str.replace(r"[,+]", "", regex=True).astype(int)
    apps["size_bytes"] = apps["size"].map(clean_size)
    apps["price_n"] = apps["price"].str.lstrip("$").map(Decimal)
    order = ["app", "reviews_n", "updated", "installs_n", "category", "genres"]
    apps = apps.sort_values(order, ascending=[True, False, False, False, True, True])
    first = apps.groupby("app").head(1).copy()
    names = sorted(first["app"])
    first["app_id"] = first["app"].map({name: str(500 + i) for i, name in enumerate(names)})
    first["n_variants"] = first["app"].map(apps.groupby("app").size())
    return first


def expected_downloads(apps: pd.DataFrame) -> pd.DataFrame:
    frames = []
    for name in (BATCH, *STREAMS):
        frame = read_reference_csv(FOLDER, name)
        assert len(frame) == ROWS[name]
        frame["file"] = name
        frames.append(frame)
    rows = pd.concat(frames, ignore_index=True)
    rows["minutes"] = pd.to_numeric(rows.get("time_spent_min"), errors="coerce")
    rows["ts"] = pd.to_datetime(rows["download_date"], format="mixed")
    rows["download_date"] = rows["ts"].dt.date  # reporting zone UTC; batch rows are days
    rows["age_band"] = rows["user_age"].astype(int).map(age_band)
    rows["category"] = rows["app_id"].map(apps.set_index("app_id")["category"])
    return rows


@pytest.fixture(scope="module")
def apps() -> pd.DataFrame:
    return expected_apps()


@pytest.fixture(scope="module")
def downloads(apps: pd.DataFrame) -> pd.DataFrame:
    return expected_downloads(apps)


def test_row_counts_per_file(built: Warehouse) -> None:
    got = built.query(
        "select case when is_date_only then 'batch' else cast(to_date(download_ts) as string) "
        "end as part, count(*) as n, sum(time_spent_min) as minutes "
        "from marts.fct_app_downloads group by 1"
    )
    by = {r.part: (int(r.n), r.minutes) for r in got.itertuples()}
    assert by["batch"] == (ROWS[BATCH], 1_513_078)
    assert by["2021-03-30"][0] == ROWS[STREAMS[0]]
    assert by["2021-05-05"][0] == ROWS[STREAMS[1]]
    assert pd.isna(by["2021-03-30"][1]) and pd.isna(by["2021-05-05"][1])
    staged = built.query("select count(*) as n from staging.stg_play_store__app_downloads")
    assert int(staged["n"][0]) == sum(ROWS.values())  # no exact duplicate in these files


def test_dim_apps(built: Warehouse, apps: pd.DataFrame, downloads: pd.DataFrame) -> None:
    got = built.query(
        "select app_id, app_name, category, genres, reviews, installs, size_bytes, "
        "cast(price as string) as price, cast(last_updated as string) as last_updated, "
        "n_variants from marts.dim_apps"
    )
    assert len(got) == len(apps) == 9_659
    merged = apps.merge(got, on="app_id", suffixes=("", "_got"))
    assert len(merged) == 9_659
    # Names are trimmed in staging (one Kaggle name ends in a blank); the ids follow the
    # source's ranking of the raw names, which the trimmed names keep here.
    assert (merged["app"].str.strip() == merged["app_name"]).all()
    for want, have in [
        ("category", "category_got"),
        ("genres", "genres_got"),
        ("reviews_n", "reviews_got"),
        ("installs_n", "installs_got"),
        ("n_variants", "n_variants_got"),
    ]:
        bad = merged[merged[want].astype(str) != merged[have].astype(str)]
        assert bad.empty, f"{want}:\n{bad[['app', want, have]].head()}"
    sizes = merged["size_bytes"].astype("Int64")
    assert (sizes.fillna(-1) == merged["size_bytes_got"].astype("Int64").fillna(-1)).all()
    assert (merged["price_n"] == merged["price_got"].map(Decimal)).all()
    assert (merged["updated"].astype(str) == merged["last_updated_got"]).all()
    # 10,356 distinct catalogue rows for 9,659 names (README section 5).
    assert merged["n_variants_got"].astype(int).sum() == 10_356
    # The download files' app_id is the same key: each (app name, app_id) pair agrees.
    pairs = downloads[["app", "app_id"]].drop_duplicates()
    assert (pairs["app_id"].map(apps.set_index("app_id")["app"]) == pairs["app"]).all()


def test_dim_app_users_latest_attributes(built: Warehouse, downloads: pd.DataFrame) -> None:
    latest = downloads.sort_values("ts").groupby("user_id").tail(1).set_index("user_id")
    got = built.query(
        "select user_id, user_name, user_age, age_band, user_location, download_count, "
        "n_attribute_variants from marts.dim_app_users"
    ).set_index("user_id")
    assert len(got) == downloads["user_id"].nunique() == 999
    got = got.loc[latest.index]
    assert (got["user_name"] == latest["user_name"]).all()
    assert (got["user_age"].astype(int) == latest["user_age"].astype(int)).all()
    assert (got["user_location"] == latest["user_location"]).all()
    assert (got["age_band"] == latest["age_band"]).all()
    counts = downloads.groupby("user_id").size()
    assert (got["download_count"].astype(int) == counts.loc[got.index]).all()
    variants = downloads.groupby("user_id")[["user_name", "user_age", "user_location"]]
    n_variants = variants.apply(lambda g: len(g.drop_duplicates()))
    assert (got["n_attribute_variants"].astype(int) == n_variants.loc[got.index]).all()


def test_downloads_daily(built: Warehouse, downloads: pd.DataFrame) -> None:
    key = ["download_date", "category", "age_band", "user_location"]
    grouped = downloads.groupby(key)
    want = pd.DataFrame(
        {
            "downloads": grouped.size(),
            "users": grouped["user_id"].nunique(),
            "apps": grouped["app_id"].nunique(),
            "downloads_with_minutes": grouped["minutes"].count(),
            "minutes_spent": grouped["minutes"].sum().astype(int),
        }
    ).reset_index()
    want["download_date"] = want["download_date"].astype(str)
    got = built.query(
        "select cast(download_date as string) as download_date, category, age_band, "
        "user_location, downloads, users, apps, downloads_with_minutes, minutes_spent "
        "from marts.app_downloads_daily"
    )
    assert len(got) == len(want)
    merged = want.merge(got, on=key, how="outer", suffixes=("", "_got"), indicator=True)
    assert (merged["_merge"] == "both").all()
    for column in ("downloads", "users", "apps", "downloads_with_minutes", "minutes_spent"):
        assert (merged[column] == merged[f"{column}_got"].astype(int)).all(), column
    assert merged["downloads"].sum() == sum(ROWS.values())


def test_top_charts_daily(built: Warehouse, downloads: pd.DataFrame) -> None:
    key = ["download_date", "category", "app_id"]
    grouped = downloads.groupby(key)
    per_app = pd.DataFrame(
        {
            "downloads": grouped.size(),
            "users": grouped["user_id"].nunique(),
            "minutes": grouped["minutes"].sum(),
        }
    ).reset_index()
    per_app["app_number"] = per_app["app_id"].astype(int)
    per_app = per_app.sort_values(
        ["download_date", "category", "downloads", "users", "minutes", "app_number"],
        ascending=[True, True, False, False, False, True],
    )
    per_app["chart_rank"] = per_app.groupby(["download_date", "category"]).cumcount() + 1
    want = per_app[per_app["chart_rank"] <= 10].copy()
    want["download_date"] = want["download_date"].astype(str)
    got = built.query(
        "select cast(download_date as string) as download_date, category, chart_rank, app_id, "
        "downloads from marts.app_top_charts_daily"
    )
    got["chart_rank"] = got["chart_rank"].astype(int)
    merged = want.merge(got, on=["download_date", "category", "chart_rank"], how="outer")
    assert len(merged) == len(want) == len(got)
    assert (merged["app_id_x"] == merged["app_id_y"]).all()
    assert (merged["downloads_x"] == merged["downloads_y"].astype(int)).all()


def test_conformed_events_and_actors(built: Warehouse) -> None:
    """Every distinct download (batch + stream files) is one fct_events row."""
    raw = pd.concat(
        [read_reference_csv(FOLDER, name).assign(_file=name) for name in (BATCH, *STREAMS)],
        ignore_index=True,
    )
    raw = raw.drop(columns="_file").fillna("").drop_duplicates()
    ts = pd.to_datetime(raw["download_date"], format="mixed", errors="coerce")
    valid = ts.notna() & (raw[["event_id", "user_id", "app_id"]] != "").all(axis=1)
    events = pd.DataFrame({"actor": raw["user_id"], "ts": ts})[valid]
    check_conformed(built, "play_store", "play_store_user", events)
