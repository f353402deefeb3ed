{#-
    One row per flyer id seen in flyer events. A flyer can appear under more than one
    merchant (48 do in the reference data): merchant_id is the merchant seen on most of
    its events (ties: the numerically smallest id), n_merchants says how many there were.
-#}

with

flyer_events as (

    select * from {{ ref('stg_flyers__flyer_events') }}

),

flyer_merchants as (

    select
        flyer_id,
        merchant_id,
        count(*) as event_count
    from flyer_events
    where flyer_id is not null
    group by flyer_id, merchant_id

),

flyers as (

    select
        flyer_id,
        min(event_ts) as first_seen_at,
        max(event_ts) as last_seen_at,
        count(*) as event_count,
        count(distinct user_id) as user_count,
        max(_loaded_at) as _loaded_at
    from flyer_events
    where flyer_id is not null
    group by flyer_id

),

main_merchants as (

    select
        flyer_id,
        min_by(
            merchant_id,
            struct(merchant_id is null, -event_count, length(merchant_id), merchant_id)
        ) as merchant_id,
        count(merchant_id) as n_merchants
    from flyer_merchants
    group by flyer_id

)

select
    flyers.flyer_id,
    main_merchants.merchant_id,
    main_merchants.n_merchants,
    flyers.first_seen_at,
    flyers.last_seen_at,
    flyers.event_count,
    flyers.user_count,
    flyers._loaded_at
from flyers
inner join main_merchants
    on flyers.flyer_id = main_merchants.flyer_id
