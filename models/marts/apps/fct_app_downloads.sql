{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['event_date'],
        on_schema_change='fail',
    )
}}

{#-
    One row per Play Store download. download_date is the day of the download: the
    batch file gives only a calendar day (kept as it is, not shifted by the reporting
    time zone), the stream gives a timestamp (its reporting-tz day). The user's age,
    age band and location are as sent with the download (they can change; dim_app_users
    holds the latest). Incremental: insert_overwrite of the UTC event_date partitions
    that newly loaded rows or the lookback window touch.
-#}

{%- set start = incremental_start([source('play_store', 'app_downloads')]) %}
{%- set end = incremental_end() %}

with

downloads as (

    select * from {{ ref('stg_play_store__app_downloads') }}
    where {{ window_filter('event_date', start, end) }}

)

select /*+ rebalance(event_date) */
    event_id as download_id,
    user_id,
    app_id,
    download_ts,
    case
        when is_date_only then to_date(download_ts)
        else {{ reporting_date('download_ts') }}
    end as download_date,
    is_date_only,
    time_spent_min,
    user_age,
    age_band,
    user_location,
    source_event_id,
    load_date,
    _loaded_at,
    event_date
from downloads
