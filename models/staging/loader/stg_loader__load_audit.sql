{#- One row per loaded (or skipped) file. Incremental on load_date: a run rewrites the
    load days loaded since the last one (and the lookback), so its tests read those days. -#}

{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['load_date'],
        on_schema_change='fail',
    )
}}

{%- set start = incremental_start([source('loader', 'load_audit')], 'load_date', 'load_date') %}
{%- set end = incremental_end() %}

with

source as (

    select * from {{ source('loader', 'load_audit') }}
    where {{ window_filter('load_date', start, end) }}

)

select
    {{ surrogate_key(['source_file', 'checksum']) }} as load_id,
    source_name,
    table_name,
    source_file,
    file_name,
    checksum,
    cast(rows_read as bigint) as rows_read,
    cast(rows_loaded as bigint) as rows_loaded,
    cast(rows_rejected as bigint) as rows_rejected,
    status,
    nullif(extra_columns, '') as extra_columns,
    nullif(missing_columns, '') as missing_columns,
    cast(started_at as timestamp) as started_at,
    cast(_loaded_at as timestamp) as _loaded_at,
    cast(load_date as date) as load_date
from source
