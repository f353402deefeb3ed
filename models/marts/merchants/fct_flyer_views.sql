{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['view_date'],
        on_schema_change='fail',
    )
}}

{#-
    One row per flyer view: a user's flyer_open or item_open event (with a flyer id)
    up to the user's next such event. Per user, across the whole history, events are
    ordered by event_ts then event_id (a deterministic tie-break; tied events give
    0-second views). Gaps of var('flyer_max_gap_seconds') or more are not viewing
    time and are dropped, as is the user's last event (no next event).
    The time is credited to the flyer being viewed: the EARLIER event, on the
    reporting-tz day the view started. The seed credited the later event's flyer
    (next_flyer_id / next_merchant_id keep that reading available).

    Incremental: a view depends only on its own event and the next one, at most
    flyer_max_gap_seconds later, so rebuilding view days from start - 1 (one day of
    margin for the reporting zone and for a late event that shortens the previous
    day's last view) reading events from start - 2 (UTC) gives the full-refresh answer.
-#}

{%- set start = incremental_start([ref('stg_flyers__flyer_events')], 'event_date', 'view_date') %}
{%- set end = incremental_end() %}

with

flyer_events as (

    select * from {{ ref('stg_flyers__flyer_events') }}
    where {{ window_filter('event_date', start, none, offset_days=2) }}

),

viewing_events as (

    select
        event_id,
        user_id,
        event_type,
        flyer_id,
        merchant_id,
        event_ts,
        _loaded_at
    from flyer_events
    where
        event_type in ('flyer_open', 'item_open')
        and flyer_id is not null

),

sequenced as (

    select
        event_id,
        user_id,
        event_type,
        flyer_id,
        merchant_id,
        event_ts,
        _loaded_at,
        lead(event_id) over (
            partition by user_id order by event_ts, event_id
        ) as next_event_id,
        lead(flyer_id) over (
            partition by user_id order by event_ts, event_id
        ) as next_flyer_id,
        lead(merchant_id) over (
            partition by user_id order by event_ts, event_id
        ) as next_merchant_id,
        lead(event_ts) over (
            partition by user_id order by event_ts, event_id
        ) as next_event_ts,
        lead(_loaded_at) over (
            partition by user_id order by event_ts, event_id
        ) as next_loaded_at
    from viewing_events

),

views as (

    select
        event_id as view_id,
        user_id,
        flyer_id,
        merchant_id,
        event_type as opened_by,
        event_ts as view_start_ts,
        next_event_ts as view_end_ts,
        unix_seconds(next_event_ts) - unix_seconds(event_ts) as view_seconds,
        next_event_id,
        next_flyer_id,
        next_merchant_id,
        {{ reporting_date('next_event_ts') }} as view_end_date,
        greatest(_loaded_at, next_loaded_at) as _loaded_at,
        {{ reporting_date('event_ts') }} as view_date
    from sequenced
    where next_event_ts is not null

)

select /*+ rebalance(view_date) */ * from views
where
    view_seconds < {{ var('flyer_max_gap_seconds') }}
    and {{ window_filter('view_date', start, end, offset_days=1) }}
