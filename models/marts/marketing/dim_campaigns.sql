{#- One row per campaign id seen on an app_open, with its sessions and channels. -#}

with

sessions as (

    select * from {{ ref('int_marketing_sessions') }}

)

select
    campaign_id,
    count(*) as session_count,
    count(distinct user_id) as user_count,
    count(distinct channel_id) as channel_count,
    min(session_start) as first_session_at,
    max(session_start) as last_session_at,
    max(_loaded_at) as _loaded_at
from sessions
where campaign_id is not null
group by campaign_id
