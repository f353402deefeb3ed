{#- One row per quarantined raw row. Incremental on load_date: a run rewrites the load
    days loaded since the last one (and the lookback), so its tests read those days. -#}

{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['load_date'],
        on_schema_change='fail',
    )
}}

{%- set start = incremental_start([source('loader', 'load_quarantine')], 'load_date', 'load_date') %}
{%- set end = incremental_end() %}

with

source as (

    select * from {{ source('loader', 'load_quarantine') }}
    where {{ window_filter('load_date', start, end) }}

)

select
    {{ surrogate_key(['source_file', 'row_number', 'reason']) }} as quarantine_id,
    source_name,
    table_name,
    source_file,
    cast(row_number as bigint) as row_number,
    reason,
    -- the reason without the offending value, for grouping
    trim(regexp_extract(reason, '^([^:]*)', 1)) as reason_kind,
    raw_text,
    cast(_loaded_at as timestamp) as _loaded_at,
    cast(load_date as date) as load_date
from source
