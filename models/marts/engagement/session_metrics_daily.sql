{#-
    Session metrics per reporting-tz day, product, country and device: sessions, average
    and median length, actions per session and bounce rate (one-event sessions).
    Country and device come from dim_actors (notes-app metadata, device brand) and fall
    back to the session's own country; 'unknown' when neither has one.
-#}

with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

actors as (

    select * from {{ ref('dim_actors') }}

),

sessions_described as (

    select
        sessions.session_date,
        sessions.source as product,
        coalesce(actors.country, sessions.country, 'unknown') as country,
        coalesce(actors.device_type, 'unknown') as device_type,
        sessions.session_length_seconds,
        sessions.engaged_seconds,
        sessions.event_count
    from sessions
    left join actors
        on sessions.actor_key = actors.actor_key

)

select
    {{ surrogate_key(['session_date', 'product', 'country', 'device_type']) }}
        as session_metrics_daily_id,
    session_date,
    product,
    country,
    device_type,
    count(*) as sessions,
    cast(avg(session_length_seconds) as decimal(18, 2)) as avg_session_length_seconds,
    cast(percentile(session_length_seconds, 0.5) as decimal(18, 2))
        as median_session_length_seconds,
    cast(avg(engaged_seconds) as decimal(18, 2)) as avg_engaged_seconds,
    cast(avg(event_count) as decimal(18, 4)) as actions_per_session,
    cast(percentile(event_count, 0.5) as decimal(18, 2)) as median_actions_per_session,
    cast(avg(case when event_count = 1 then 1.0 else 0.0 end) as decimal(10, 4)) as bounce_rate
from sessions_described
group by session_date, product, country, device_type
