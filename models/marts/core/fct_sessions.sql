{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['session_date'],
        on_schema_change='fail',
    )
}}

{#-
    One row per session of every source with a stream of actor events.
    Gap-based sources (ad_platform, app_store, flyers, notes_app): per actor and source,
    ordered by time then event_id, a session starts at the first event of the
    reporting-tz day and after every gap of var('session_gap_minutes') or more. So a
    day's sessions are a function of that day's events alone. Notes-app outliers
    (durations outside 0..2h) are left out, and counted in data_quality_daily.
    Marketing keeps its explicit app_open -> next open/close sessions
    (int_marketing_sessions).
-#}

{%- set start = incremental_start(
    [ref('fct_events'), ref('int_marketing_sessions')],
    ['local_date', 'session_date'],
    'session_date',
) %}
{%- set end = incremental_end() %}
{%- set gap_seconds = var('session_gap_minutes') * 60 %}

with

events as (

    select * from {{ ref('fct_events') }}
    where
        {{ window_filter('event_date', start, end, offset_days=1) }}
        and {{ window_filter('local_date', start, end) }}
        and source in ('ad_platform', 'app_store', 'flyers', 'notes_app')
        and not is_outlier

),

marketing_sessions as (

    select * from {{ ref('int_marketing_sessions') }}
    where {{ window_filter('session_date', start, end) }}

),

gaps as (

    select
        *,
        unix_timestamp(event_ts) - lag(unix_timestamp(event_ts)) over (
            partition by source, actor_key, local_date
            order by event_ts, event_id
        ) as seconds_since_previous
    from events

),

numbered as (

    select
        *,
        sum(case
            when seconds_since_previous is null or seconds_since_previous >= {{ gap_seconds }}
                then 1
            else 0
        end) over (
            partition by source, actor_key, local_date
            order by event_ts, event_id
            rows between unbounded preceding and current row
        ) as session_number
    from gaps

),

gap_sessions as (

    select
        source,
        actor_key,
        actor_id,
        local_date as session_date,
        session_number,
        min_by(event_id, struct(event_ts, event_id)) as first_event_id,
        min(event_ts) as session_start,
        max(event_ts) as session_end,
        max_by(duration_ms, struct(event_ts, event_id)) as last_event_duration_ms,
        sum(duration_ms) as engaged_ms,
        count(*) as event_count,
        sum(case when is_engaging then 1 else 0 end) as engaging_event_count,
        min_by(country, struct(event_ts, event_id)) as country,
        max(_loaded_at) as _loaded_at
    from numbered
    group by source, actor_key, actor_id, local_date, session_number

),

gap_sessions_measured as (

    select
        {{ surrogate_key(['source', 'first_event_id']) }} as session_id,
        source,
        actor_key,
        actor_id,
        session_start,
        session_end,
        cast(
            unix_timestamp(session_end) - unix_timestamp(session_start)
            + coalesce(last_event_duration_ms, 0) / 1000.0
            as decimal(18, 3)
        ) as session_length_seconds,
        cast(engaged_ms / 1000.0 as decimal(18, 3)) as engaged_seconds,
        event_count,
        engaging_event_count,
        country,
        cast(null as string) as campaign_id,
        cast(null as string) as channel_id,
        _loaded_at,
        session_date
    from gap_sessions

),

explicit_sessions as (

    select
        {{ surrogate_key(["'marketing'", 'session_id']) }} as session_id,
        'marketing' as source,
        {{ surrogate_key(["'marketing_user'", 'user_id']) }} as actor_key,
        user_id as actor_id,
        session_start,
        session_end,
        cast(
            unix_timestamp(session_end) - unix_timestamp(session_start) as decimal(18, 3)
        ) as session_length_seconds,
        cast(null as decimal(18, 3)) as engaged_seconds,
        event_count,
        event_count as engaging_event_count,
        cast(null as string) as country,
        campaign_id,
        channel_id,
        _loaded_at,
        session_date
    from marketing_sessions

)

select * from gap_sessions_measured
union all
select /*+ rebalance(session_date) */ * from explicit_sessions
