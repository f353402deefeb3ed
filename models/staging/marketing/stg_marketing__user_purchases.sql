{#- One row per distinct purchase. Incremental on event_date, as the clickstream: a
    day's rows are deduplicated among every load of that day. -#}

{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['event_date'],
        on_schema_change='fail',
    )
}}

{%- set start = incremental_start([source('marketing', 'user_purchases')]) %}
{%- set end = incremental_end() %}

with

source as (

    select * from {{ source('marketing', 'user_purchases') }}
    where {{ window_filter('event_date', start, end) }}

),

renamed as (

    select
        trim(purchase_id) as purchase_id,
        cast(_event_ts as timestamp) as purchase_ts,
        try_cast(trim(billing_cost) as decimal(12, 2)) as billing_cost,
        case lower(trim(is_confirmed))
            when 'true' then true
            when 'false' then false
        end as is_confirmed,
        cast(event_date as date) as event_date,
        cast(load_date as date) as load_date,
        cast(_loaded_at as timestamp) as _loaded_at
    from source

),

deduplicated as (

    select
        purchase_id,
        purchase_ts,
        billing_cost,
        is_confirmed,
        event_date,
        min(load_date) as load_date,
        min(_loaded_at) as _loaded_at,
        count(*) as n_copies
    from renamed
    group by purchase_id, purchase_ts, billing_cost, is_confirmed, event_date

)

select
    purchase_id,
    purchase_ts,
    billing_cost,
    is_confirmed,
    load_date,
    _loaded_at,
    n_copies,
    event_date
from deduplicated
