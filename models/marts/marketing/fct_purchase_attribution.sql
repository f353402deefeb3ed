{#-
    One row per purchase (user_purchases) that has a purchase event in the clickstream
    (inner join on purchase_id, as the seed did), attributed to the session of the same
    user with session_start <= purchase event time <= session_end (or session_end null),
    all inclusive. The purchase event's clickstream time is what is matched. Sessions of
    a user do not overlap except at a shared boundary (an open that ends the previous
    session at the same second); then the later session wins, which is the session
    that holds the purchase event (int_marketing_event_sessions). A purchase event
    outside every session is kept with a null session (is_attributed = false), not
    dropped. A table, fully rebuilt (sessions span days).
-#}

with

purchases as (

    select * from {{ ref('stg_marketing__user_purchases') }}

),

event_sessions as (

    select * from {{ ref('int_marketing_event_sessions') }}

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
        min_by(session_id, struct(event_ts, event_id)) as session_id,
        max(_loaded_at) as _loaded_at
    from event_sessions
    where event_type = 'purchase' and purchase_id is not null
    group by purchase_id

)

select
    purchases.purchase_id,
    purchases.purchase_ts,
    purchases.billing_cost,
    purchases.is_confirmed,
    purchase_events.session_id,
    sessions.campaign_id,
    sessions.channel_id,
    purchase_events.user_id,
    purchase_events.purchase_event_id,
    purchase_events.purchase_event_ts,
    purchase_events.session_id is not null as is_attributed,
    {{ reporting_date('purchases.purchase_ts') }} as purchase_date,
    greatest(purchases._loaded_at, purchase_events._loaded_at, sessions._loaded_at)
        as _loaded_at
from purchases
inner join purchase_events
    on purchases.purchase_id = purchase_events.purchase_id
left join sessions
    on purchase_events.session_id = sessions.session_id
