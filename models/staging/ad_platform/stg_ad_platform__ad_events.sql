{#- One row per distinct ad event; the SQL is shared with the app store's stream
    (macros/models/device_events.sql). -#}

{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['event_date'],
        on_schema_change='fail',
    )
}}

{{ stg_device_events(source('ad_platform', 'ad_events'), 'ad_id') }}
