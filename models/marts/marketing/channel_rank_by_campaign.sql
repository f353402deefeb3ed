{#-
    Channel popularity per campaign (seed task 2.2): distinct attributed sessions per
    (campaign, channel), ranked with RANK() by that count within the campaign. Every
    rank is kept, and ties share a rank.
-#}

with

attribution as (

    select * from {{ ref('fct_purchase_attribution') }}

),

channel_sessions as (

    select
        campaign_id,
        channel_id,
        count(distinct session_id) as sessions_count
    from attribution
    where campaign_id is not null and channel_id is not null
    group by campaign_id, channel_id

)

select
    campaign_id,
    channel_id,
    sessions_count,
    rank() over (partition by campaign_id order by sessions_count desc) as channel_rank
from channel_sessions
