{#- One row per Play Store app (keyed by the source app_id); see int_apps_deduplicated. -#}

with

apps as (

    select * from {{ ref('int_apps_deduplicated') }}

)

select
    app_id,
    app_name,
    {{ play_store_app_attributes() | join(',\n    ') }},
    n_variants,
    _loaded_at
from apps
