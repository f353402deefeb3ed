{#- One row per marketing channel seen on an app_open (Google Ads, Yandex Ads, ...). -#}

with

sessions as (

    select * from {{ ref('int_marketing_sessions') }}

)

select
    channel_id,
    count(*) as session_count,
    count(distinct user_id) as user_count,
    count(distinct campaign_id) as campaign_count,
    min(session_start) as first_session_at,
    max(session_start) as last_session_at,
    max(_loaded_at) as _loaded_at
from sessions
where channel_id is not null
group by channel_id
