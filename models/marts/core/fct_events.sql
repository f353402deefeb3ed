{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['event_date'],
        on_schema_change='fail',
    )
}}

{%- set start = incremental_start([
    source('ad_platform', 'ad_events'),
    source('app_store', 'store_events'),
    source('flyers', 'flyer_events'),
    source('notes_app', 'user_interactions'),
    source('marketing', 'clickstream'),
    source('play_store', 'app_downloads'),
]) %}
{%- set end = incremental_end() %}

with

ad_events as (

    select * from {{ ref('stg_ad_platform__ad_events') }}
    where {{ window_filter('event_date', start, end) }}

),

store_events as (

    select * from {{ ref('stg_app_store__store_events') }}
    where {{ window_filter('event_date', start, end) }}

),

flyer_events as (

    select * from {{ ref('stg_flyers__flyer_events') }}
    where {{ window_filter('event_date', start, end) }}

),

note_interactions as (

    select * from {{ ref('stg_notes_app__user_interactions') }}
    where {{ window_filter('event_date', start, end) }}

),

clickstream as (

    select * from {{ ref('stg_marketing__clickstream') }}
    where {{ window_filter('event_date', start, end) }}

),

app_downloads as (

    select * from {{ ref('stg_play_store__app_downloads') }}
    where {{ window_filter('event_date', start, end) }}

),

event_types as (

    select * from {{ ref('event_types') }}

),

unioned as (

    select
        'ad_platform' as source,
        'kaios_device' as identity_space,
        'device' as actor_type,
        device_id as actor_id,
        event_id as source_event_id,
        event_type,
        event_ts,
        false as is_outlier,
        cast(null as bigint) as duration_ms,
        country,
        cast(null as string) as app_id,
        ad_id,
        cast(null as string) as flyer_id,
        cast(null as string) as merchant_id,
        cast(null as string) as campaign_id,
        cast(null as string) as channel_id,
        cast(null as string) as page_id,
        cast(null as string) as purchase_id,
        load_date,
        _loaded_at,
        event_date
    from ad_events

    union all

    select
        'app_store' as source,
        'kaios_device' as identity_space,
        'device' as actor_type,
        device_id as actor_id,
        event_id as source_event_id,
        event_type,
        event_ts,
        false as is_outlier,
        cast(null as bigint) as duration_ms,
        country,
        app_id,
        cast(null as string) as ad_id,
        cast(null as string) as flyer_id,
        cast(null as string) as merchant_id,
        cast(null as string) as campaign_id,
        cast(null as string) as channel_id,
        cast(null as string) as page_id,
        cast(null as string) as purchase_id,
        load_date,
        _loaded_at,
        event_date
    from store_events

    union all

    select
        'flyers' as source,
        'flyers_user' as identity_space,
        'user' as actor_type,
        user_id as actor_id,
        event_id as source_event_id,
        event_type,
        event_ts,
        false as is_outlier,
        cast(null as bigint) as duration_ms,
        cast(null as string) as country,
        cast(null as string) as app_id,
        cast(null as string) as ad_id,
        flyer_id,
        merchant_id,
        cast(null as string) as campaign_id,
        cast(null as string) as channel_id,
        cast(null as string) as page_id,
        cast(null as string) as purchase_id,
        load_date,
        _loaded_at,
        event_date
    from flyer_events

    union all

    select
        'notes_app' as source,
        'notes_user' as identity_space,
        'user' as actor_type,
        user_id as actor_id,
        event_id as source_event_id,
        action_type as event_type,
        event_ts,
        is_outlier,
        duration_ms,
        cast(null as string) as country,
        cast(null as string) as app_id,
        cast(null as string) as ad_id,
        cast(null as string) as flyer_id,
        cast(null as string) as merchant_id,
        cast(null as string) as campaign_id,
        cast(null as string) as channel_id,
        page_id,
        cast(null as string) as purchase_id,
        load_date,
        _loaded_at,
        event_date
    from note_interactions

    union all

    select
        'marketing' as source,
        'marketing_user' as identity_space,
        'user' as actor_type,
        user_id as actor_id,
        event_id as source_event_id,
        event_type,
        event_ts,
        false as is_outlier,
        cast(null as bigint) as duration_ms,
        cast(null as string) as country,
        cast(null as string) as app_id,
        cast(null as string) as ad_id,
        cast(null as string) as flyer_id,
        cast(null as string) as merchant_id,
        campaign_id,
        channel_id,
        cast(null as string) as page_id,
        purchase_id,
        load_date,
        _loaded_at,
        event_date
    from clickstream

    union all

    select
        'play_store' as source,
        'play_store_user' as identity_space,
        'user' as actor_type,
        user_id as actor_id,
        event_id as source_event_id,
        'download' as event_type,
        download_ts as event_ts,
        false as is_outlier,
        cast(null as bigint) as duration_ms,
        cast(null as string) as country,
        app_id,
        cast(null as string) as ad_id,
        cast(null as string) as flyer_id,
        cast(null as string) as merchant_id,
        cast(null as string) as campaign_id,
        cast(null as string) as channel_id,
        cast(null as string) as page_id,
        cast(null as string) as purchase_id,
        load_date,
        _loaded_at,
        event_date
    from app_downloads

),

classified as (

    select
        unioned.*,
        coalesce(event_types.is_engaging, false) as is_engaging,
        event_types.event_type is not null as is_known_event_type
    from unioned
    left join event_types
        on
            unioned.source = event_types.source
            and unioned.event_type = event_types.event_type

)

select /*+ rebalance(event_date) */
    {{ surrogate_key(['source', 'source_event_id']) }} as event_id,
    source,
    identity_space,
    {{ surrogate_key(['identity_space', 'actor_id']) }} as actor_key,
    actor_type,
    actor_id,
    source_event_id,
    event_type,
    event_ts,
    {{ to_reporting_tz('event_ts') }} as local_ts,
    {{ reporting_date('event_ts') }} as local_date,
    is_engaging,
    is_known_event_type,
    is_outlier,
    duration_ms,
    country,
    app_id,
    ad_id,
    flyer_id,
    merchant_id,
    campaign_id,
    channel_id,
    page_id,
    purchase_id,
    load_date,
    _loaded_at,
    event_date
from classified
