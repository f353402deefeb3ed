"""The baselines' work as SQL: the same core outputs as the marts, straight from raw parquet.

One statement list serves both engines; a `Dialect` supplies the few expressions whose
spelling differs between Spark SQL and DuckDB. The job is "monolithic" on purpose: no
staging or intermediate tables, one deduplicated event set held in memory (Spark
`cache table`, a DuckDB temporary table) and four result queries, as a hand-written
script would do it. The rules are the warehouse's (DESIGN.md and the model docs):

- raw rows are cleaned as staging does (trim, lower-case event types, placeholder ids to
  null) and exact duplicates collapse on the same columns;
- an actor is active on a UTC day with an engaging (seeds/event_types.csv), non-outlier
  event; products are the sources plus 'all' (one actor per identity space);
- gap sessions (ad_platform, app_store, flyers, notes_app): per actor, source and day, a
  new session after a gap of `session_gap_minutes`; marketing sessions run from an
  app_open to the user's next open or close;
- a purchase is credited to the user's session that contains its clickstream purchase
  event (the later one on a shared boundary); campaigns are ranked by confirmed revenue.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pulse.settings import PROJECT_DIR

PLACEHOLDERS = "('', 'null', 'none', 'nan', '<null>', '%3cnull%3g')"
MAX_INTERACTION_MS = 7_200_000
SESSION_GAP_SECONDS = 30 * 60
MAU_DAYS = 30
RAW_TABLES = {
    "raw_ad_events": ("ad_platform", "ad_events"),
    "raw_store_events": ("app_store", "store_events"),
    "raw_flyer_events": ("flyers", "flyer_events"),
    "raw_user_interactions": ("notes_app", "user_interactions"),
    "raw_clickstream": ("marketing", "clickstream"),
    "raw_user_purchases": ("marketing", "user_purchases"),
    "raw_app_downloads": ("play_store", "app_downloads"),
}
RESULTS = ("active_users", "sessions", "top_campaigns", "channel_ranks")


@dataclass(frozen=True)
class Dialect:
    """Spellings that differ between engines."""

    name: str
    read_parquet: Callable[[Path], str]
    json_field: Callable[[str, str], str]
    epoch_seconds: Callable[[str], str]
    add_days: Callable[[str, str], str]
    local_timestamp: Callable[[str], str]
    materialize: Callable[[str, str], str]
    drop: Callable[[str], list[str]]


SPARK = Dialect(
    name="spark",
    read_parquet=lambda path: f"parquet.`{path}`",
    json_field=lambda column, key: f"get_json_object({column}, '$.{key}')",
    epoch_seconds=lambda column: f"unix_timestamp({column})",
    add_days=lambda column, days: f"date_add({column}, {days})",
    local_timestamp=lambda column: (
        f"try_to_timestamp(replace(substr({column}, 1, 19), 'T', ' '), 'yyyy-MM-dd HH:mm:ss')"
    ),
    materialize=lambda name, sql: f"cache table {name} as {sql}",
    drop=lambda name: [f"uncache table if exists {name}", f"drop view if exists {name}"],
)

DUCKDB = Dialect(
    name="duckdb",
    read_parquet=lambda path: (
        f"read_parquet('{path}/*/*/*.parquet', hive_partitioning = true, union_by_name = true)"
    ),
    # Spark's JSON reader accepts the Python-dict spelling (single quotes); DuckDB's does
    # not, and it raises on invalid JSON where Spark returns null.
    json_field=lambda column, key: (
        f"case when json_valid(replace({column}, '''', '\"')) "
        f"then json_extract_string(replace({column}, '''', '\"'), '$.{key}') end"
    ),
    epoch_seconds=lambda column: f"cast(floor(epoch({column})) as bigint)",
    add_days=lambda column, days: f"cast({column} + to_days(cast({days} as integer)) as date)",
    local_timestamp=lambda column: (
        f"try_strptime(replace(substr({column}, 1, 19), 'T', ' '), '%Y-%m-%d %H:%M:%S')"
    ),
    materialize=lambda name, sql: f"create or replace temporary table {name} as {sql}",
    drop=lambda name: [f"drop table if exists {name}"],
)


def placeholder_to_null(column: str) -> str:
    return f"case when lower(trim({column})) in {PLACEHOLDERS} then null else trim({column}) end"


def surrogate_key(columns: list[str]) -> str:
    parts = ", ".join(f"coalesce(cast({c} as string), '_pulse_null_')" for c in columns)
    return f"md5(concat_ws('|', {parts}))"


def event_types_values(seed: Path | None = None) -> str:
    """seeds/event_types.csv as an inline VALUES table (the same input the warehouse seeds)."""
    path = seed or PROJECT_DIR / "seeds" / "event_types.csv"
    with path.open(newline="") as handle:
        rows = [
            f"('{r['source']}', '{r['event_type']}', {r['is_engaging'].strip().lower()})"
            for r in csv.DictReader(handle)
        ]
    return f"(values {', '.join(rows)}) as event_types(source, event_type, is_engaging)"


def setup_statements(lake: Path, d: Dialect) -> list[str]:
    """Raw views over the lake, then the one deduplicated event set (materialised)."""
    views = [
        f"create or replace temporary view {name} as "
        f"select * from {d.read_parquet(lake / source / table)}"
        for name, (source, table) in RAW_TABLES.items()
    ]
    ts = "cast(_event_ts as timestamp)"
    ph = placeholder_to_null
    flyer_ts = "trim(event_timestamp)"

    # fct_events keys every event by md5(source | staging event id). Sessions order events
    # by (event_ts, event_id): the id breaks ties between events at the same second, and
    # it must be unique, or the gap and the running session count can see tied rows in
    # different orders and put a session's first event into the previous session.
    def event_id(source: str, columns: list[str]) -> str:
        return surrogate_key([f"'{source}'", surrogate_key(columns)])

    device_columns = ["device_id", "{id}", "event_type", "country", "brand", "event_ts"]
    ad_event_id = event_id("ad_platform", [c.format(id="ad_id") for c in device_columns])
    store_event_id = event_id("app_store", [c.format(id="app_id") for c in device_columns])
    flyer_event_id = event_id(
        "flyers",
        [
            "user_id",
            "event_type",
            "flyer_id",
            "merchant_id",
            "event_ts",
            "event_ts_local",
            "utc_offset",
        ],
    )
    notes_event_id = event_id(
        "notes_app",
        ["user_id", "event_ts", "action_type", "page_id", "duration_ms", "app_version"],
    )
    events = f"""
    select
        'ad_platform' as source, 'kaios_device' as identity_space, device_id as actor_id,
        event_type, event_ts, cast(null as bigint) as duration_ms, false as is_outlier,
        {ad_event_id} as event_id, cast(null as string) as campaign_id,
        cast(null as string) as channel_id, cast(null as string) as purchase_id
    from (
        select distinct
            trim(device_id) as device_id, {ph("ad_id")} as ad_id,
            lower(trim(event_type)) as event_type, {ph("country")} as country,
            {ph("brand")} as brand, {ts} as event_ts, cast(event_date as date) as event_date
        from raw_ad_events
    ) as ad
    union all
    select
        'app_store', 'kaios_device', device_id, event_type, event_ts, null, false,
        {store_event_id}, null, null, null
    from (
        select distinct
            trim(device_id) as device_id, {ph("app_id")} as app_id,
            lower(trim(event_type)) as event_type, {ph("country")} as country,
            {ph("brand")} as brand, {ts} as event_ts, cast(event_date as date) as event_date
        from raw_store_events
    ) as store
    union all
    select
        'flyers', 'flyers_user', user_id, event_type, event_ts, null, false,
        {flyer_event_id}, null, null, null
    from (
        select distinct
            trim(user_id) as user_id, lower(trim(event_type)) as event_type,
            {ph("flyer_id")} as flyer_id, {ph("merchant_id")} as merchant_id,
            {ts} as event_ts, {d.local_timestamp(flyer_ts)} as event_ts_local,
            nullif(regexp_extract({flyer_ts}, '([+-][0-9]{{2}}:?[0-9]{{2}}|[zZ])$', 1), '')
                as utc_offset,
            cast(event_date as date) as event_date
        from raw_flyer_events
    ) as flyers
    union all
    select
        'notes_app', 'notes_user', user_id, action_type, event_ts, duration_ms,
        coalesce(duration_ms < 0 or duration_ms > {MAX_INTERACTION_MS}, true),
        {notes_event_id},
        null, null, null
    from (
        select distinct
            trim(user_id) as user_id, {ts} as event_ts,
            lower(trim(action_type)) as action_type, {ph("page_id")} as page_id,
            try_cast(trim(duration_ms) as bigint) as duration_ms,
            {ph("app_version")} as app_version, cast(event_date as date) as event_date
        from raw_user_interactions
    ) as notes
    union all
    select
        'marketing', 'marketing_user', user_id, event_type, event_ts, null, false, event_id,
        {ph(d.json_field("attributes", "campaign_id"))},
        {ph(d.json_field("attributes", "channel_id"))},
        {ph(d.json_field("attributes", "purchase_id"))}
    from (
        select distinct
            trim(event_id) as event_id, trim(user_id) as user_id,
            lower(trim(event_type)) as event_type, {ts} as event_ts,
            nullif(trim(attributes), '') as attributes, cast(event_date as date) as event_date
        from raw_clickstream
    ) as clicks
    union all
    select
        'play_store', 'play_store_user', trim(user_id), 'download', {ts}, null, false, null,
        null, null, null
    from raw_app_downloads
    """
    purchases = f"""
    select distinct
        trim(purchase_id) as purchase_id, {ts} as purchase_ts,
        try_cast(trim(billing_cost) as decimal(12, 2)) as billing_cost,
        case lower(trim(is_confirmed)) when 'true' then true when 'false' then false end
            as is_confirmed,
        cast(event_date as date) as event_date
    from raw_user_purchases
    """
    return [
        *views,
        d.materialize("bench_events", events),
        d.materialize("bench_purchases", purchases),
    ]


def teardown_statements(d: Dialect) -> list[str]:
    return [*d.drop("bench_events"), *d.drop("bench_purchases")]


def marketing_sessions() -> str:
    """One row per app_open: it ends at the user's next open or close (null: none yet)."""
    return """
    select
        sessions.session_id, sessions.user_id, sessions.session_start, sessions.session_end,
        sessions.campaign_id, sessions.channel_id, count(*) as event_count
    from (
        select
            event_id as session_id, actor_id as user_id, event_ts as session_start,
            next_boundary_ts as session_end, campaign_id, channel_id
        from (
            select
                *,
                lead(event_ts) over (partition by actor_id order by event_ts, event_id)
                    as next_boundary_ts
            from bench_events
            where source = 'marketing' and event_type in ('app_open', 'app_close')
        ) as boundaries
        where event_type = 'app_open'
    ) as sessions
    inner join bench_events as clicks
        on
            clicks.source = 'marketing'
            and sessions.user_id = clicks.actor_id
            and sessions.session_start <= clicks.event_ts
            and (sessions.session_end >= clicks.event_ts or sessions.session_end is null)
    group by
        sessions.session_id, sessions.user_id, sessions.session_start, sessions.session_end,
        sessions.campaign_id, sessions.channel_id
    """


def result_queries(d: Dialect, seed: Path | None = None) -> dict[str, str]:
    """The four outputs, each comparable with a query over the marts (outputs.MART_QUERIES)."""
    offsets = ", ".join(f"({n})" for n in range(MAU_DAYS + 1))
    active_users = f"""
    with engaged as (
        select
            bench_events.source as product,
            concat(identity_space, '|', coalesce(actor_id, '<null>')) as actor,
            cast(event_ts as date) as activity_date
        from bench_events
        inner join {event_types_values(seed)}
            on
                bench_events.source = event_types.source
                and bench_events.event_type = event_types.event_type
        where event_types.is_engaging and not bench_events.is_outlier
            and bench_events.event_ts is not null
    ),
    actor_days as (
        select distinct product, actor, activity_date from engaged
        union all
        select distinct 'all', actor, activity_date from engaged
    ),
    spread as (
        select
            actor_days.product, actor_days.actor, offsets.n,
            {d.add_days("actor_days.activity_date", "offsets.n")} as report_date
        from actor_days
        cross join (values {offsets}) as offsets(n)
    )
    select
        product,
        report_date as activity_date,
        count(distinct case when n = 0 then actor end) as dau,
        count(distinct case when n < {MAU_DAYS} then actor end) as mau_rolling_30d
    from spread
    where report_date <= (select max(activity_date) from actor_days)
    group by product, report_date
    """
    epoch = d.epoch_seconds
    sessions = f"""
    with gap_events as (
        select
            source, actor_id, identity_space, cast(event_ts as date) as session_date,
            event_ts, event_id, duration_ms
        from bench_events
        where source in ('ad_platform', 'app_store', 'flyers', 'notes_app') and not is_outlier
    ),
    gaps as (
        select
            *,
            {epoch("event_ts")} - lag({epoch("event_ts")}) over (
                partition by source, actor_id, session_date order by event_ts, event_id
            ) as seconds_since_previous
        from gap_events
    ),
    numbered as (
        select
            *,
            sum(case
                when seconds_since_previous is null
                    or seconds_since_previous >= {SESSION_GAP_SECONDS} then 1
                else 0
            end) over (
                partition by source, actor_id, session_date order by event_ts, event_id
                rows between unbounded preceding and current row
            ) as session_number
        from gaps
    ),
    last_marked as (
        select
            *,
            row_number() over (
                partition by source, actor_id, session_date, session_number
                order by event_ts desc, event_id desc
            ) as from_last
        from numbered
    ),
    gap_sessions as (
        select
            source, session_date, count(*) as event_count,
            cast(
                {epoch("max(event_ts)")} - {epoch("min(event_ts)")}
                + coalesce(max(case when from_last = 1 then duration_ms end), 0) / 1000.0
                as decimal(18, 3)
            ) as session_length_seconds
        from last_marked
        group by source, actor_id, session_date, session_number
    ),
    all_sessions as (
        select * from gap_sessions
        union all
        select
            'marketing', cast(session_start as date), event_count,
            cast({epoch("session_end")} - {epoch("session_start")} as decimal(18, 3))
        from ({marketing_sessions()}) as marketing
    )
    select
        session_date,
        source as product,
        count(*) as sessions,
        sum(event_count) as events,
        sum(case when event_count = 1 then 1 else 0 end) as bounces,
        cast(sum(session_length_seconds) as string) as total_length_seconds
    from all_sessions
    group by session_date, source
    """
    attribution = f"""
    with marketing_sessions as ({marketing_sessions()}),
    purchase_events as (
        select purchase_id, actor_id as user_id, event_ts as purchase_event_ts
        from (
            select
                *,
                row_number() over (partition by purchase_id order by event_ts, event_id) as pick
            from bench_events
            where source = 'marketing' and event_type = 'purchase' and purchase_id is not null
        ) as ranked
        where pick = 1
    ),
    matched as (
        select purchase_id, session_id
        from (
            select
                purchase_events.purchase_id,
                marketing_sessions.session_id,
                row_number() over (
                    partition by purchase_events.purchase_id
                    order by marketing_sessions.session_start desc,
                        marketing_sessions.session_id desc
                ) as pick
            from purchase_events
            inner join marketing_sessions
                on
                    purchase_events.user_id = marketing_sessions.user_id
                    and purchase_events.purchase_event_ts >= marketing_sessions.session_start
                    and (
                        purchase_events.purchase_event_ts <= marketing_sessions.session_end
                        or marketing_sessions.session_end is null
                    )
        ) as candidates
        where pick = 1
    )
    select
        bench_purchases.purchase_id, bench_purchases.billing_cost,
        bench_purchases.is_confirmed, matched.session_id,
        marketing_sessions.campaign_id, marketing_sessions.channel_id
    from bench_purchases
    inner join purchase_events on bench_purchases.purchase_id = purchase_events.purchase_id
    left join matched on bench_purchases.purchase_id = matched.purchase_id
    left join marketing_sessions on matched.session_id = marketing_sessions.session_id
    """
    top_campaigns = f"""
    select
        revenue_rank, campaign_id, cast(revenue as string) as revenue,
        confirmed_purchase_count, session_count
    from (
        select
            *,
            row_number() over (order by revenue desc, campaign_id asc) as revenue_rank
        from (
            select
                campaign_id,
                cast(sum(billing_cost) as decimal(18, 2)) as revenue,
                count(*) as confirmed_purchase_count,
                count(distinct session_id) as session_count
            from ({attribution}) as attribution
            where is_confirmed and campaign_id is not null
            group by campaign_id
        ) as campaign_revenue
    ) as ranked
    where revenue_rank <= 10
    """
    channel_ranks = f"""
    select
        campaign_id, channel_id, sessions_count,
        rank() over (partition by campaign_id order by sessions_count desc) as channel_rank
    from (
        select campaign_id, channel_id, count(distinct session_id) as sessions_count
        from ({attribution}) as attribution
        where campaign_id is not null and channel_id is not null
        group by campaign_id, channel_id
    ) as channel_sessions
    """
    return {
        "active_users": active_users,
        "sessions": sessions,
        "top_campaigns": top_campaigns,
        "channel_ranks": channel_ranks,
    }
