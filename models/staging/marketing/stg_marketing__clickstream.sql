{#-
    `attributes` comes in two forms: a Python-dict literal with single quotes on app_open
    (`{'campaign_id': 296, 'channel_id': 'Google Ads'}`) and JSON on purchase
    (`{"purchase_id": "<uuid>"}`). Spark's get_json_object reads both (its JSON parser
    accepts single quotes) and returns numbers as text, so campaign 296 and '1' are
    both strings.
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['event_date'],
        on_schema_change='fail',
    )
}}

{%- set start = incremental_start([source('marketing', 'clickstream')]) %}
{%- set end = incremental_end() %}


with

source as (

    select * from {{ source('marketing', 'clickstream') }}
    where {{ window_filter('event_date', start, end) }}

),

renamed as (

    select
        trim(event_id) as event_id,
        trim(user_id) as user_id,
        lower(trim(event_type)) as event_type,
        cast(_event_ts as timestamp) as event_ts,
        nullif(trim(attributes), '') as attributes,
        cast(event_date as date) as event_date,
        cast(load_date as date) as load_date,
        cast(_loaded_at as timestamp) as _loaded_at
    from source

),

deduplicated as (

    select
        event_id,
        user_id,
        event_type,
        event_ts,
        attributes,
        event_date,
        min(load_date) as load_date,
        min(_loaded_at) as _loaded_at,
        count(*) as n_copies
    from renamed
    group by event_id, user_id, event_type, event_ts, attributes, event_date

),

parsed as (

    select
        event_id,
        user_id,
        event_type,
        event_ts,
        {{ placeholder_to_null("get_json_object(attributes, '$.campaign_id')") }}
            as campaign_id,
        {{ placeholder_to_null("get_json_object(attributes, '$.channel_id')") }}
            as channel_id,
        {{ placeholder_to_null("get_json_object(attributes, '$.purchase_id')") }}
            as purchase_id,
        attributes,
        n_copies,
        event_date,
        load_date,
        _loaded_at
    from deduplicated

)

select /*+ rebalance(event_date) */ * from parsed
