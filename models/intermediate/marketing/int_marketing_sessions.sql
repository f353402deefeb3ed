{{ config(materialized='table') }}

{#-
    One row per app_open: the marketing session it starts (seed rule). Per user, the
    app_open and app_close events are ordered by event_ts then event_id (a
    deterministic tie-break); each open ends at the next open or close of the user, and
    is open-ended (session_end null) when there is none. A table, fully rebuilt: a
    session can span days and its end can arrive in a later load.
-#}

with

clickstream as (

    select * from {{ ref('stg_marketing__clickstream') }}

),

boundaries as (

    select
        event_id,
        user_id,
        event_type,
        event_ts,
        campaign_id,
        channel_id,
        _loaded_at,
        lead(event_ts) over (
            partition by user_id order by event_ts, event_id
        ) as next_boundary_ts
    from clickstream
    where event_type in ('app_open', 'app_close')

),

sessions as (

    select
        event_id as session_id,
        user_id,
        event_ts as session_start,
        next_boundary_ts as session_end,
        campaign_id,
        channel_id
    from boundaries
    where event_type = 'app_open'

),

session_events as (

    select
        sessions.session_id,
        count(*) as event_count,
        max(clickstream._loaded_at) as _loaded_at
    from sessions
    inner join clickstream
        on
            sessions.user_id = clickstream.user_id
            and sessions.session_start <= clickstream.event_ts
            and (
                sessions.session_end >= clickstream.event_ts
                or sessions.session_end is null
            )
    group by sessions.session_id

)

select
    sessions.session_id,
    sessions.user_id,
    sessions.session_start,
    sessions.session_end,
    sessions.campaign_id,
    sessions.channel_id,
    session_events.event_count,
    {{ reporting_date('sessions.session_start') }} as session_date,
    session_events._loaded_at
from sessions
inner join session_events
    on sessions.session_id = session_events.session_id
