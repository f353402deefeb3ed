{#-
    Store conversion per app, country and reporting-tz month, counted in distinct devices:
    devices that downloaded / devices that viewed the app page (app_view). The seed
    grouped devices by country before counting; here a device counts once per (app,
    country, month) group it appears in, and `all` countries counts it once overall.
    Incremental by month: a run rebuilds the newest month and any earlier month that
    newly loaded events reach (a month's distinct devices cannot be summed from days).
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['month_start'],
        on_schema_change='fail',
    )
}}

{%- set start = incremental_start([ref('fct_events')], 'local_date', 'last_day(month_start)') %}
{%- set end = incremental_end() %}

with

store_events as (

    select * from {{ ref('fct_events') }}
    where
        source = 'app_store'
        and app_id is not null
        and {{ month_window_filter(start, end) }}

),

funnel as (

    {{ monthly_device_funnel('store_events', 'app_id', 'app_view', 'download') }}

)

select /*+ rebalance(month_start) */
    {{ surrogate_key(['app_id', 'country', 'month_start']) }} as store_funnel_monthly_id,
    app_id,
    country,
    devices_shown as devices_viewed,
    devices_acted as devices_downloaded,
    cast(try_divide(devices_acted, devices_shown) as decimal(10, 4)) as conversion_rate,
    _loaded_at,
    month_start
from funnel
