{#-
    The Play Store catalogue, cleaned: sizes `19M` -> 19000000 and `14k` -> 14000 bytes,
    `Varies with device` (or 0, the cleaned files' spelling of it) -> null with
    size_varies_with_device = true; installs
    `10,000+` -> 10000; price `$0.99` -> 0.99; last_updated `January 7, 2018` -> a
    date; empty and NaN values -> null. Exact duplicates (483 in the Kaggle file, and
    the same row in several snapshots) collapse into one row; apps whose duplicate rows
    disagree keep every variant here (int_apps_deduplicated picks one).
-#}

{%- set catalogue_columns = ['app_name'] + play_store_app_attributes() -%}

with

source as (

    select * from {{ source('play_store', 'apps') }}

),

renamed as (

    select
        trim(app) as app_name,
        {{ placeholder_to_null('category') }} as category,
        try_cast({{ placeholder_to_null('rating') }} as double) as rating,
        cast(try_cast({{ placeholder_to_null('reviews') }} as decimal(20, 0)) as bigint)
            as reviews,
        {{ app_size_bytes('size') }} as size_bytes,
        {{ app_size_varies('size') }} as size_varies_with_device,
        {{ installs_count('installs') }} as installs,
        {{ placeholder_to_null('type') }} as app_type,
        {{ price_amount('price') }} as price,
        {{ placeholder_to_null('content_rating') }} as content_rating,
        {{ placeholder_to_null('genres') }} as genres,
        {{ last_updated_date('last_updated') }} as last_updated,
        {{ placeholder_to_null('current_version') }} as current_version,
        {{ placeholder_to_null('android_version') }} as android_version,
        cast(event_date as date) as snapshot_date,
        cast(load_date as date) as load_date,
        cast(_loaded_at as timestamp) as _loaded_at
    from source

),

deduplicated as (

    select
        {{ catalogue_columns | join(',\n        ') }},
        max(snapshot_date) as snapshot_date,
        min(load_date) as load_date,
        min(_loaded_at) as _loaded_at,
        count(*) as n_copies
    from renamed
    group by
        {{ catalogue_columns | join(',\n        ') }}

)

select
    {{ surrogate_key([
        'app_name', 'category', 'rating', 'reviews', 'size_bytes',
        'size_varies_with_device', 'installs', 'app_type', 'price', 'content_rating',
        'genres', 'last_updated', 'current_version', 'android_version',
    ]) }} as catalogue_row_id,
    *
from deduplicated
