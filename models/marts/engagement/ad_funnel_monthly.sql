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

by_country as (

    select
        ad_id,
        coalesce(country, 'unknown') as country,
        trunc(local_date, 'MM') as month_start,
        count(distinct case when event_type = 'display' then actor_key end) as devices_displayed,
        count(distinct case when event_type = 'click' then actor_key end) as devices_clicked
    from ad_events
    group by ad_id, coalesce(country, 'unknown'), trunc(local_date, 'MM')

),

all_countries as (

    select
        ad_id,
        'all' as country,
        trunc(local_date, 'MM') as month_start,
        count(distinct case when event_type = 'display' then actor_key end) as devices_displayed,
        count(distinct case when event_type = 'click' then actor_key end) as devices_clicked
    from ad_events
    group by ad_id, trunc(local_date, 'MM')

),

funnel as (

    select * from by_country
    union all
    select * from all_countries

)

select
    {{ surrogate_key(['ad_id', 'country', 'month_start']) }} as ad_funnel_monthly_id,
    ad_id,
    country,
    month_start,
    devices_displayed,
    devices_clicked,
    cast(try_divide(devices_clicked, devices_displayed) as decimal(10, 4)) as click_through_rate
from funnel
