"""Golden tests: marketing attribution against the capstone project's expected outputs.

Reference: ../shared/reference-data/capstone-clickstream-attribution (README section 4).

One warehouse holds both the real test inputs (5 clickstream + 5 purchase files) and the
hand-made dummy inputs: their ids cannot collide (UUIDs against the dummy's `1`, `2`, ...),
so each golden table is checked on its own ids. The dummy's expected top-campaign and
channel tables come from its attribution-shaped inputs (dummy/top_marketing_campaigns.csv,
dummy/most_popular_channels.csv), and the published top 10 / channel ranks from the
published attribution parquet: those are not loader inputs, so the marts' own compiled
SQL is run over them (fct_purchase_attribution swapped for a view of the file).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pandas as pd
import pytest
from golden_fixture import (
    build_domain,
    check_conformed,
    compiled_sql,
    read_reference_csv,
    reference,
    replace_relation,
)
from warehouse import Warehouse

pytestmark = [pytest.mark.spark, pytest.mark.reference]

FOLDER = "capstone-clickstream-attribution"
EXPECTED = f"{FOLDER}/expected"
ATTRIBUTION = "marts.fct_purchase_attribution"
DUMMY_PURCHASES = ("1", "2", "3")

# An attribution-shaped file as the columns fct_purchase_attribution has.
AS_ATTRIBUTION = """
    select
        cast(purchaseId as string) as purchase_id,
        cast(purchaseTime as timestamp) as purchase_ts,
        cast(billingCost as decimal(12, 2)) as billing_cost,
        lower(cast(isConfirmed as string)) = 'true' as is_confirmed,
        cast(sessionId as string) as session_id,
        cast(campaignId as string) as campaign_id,
        cast(channelId as string) as channel_id
    from {relation}
"""


@pytest.fixture(scope="module")
def built(thrift_warehouse: Warehouse) -> Iterator[Warehouse]:
    wh = thrift_warehouse
    for folder in ("mobile_app_clickstream", "user_purchases"):
        wh.load(reference(FOLDER, folder), "marketing")
    for name in ("mobile_app_clickstream.csv", "user_purchases.csv"):
        wh.load(reference(FOLDER, "dummy", name), "marketing")
    build_domain(wh, "marketing")
    published = reference(FOLDER, "purchases_attribution")
    csv_tables = {
        "dummy_top_input": reference(FOLDER, "dummy", "top_marketing_campaigns.csv"),
        "dummy_channels_input": reference(FOLDER, "dummy", "most_popular_channels.csv"),
    }
    statements = [
        "create schema if not exists golden",
        "create or replace view golden.published_attribution as "
        + AS_ATTRIBUTION.format(relation=f"parquet.`{published}`"),
        "create or replace view golden.dummy_pipeline_attribution as "
        f"select * from {ATTRIBUTION} where purchase_id in {DUMMY_PURCHASES}",
    ]
    for name, path in csv_tables.items():
        statements += [
            f"drop table if exists golden.{name}_raw",
            f"create table golden.{name}_raw using csv options (path '{path}', header 'true')",
            f"create or replace view golden.{name} as "
            + AS_ATTRIBUTION.format(relation=f"golden.{name}_raw"),
        ]
    wh.execute(*statements)
    yield wh


def mart_over(wh: Warehouse, model: str, relation: str) -> pd.DataFrame:
    """The mart's compiled SQL, reading `relation` instead of fct_purchase_attribution."""
    sql = compiled_sql(wh, f"models/marts/marketing/{model}.sql")
    return wh.query(replace_relation(sql, ATTRIBUTION, relation))


def top_campaigns(wh: Warehouse, relation: str) -> list[tuple[str, Decimal]]:
    rows = mart_over(wh, "top_campaigns_by_revenue", relation).sort_values("revenue_rank")
    return [(r.campaign_id, Decimal(str(r.revenue))) for r in rows.itertuples()]


def channel_ranks(wh: Warehouse, relation: str) -> set[tuple[str, str, int, int]]:
    rows = mart_over(wh, "channel_rank_by_campaign", relation)
    return {
        (r.campaign_id, r.channel_id, int(r.sessions_count), int(r.channel_rank))
        for r in rows.itertuples()
    }


def expected_channels(name: str) -> set[tuple[str, str, int, int]]:
    frame = read_reference_csv(EXPECTED, name)
    return {
        (r.campaignId, r.channelId, int(r.sessionsCount), int(r.channelRank))
        for r in frame.itertuples()
    }


@pytest.fixture(scope="module")
def attribution(built: Warehouse) -> pd.DataFrame:
    return built.query(
        "select purchase_id as purchaseId, cast(purchase_ts as string) as purchaseTime, "
        "cast(billing_cost as string) as billingCost, "
        "case when is_confirmed then 'True' else 'False' end as isConfirmed, "
        "session_id, campaign_id as campaignId, channel_id as channelId, user_id as userId, "
        "is_attributed from marts.fct_purchase_attribution"
    )


def test_dummy_attribution(attribution: pd.DataFrame) -> None:
    expected = read_reference_csv(EXPECTED, "dummy_purchases_attribution_expected.csv")
    got = attribution[attribution["purchaseId"].isin(DUMMY_PURCHASES)]
    merged = expected.merge(got, on="purchaseId", how="outer", suffixes=("", "_got"))
    assert len(merged) == len(expected) == 3
    for column in ("purchaseTime", "isConfirmed", "campaignId", "channelId"):
        assert (merged[column] == merged[f"{column}_got"]).all(), merged
    assert (merged["billingCost"].map(Decimal) == merged["billingCost_got"].map(Decimal)).all()
    # sessionKey stands for the arbitrary session id: S1 is user 1's app_open (eventId 1),
    # S2 user 2's (eventId 5); the mapping must be one-to-one.
    mapping = dict(zip(merged["sessionKey"], merged["session_id"], strict=True))
    assert mapping == {"S1": "1", "S2": "5"}


def test_dummy_marts_from_the_attribution_inputs(built: Warehouse) -> None:
    want = read_reference_csv(EXPECTED, "dummy_top_marketing_campaigns_expected.csv")
    got = top_campaigns(built, "golden.dummy_top_input")
    assert got == [(r.campaignId, Decimal(r.revenue)) for r in want.itertuples()]
    assert got[0] == ("1", Decimal("30.0"))
    channels = channel_ranks(built, "golden.dummy_channels_input")
    assert channels == expected_channels("dummy_most_popular_channels_expected.csv")


def test_dummy_marts_through_the_pipeline(built: Warehouse) -> None:
    """The dummy clickstream itself: 3 purchases, 2 sessions, one campaign and channel."""
    assert top_campaigns(built, "golden.dummy_pipeline_attribution") == [("1", Decimal("30.00"))]
    channels = channel_ranks(built, "golden.dummy_pipeline_attribution")
    assert channels == {("1", "Yandex Ads", 2, 1)}


def test_real_attribution_matches_every_column(attribution: pd.DataFrame) -> None:
    """The 10,000 derived rows, on every column; sessionKey is the app_open eventId,
    which is this warehouse's session_id."""
    expected = read_reference_csv(EXPECTED, "derived_purchases_attribution_from_test_inputs.csv")
    got = attribution[~attribution["purchaseId"].isin(DUMMY_PURCHASES)]
    assert len(expected) == len(got) == 10_000
    assert got["is_attributed"].all()
    merged = expected.merge(got, on="purchaseId", how="inner", suffixes=("", "_got"))
    assert len(merged) == 10_000
    merged["sessionKey_got"] = merged["session_id"]
    for column in (
        "purchaseTime",
        "billingCost",
        "isConfirmed",
        "sessionKey",
        "campaignId",
        "channelId",
        "userId",
    ):
        bad = merged[merged[column] != merged[f"{column}_got"]]
        assert bad.empty, f"{column} differs:\n{bad[[column, f'{column}_got']].head()}"


def test_sessions_of_the_real_inputs(built: Warehouse) -> None:
    rows = built.query(
        "select count(*) as sessions, count(session_end) as closed, "
        "count(distinct user_id) as users, sum(event_count) as events "
        "from intermediate.int_marketing_sessions"
    ).iloc[0]
    # 50,000 users with one open/close each, plus the dummy's 2 sessions (4 + 3 events);
    # 70 real users view a product after closing: those events are outside the session.
    assert (int(rows.sessions), int(rows.closed), int(rows.users)) == (50_002, 50_002, 50_002)
    assert int(rows.events) == 250_000 - 70 + 7


def test_published_top_campaigns_to_the_cent(built: Warehouse) -> None:
    want = read_reference_csv(
        EXPECTED, "derived_top_marketing_campaigns_from_published_attribution.csv"
    )
    got = top_campaigns(built, "golden.published_attribution")
    assert got == [(r.campaignId, Decimal(r.revenue)) for r in want.itertuples()]
    assert got[0] == ("685", Decimal("40703.10"))


def test_published_channel_ranks(built: Warehouse) -> None:
    want = expected_channels("derived_most_popular_channels_from_published_attribution.csv")
    assert len(want) == 1_040
    got = channel_ranks(built, "golden.published_attribution")
    assert got == want
    assert sum(1 for row in got if row[3] == 1) == 243


def test_conformed_events_and_actors(built: Warehouse) -> None:
    """Every distinct clickstream event (reference + dummy files) is one fct_events row."""
    files = sorted(reference(FOLDER, "mobile_app_clickstream").glob("*.csv.gz"))
    files.append(reference(FOLDER, "dummy", "mobile_app_clickstream.csv"))
    raw = pd.concat(
        [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True
    ).drop_duplicates()
    ts = pd.to_datetime(raw["eventTime"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    required = ["userId", "eventId", "eventType"]
    valid = ts.notna() & (raw[required] != "").all(axis=1)
    events = pd.DataFrame({"actor": raw["userId"], "ts": ts})[valid]
    check_conformed(built, "marketing", "marketing_user", events)
