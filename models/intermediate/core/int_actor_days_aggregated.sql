{#-
    One row per actor and UTC event day (fct_events' partition): what dim_actors needs
    from that day's events, so the dimension aggregates a few rows per actor-day instead
    of every event of history. The "latest" picks are structs ordered as dim_actors
    orders them (has a value, then event time, then event id), so the max of the daily
    picks is the pick over all days. Incremental: a run rebuilds the event days that new
    rows or the lookback touch, each a pure function of that day's events.
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['event_date'],
        on_schema_change='fail',
    )
}}

{%- set start = incremental_start([ref('fct_events')]) %}
{%- set end = incremental_end() %}

with

events as (

    select * from {{ ref('fct_events') }}
    where {{ window_filter('event_date', start, end) }}

),

ad_events as (

    select * from {{ ref('stg_ad_platform__ad_events') }}
    where {{ window_filter('event_date', start, end) }}

),

store_events as (

    select * from {{ ref('stg_app_store__store_events') }}
    where {{ window_filter('event_date', start, end) }}

),

device_events as (

    select
        device_id,
        event_date,
        brand,
        event_ts,
        event_id
    from ad_events
    union all
    select
        device_id,
        event_date,
        brand,
        event_ts,
        event_id
    from store_events

),

device_brands as (

    select
        device_id,
        event_date,
        max(struct(
            brand is not null as has_value, event_ts, event_id, brand as value
        )) as latest_brand
    from device_events
    group by device_id, event_date

),

actor_days as (

    select
        actor_key,
        identity_space,
        actor_type,
        actor_id,
        event_date,
        collect_set(source) as sources,
        min(event_ts) as first_seen_at,
        max(event_ts) as last_seen_at,
        min(case when is_engaging and not is_outlier then local_date end) as first_active_date,
        max(case when is_engaging and not is_outlier then local_date end) as last_active_date,
        count(*) as event_count,
        max(struct(
            country is not null as has_value, event_ts, event_id, country as value
        )) as latest_country,
        max(_loaded_at) as _loaded_at
    from events
    group by actor_key, identity_space, actor_type, actor_id, event_date

)

select /*+ rebalance(event_date) */
    actor_days.actor_key,
    actor_days.identity_space,
    actor_days.actor_type,
    actor_days.actor_id,
    actor_days.sources,
    actor_days.first_seen_at,
    actor_days.last_seen_at,
    actor_days.first_active_date,
    actor_days.last_active_date,
    actor_days.event_count,
    actor_days.latest_country,
    device_brands.latest_brand,
    actor_days._loaded_at,
    actor_days.event_date
from actor_days
left join device_brands
    on
        actor_days.identity_space = 'kaios_device'
        and actor_days.actor_id = device_brands.device_id
        and actor_days.event_date = device_brands.event_date
