{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['event_date'],
        on_schema_change='fail',
    )
}}

{%- set start = incremental_start([source('notes_app', 'user_interactions')]) %}
{%- set end = incremental_end() %}

with

source as (

    select * from {{ source('notes_app', 'user_interactions') }}
    where {{ window_filter('event_date', start, end) }}

),

renamed as (

    select
        trim(user_id) as user_id,
        cast(_event_ts as timestamp) as event_ts,
        lower(trim(action_type)) as action_type,
        {{ placeholder_to_null('page_id') }} as page_id,
        try_cast(trim(duration_ms) as bigint) as duration_ms,
        {{ placeholder_to_null('app_version') }} as app_version,
        cast(event_date as date) as event_date,
        cast(load_date as date) as load_date,
        cast(_loaded_at as timestamp) as _loaded_at
    from source

),

deduplicated as (

    select
        user_id,
        event_ts,
        action_type,
        page_id,
        duration_ms,
        app_version,
        event_date,
        min(load_date) as load_date,
        min(_loaded_at) as _loaded_at,
        count(*) as n_copies
    from renamed
    group by user_id, event_ts, action_type, page_id, duration_ms, app_version, event_date

)

select /*+ rebalance(event_date) */
    {{ surrogate_key([
        'user_id', 'event_ts', 'action_type', 'page_id', 'duration_ms', 'app_version',
    ]) }} as event_id,
    user_id,
    event_ts,
    action_type,
    page_id,
    duration_ms,
    app_version,
    coalesce(
        duration_ms < 0 or duration_ms > {{ var('max_interaction_ms') }},
        true
    ) as is_outlier,
    event_date,
    n_copies,
    load_date,
    _loaded_at
from deduplicated
