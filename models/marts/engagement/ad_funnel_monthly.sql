{#-
    Ad click-through per ad, country and reporting-tz month, counted in distinct devices:
    devices that clicked / devices shown the ad (display). The seed grouped devices by
    country before counting; here a device counts once per (ad, country, month) group
    it appears in, and `all` countries counts it once overall.
-#}

with

ad_events as (

    select * from {{ ref('fct_events') }}
    where source = 'ad_platform' and ad_id is not null

),

funnel as (

    {{ monthly_device_funnel('ad_events', 'ad_id', 'display', 'click') }}

)

select
    {{ surrogate_key(['ad_id', 'country', 'month_start']) }} as ad_funnel_monthly_id,
    ad_id,
    country,
    month_start,
    devices_shown as devices_displayed,
    devices_acted as devices_clicked,
    cast(try_divide(devices_acted, devices_shown) as decimal(10, 4)) as click_through_rate
from funnel
