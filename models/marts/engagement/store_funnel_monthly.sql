{#-
    Store conversion per app, country and reporting-tz month, counted in distinct devices:
    devices that downloaded / devices that viewed the app page (app_view). The seed grouped devices by
    country before counting; here a device counts once per (ad, country, month) group
    it appears in, and `all` countries counts it once overall.
-#}

with

store_events as (

    select * from {{ ref('fct_events') }}
    where source = 'app_store' and app_id is not null

),

by_country as (

    select
        app_id,
        coalesce(country, 'unknown') as country,
        trunc(local_date, 'MM') as month_start,
        count(distinct case when event_type = 'app_view' then actor_key end) as devices_viewed,
        count(distinct case when event_type = 'download' then actor_key end) as devices_downloaded
    from store_events
    group by app_id, coalesce(country, 'unknown'), trunc(local_date, 'MM')

),

all_countries as (

    select
        app_id,
        'all' as country,
        trunc(local_date, 'MM') as month_start,
        count(distinct case when event_type = 'app_view' then actor_key end) as devices_viewed,
        count(distinct case when event_type = 'download' then actor_key end) as devices_downloaded
    from store_events
    group by app_id, trunc(local_date, 'MM')

),

funnel as (

    select * from by_country
    union all
    select * from all_countries

)

select
    {{ surrogate_key(['app_id', 'country', 'month_start']) }} as store_funnel_monthly_id,
    app_id,
    country,
    month_start,
    devices_viewed,
    devices_downloaded,
    cast(try_divide(devices_downloaded, devices_viewed) as decimal(10, 4)) as conversion_rate
from funnel
