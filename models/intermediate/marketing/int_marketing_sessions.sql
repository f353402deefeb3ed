{{ config(materialized='table') }}

{#-
    One row per app_open: the marketing session it starts (int_marketing_session_bounds)
    with the user's events in [session_start, session_end], or from session_start on
    when open-ended. An event is in the session that holds it
    (int_marketing_event_sessions), and also in any other session of its user that ends
    exactly at its time (the seed's bounds are inclusive). A table, fully rebuilt.
-#}

with

sessions as (

    select * from {{ ref('int_marketing_session_bounds') }}

),

event_sessions as (

    select * from {{ ref('int_marketing_event_sessions') }}

),

events_in_holding_session as (

    select
        session_id,
        event_id,
        _loaded_at
    from event_sessions
    where session_id is not null

),

events_at_session_end as (

    select
        sessions.session_id,
        event_sessions.event_id,
        event_sessions._loaded_at
    from sessions
    inner join event_sessions
        on
            sessions.user_id = event_sessions.user_id
            and sessions.session_end = event_sessions.event_ts
    where event_sessions.session_id <> sessions.session_id

),

memberships as (

    select * from events_in_holding_session
    union all
    select * from events_at_session_end

),

session_events as (

    select
        session_id,
        count(*) as event_count,
        max(_loaded_at) as _loaded_at
    from memberships
    group by session_id

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
