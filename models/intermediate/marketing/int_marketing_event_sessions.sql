{{ config(materialized='table') }}

{#-
    One row per clickstream event (with a user and a time): the marketing session that
    holds it, which is the user's latest session started at or before the event (by
    session_start, then session_id), if that session has not ended before the event;
    null when none holds it. A table, fully rebuilt, like the sessions.

    Found with one window per user over session starts and events, not a range join
    (whose cost grows with sessions x events per user, i.e. with the square of
    history). Sessions of a user meet at most at a shared second (a session ends at or
    before the next one starts), so an event can be in one other session only: one that
    ends exactly at its time. int_marketing_sessions counts those too; attribution takes
    the latest session, as the seed did.
-#}

with

clickstream as (

    select * from {{ ref('stg_marketing__clickstream') }}
    where user_id is not null and event_ts is not null

),

sessions as (

    select * from {{ ref('int_marketing_session_bounds') }}

),

starts_and_events as (

    select
        user_id,
        session_start as event_ts,
        0 as row_kind,
        session_id,
        cast(null as string) as event_id,
        cast(null as string) as event_type,
        cast(null as string) as purchase_id,
        cast(null as timestamp) as _loaded_at
    from sessions

    union all

    select
        user_id,
        event_ts,
        1 as row_kind,
        cast(null as string) as session_id,
        event_id,
        event_type,
        purchase_id,
        _loaded_at
    from clickstream

),

events_after_latest_start as (

    select
        event_id,
        user_id,
        event_ts,
        event_type,
        purchase_id,
        _loaded_at,
        last_value(session_id, true) over (
            partition by user_id
            order by event_ts, row_kind, session_id
            rows between unbounded preceding and current row
        ) as latest_session_id,
        row_kind
    from starts_and_events

)

select
    events_after_latest_start.event_id,
    events_after_latest_start.user_id,
    events_after_latest_start.event_ts,
    events_after_latest_start.event_type,
    events_after_latest_start.purchase_id,
    sessions.session_id,
    events_after_latest_start._loaded_at
from events_after_latest_start
left join sessions
    on
        events_after_latest_start.latest_session_id = sessions.session_id
        and (
            events_after_latest_start.event_ts <= sessions.session_end
            or sessions.session_end is null
        )
where events_after_latest_start.row_kind = 1
