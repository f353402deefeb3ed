{{ config(materialized='table') }}

{#-
    One row per app_open: the marketing session it starts (seed rule). Per user, the
    app_open and app_close events are ordered by event_ts then event_id (a
    deterministic tie-break); each open ends at the next open or close of the user, and
    is open-ended (session_end null) when there is none. A table, fully rebuilt: a
    session can span days and its end can arrive in a later load.

    A session counts the user's events in [session_start, session_end]. That is found
    without a range join (whose cost grows with sessions x events per user, i.e. with
    the square of history): an event belongs to the latest session started at or
    before it, if that session has not ended before it, and to every other session that
    ends exactly at its time. No other session can hold it, because a session ends at
    or before the next session's start.
-#}

with

clickstream as (

    select * from {{ ref('stg_marketing__clickstream') }}
    where user_id is not null and event_ts is not null

),

boundaries as (

    select
        event_id,
        user_id,
        event_type,
        event_ts,
        campaign_id,
        channel_id,
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

starts_and_events as (

    select
        user_id,
        session_start as event_ts,
        0 as row_kind,
        session_id,
        cast(null as string) as event_id,
        cast(null as timestamp) as _loaded_at
    from sessions

    union all

    select
        user_id,
        event_ts,
        1 as row_kind,
        cast(null as string) as session_id,
        event_id,
        _loaded_at
    from clickstream

),

events_after_latest_start as (

    select
        user_id,
        event_ts,
        row_kind,
        event_id,
        _loaded_at,
        last_value(session_id, true) over (
            partition by user_id
            order by event_ts, row_kind, session_id
            rows between unbounded preceding and current row
        ) as session_id
    from starts_and_events

),

events_in_latest_session as (

    select
        events_after_latest_start.session_id,
        events_after_latest_start.event_id,
        events_after_latest_start._loaded_at
    from events_after_latest_start
    inner join sessions
        on events_after_latest_start.session_id = sessions.session_id
    where
        events_after_latest_start.row_kind = 1
        and (
            sessions.session_end >= events_after_latest_start.event_ts
            or sessions.session_end is null
        )

),

events_at_session_end as (

    select
        sessions.session_id,
        events_after_latest_start.event_id,
        events_after_latest_start._loaded_at
    from sessions
    inner join events_after_latest_start
        on
            sessions.user_id = events_after_latest_start.user_id
            and sessions.session_end = events_after_latest_start.event_ts
    where
        events_after_latest_start.row_kind = 1
        and events_after_latest_start.session_id <> sessions.session_id

),

memberships as (

    select * from events_in_latest_session
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
