{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['event_date'],
        on_schema_change='fail',
    )
}}

{%- set start = incremental_start([source('flyers', 'flyer_events')]) %}
{%- set end = incremental_end() %}

with

source as (

    select * from {{ source('flyers', 'flyer_events') }}
    where {{ window_filter('event_date', start, end) }}

),

renamed as (

    select
        trim(user_id) as user_id,
        lower(trim(event_type)) as event_type,
        {{ placeholder_to_null('flyer_id') }} as flyer_id,
        {{ placeholder_to_null('merchant_id') }} as merchant_id,
        cast(_event_ts as timestamp) as event_ts,
        try_to_timestamp(
            replace(substr(trim(event_timestamp), 1, 19), 'T', ' '), 'yyyy-MM-dd HH:mm:ss'
        ) as event_ts_local,
        nullif(
            regexp_extract(trim(event_timestamp), '([+-][0-9]{2}:?[0-9]{2}|[zZ])$', 1), ''
        ) as utc_offset,
        cast(event_date as date) as event_date,
        cast(load_date as date) as load_date,
        cast(_loaded_at as timestamp) as _loaded_at
    from source

),

deduplicated as (

    select
        user_id,
        event_type,
        flyer_id,
        merchant_id,
        event_ts,
        event_ts_local,
        utc_offset,
        event_date,
        min(load_date) as load_date,
        min(_loaded_at) as _loaded_at,
        count(*) as n_copies
    from renamed
    group by
        user_id,
        event_type,
        flyer_id,
        merchant_id,
        event_ts,
        event_ts_local,
        utc_offset,
        event_date

)

select /*+ rebalance(event_date) */
    {{ surrogate_key([
        'user_id', 'event_type', 'flyer_id', 'merchant_id',
        'event_ts', 'event_ts_local', 'utc_offset',
    ]) }} as event_id,
    user_id,
    event_type,
    flyer_id,
    merchant_id,
    event_ts,
    event_ts_local,
    utc_offset,
    n_copies,
    event_date,
    load_date,
    _loaded_at
from deduplicated
