{{ config(materialized='table') }}

{#-
    One row per app_open: where the marketing session it starts begins and ends (seed
    rule). Per user, the app_open and app_close events are ordered by event_ts then
    event_id (a deterministic tie-break); each open ends at the next open or close of
    the user, and is open-ended (session_end null) when there is none. A table, fully
    rebuilt: a session can span days and its end can arrive in a later load.
-#}

with

boundary_events as (

    select * from {{ ref('stg_marketing__clickstream') }}
    where
        user_id is not null
        and event_ts is not null
        and event_type in ('app_open', 'app_close')

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
    from boundary_events

)

select
    event_id as session_id,
    user_id,
    event_ts as session_start,
    next_boundary_ts as session_end,
    campaign_id,
    channel_id,
    _loaded_at
from boundaries
where event_type = 'app_open'
