{#-
    One row per distinct download event, from the batch file (a download date and
    minutes spent) and the stream files (a timestamp, no minutes). App attributes are
    cleaned as in stg_play_store__apps; the stream file that was already cleaned
    (bytes, integers, ISO dates, 0.0 for `Varies with device`) gives the same values.
    Both files number their rows from 0, so the source event_id is not a key: event_id
    is the md5 of every business column (file-independent), after exact duplicates
    are collapsed.
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['event_date'],
        on_schema_change='fail',
    )
}}

{%- set start = incremental_start([source('play_store', 'app_downloads')]) %}
{%- set end = incremental_end() %}

{%- set download_columns = [
    'source_event_id', 'user_id', 'app_id', 'download_ts', 'is_date_only', 'time_spent_min',
    'user_name', 'user_age', 'user_location', 'app_name',
] + play_store_app_attributes() + ['event_date'] -%}

with

source as (

    select * from {{ source('play_store', 'app_downloads') }}
    where {{ window_filter('event_date', start, end) }}

),

renamed as (

    select
        trim(event_id) as source_event_id,
        trim(user_id) as user_id,
        coalesce(
            cast(cast(try_cast(trim(app_id) as decimal(20, 0)) as bigint) as string),
            {{ placeholder_to_null('app_id') }}
        ) as app_id,
        cast(_event_ts as timestamp) as download_ts,
        length(trim(download_date)) <= 10 as is_date_only,
        cast(try_cast({{ placeholder_to_null('time_spent_min') }} as decimal(12, 1)) as int)
            as time_spent_min,
        {{ placeholder_to_null('user_name') }} as user_name,
        cast(try_cast({{ placeholder_to_null('user_age') }} as decimal(5, 1)) as int) as user_age,
        {{ placeholder_to_null('user_location') }} as user_location,
        trim(app) as app_name,
        {{ placeholder_to_null('category') }} as category,
        try_cast({{ placeholder_to_null('rating') }} as double) as rating,
        cast(try_cast({{ placeholder_to_null('reviews') }} as decimal(20, 0)) as bigint)
            as reviews,
        {{ app_size_bytes('app_size') }} as size_bytes,
        {{ app_size_varies('app_size') }} as size_varies_with_device,
        {{ installs_count('installs') }} as installs,
        {{ placeholder_to_null('app_type') }} as app_type,
        {{ price_amount('price') }} as price,
        {{ placeholder_to_null('content_rating') }} as content_rating,
        {{ placeholder_to_null('genres') }} as genres,
        {{ last_updated_date('last_updated') }} as last_updated,
        {{ placeholder_to_null('current_version') }} as current_version,
        {{ placeholder_to_null('android_version') }} as android_version,
        cast(event_date as date) as event_date,
        cast(load_date as date) as load_date,
        cast(_loaded_at as timestamp) as _loaded_at
    from source

),

deduplicated as (

    select
        {{ download_columns | join(',\n        ') }},
        min(load_date) as load_date,
        min(_loaded_at) as _loaded_at,
        count(*) as n_copies
    from renamed
    group by
        {{ download_columns | join(',\n        ') }}

),

banded as (

    select
        *,
        case
            when user_age is null then 'unknown'
            when user_age < 18 then 'under 18'
            when user_age <= 24 then '18-24'
            when user_age <= 34 then '25-34'
            when user_age <= 44 then '35-44'
            when user_age <= 54 then '45-54'
            when user_age <= 64 then '55-64'
            else '65+'
        end as age_band
    from deduplicated

)

select /*+ rebalance(event_date) */
    {{ surrogate_key([
        'source_event_id', 'user_id', 'app_id', 'download_ts', 'is_date_only',
        'time_spent_min', 'user_name', 'user_age', 'user_location', 'app_name',
        'category', 'rating', 'reviews', 'size_bytes', 'installs', 'app_type', 'price',
        'content_rating', 'genres', 'last_updated', 'current_version', 'android_version',
    ]) }} as event_id,
    source_event_id,
    user_id,
    app_id,
    download_ts,
    is_date_only,
    event_date,
    time_spent_min,
    user_name,
    user_age,
    age_band,
    user_location,
    app_name,
    category,
    rating,
    reviews,
    size_bytes,
    size_varies_with_device,
    installs,
    app_type,
    price,
    content_rating,
    genres,
    last_updated,
    current_version,
    android_version,
    n_copies,
    load_date,
    _loaded_at
from banded
