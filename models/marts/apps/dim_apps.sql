{#- One row per Play Store app (keyed by the source app_id); see int_apps_deduplicated. -#}

with

apps as (

    select * from {{ ref('int_apps_deduplicated') }}

)

select
    app_id,
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
    n_variants,
    _loaded_at
from apps
