{#- One row per distinct ad event; the SQL is shared with the app store's stream
    (macros/models/device_events.sql). -#}
{{ stg_device_events(source('ad_platform', 'ad_events'), 'ad_id') }}
