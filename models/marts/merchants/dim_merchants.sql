{#- One row per merchant id seen in flyer events, with its flyers and activity span. -#}

with

flyer_events as (

    select * from {{ ref('stg_flyers__flyer_events') }}

)

select
    merchant_id,
    count(distinct flyer_id) as flyer_count,
    count(distinct user_id) as user_count,
    count(*) as event_count,
    min(event_ts) as first_seen_at,
    max(event_ts) as last_seen_at,
    max(_loaded_at) as _loaded_at
from flyer_events
where merchant_id is not null
group by merchant_id
