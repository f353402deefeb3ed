{#- One row per distinct store event; the SQL is shared with the ad platform's stream
    (macros/models/device_events.sql). -#}

{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['event_date'],
        on_schema_change='fail',
    )
}}

{{ stg_device_events(source('app_store', 'store_events'), 'app_id') }}
