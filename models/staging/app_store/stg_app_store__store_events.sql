{#- One row per distinct store event; the SQL is shared with the ad platform's stream
    (macros/models/device_events.sql). -#}
{{ stg_device_events(source('app_store', 'store_events'), 'app_id') }}
