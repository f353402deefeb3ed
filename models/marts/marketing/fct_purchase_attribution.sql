{#-
    One row per purchase (user_purchases) that has a purchase event in the clickstream
    (inner join on purchase_id, as the seed did), attributed to the session of the same
    user with session_start <= purchase event time <= session_end (or session_end null),
    all inclusive. The purchase event's clickstream time is what is matched. Sessions of
    a user do not overlap except at a shared boundary (an open that ends the previous
    session at the same second); then the later session wins. So the match is the
    user's latest session (by start, then session_id) started at or before the
    purchase, if it has not ended before it: one window over sessions and purchases,
    not a range join whose cost grows with the square of a user's history. A purchase
    event outside every session is kept with a null session (is_attributed = false),
    not dropped. A table, fully rebuilt (sessions span days).
-#}

with

purchases as (

    select * from {{ ref('stg_marketing__user_purchases') }}

),

clickstream as (

    select * from {{ ref('stg_marketing__clickstream') }}

),

sessions as (

    select * from {{ ref('int_marketing_sessions') }}

),

purchase_events as (

    select
        purchase_id,
        min_by(user_id, struct(event_ts, event_id)) as user_id,
        min_by(event_id, struct(event_ts, event_id)) as purchase_event_id,
        min(event_ts) as purchase_event_ts,
        count(*) as n_purchase_events,
        max(_loaded_at) as _loaded_at
    from clickstream
    where event_type = 'purchase' and purchase_id is not null
    group by purchase_id

),

purchases_with_events as (

    select
        purchases.purchase_id,
        purchases.purchase_ts,
        purchases.billing_cost,
        purchases.is_confirmed,
        purchase_events.user_id,
        purchase_events.purchase_event_id,
        purchase_events.purchase_event_ts,
        greatest(purchases._loaded_at, purchase_events._loaded_at) as _loaded_at
    from purchases
    inner join purchase_events
        on purchases.purchase_id = purchase_events.purchase_id

),

starts_and_purchases as (

    select
        user_id,
        session_start as event_ts,
        0 as row_kind,
        session_id,
        cast(null as string) as purchase_id
    from sessions

    union all

    select
        user_id,
        purchase_event_ts as event_ts,
        1 as row_kind,
        cast(null as string) as session_id,
        purchase_id
    from purchases_with_events

),

purchases_after_latest_start as (

    select
        purchase_id,
        event_ts as purchase_event_ts,
        row_kind,
        last_value(session_id, true) over (
            partition by user_id
            order by event_ts, row_kind, session_id
            rows between unbounded preceding and current row
        ) as session_id
    from starts_and_purchases

),

matched_sessions as (

    select
        purchases_after_latest_start.purchase_id,
        purchases_after_latest_start.session_id
    from purchases_after_latest_start
    inner join sessions
        on purchases_after_latest_start.session_id = sessions.session_id
    where
        purchases_after_latest_start.row_kind = 1
        and (
            purchases_after_latest_start.purchase_event_ts <= sessions.session_end
            or sessions.session_end is null
        )

)

select
    purchases_with_events.purchase_id,
    purchases_with_events.purchase_ts,
    purchases_with_events.billing_cost,
    purchases_with_events.is_confirmed,
    matched_sessions.session_id,
    sessions.campaign_id,
    sessions.channel_id,
    purchases_with_events.user_id,
    purchases_with_events.purchase_event_id,
    purchases_with_events.purchase_event_ts,
    matched_sessions.session_id is not null as is_attributed,
    {{ reporting_date('purchases_with_events.purchase_ts') }} as purchase_date,
    greatest(purchases_with_events._loaded_at, sessions._loaded_at) as _loaded_at
from purchases_with_events
left join matched_sessions
    on purchases_with_events.purchase_id = matched_sessions.purchase_id
left join sessions
    on matched_sessions.session_id = sessions.session_id
