{#-
    Ad click-through per ad, country and reporting-tz month, counted in distinct devices:
    devices that clicked / devices shown the ad (display). The seed grouped devices by
    country before counting; here a device counts once per (ad, country, month) group
    it appears in, and `all` countries counts it once overall.
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

ad_events as (

    select * from {{ ref('fct_events') }}
    where
        source = 'ad_platform'
        and ad_id is not null
        and {{ month_window_filter(start, end) }}

),

funnel as (

    {{ monthly_device_funnel('ad_events', 'ad_id', 'display', 'click') }}

)

select /*+ rebalance(month_start) */
    {{ surrogate_key(['ad_id', 'country', 'month_start']) }} as ad_funnel_monthly_id,
    ad_id,
    country,
    devices_shown as devices_displayed,
    devices_acted as devices_clicked,
    cast(try_divide(devices_acted, devices_shown) as decimal(10, 4)) as click_through_rate,
    _loaded_at,
    month_start
from funnel
