{#-
    Downloads and minutes spent per day, app category, user age band and user location.
    Category comes from dim_apps (one per app); age band and location are the user's at
    the download. Minutes exist only for batch downloads (downloads_with_minutes says
    how many carried them).
-#}

with

downloads as (

    select * from {{ ref('fct_app_downloads') }}

),

apps as (

    select * from {{ ref('dim_apps') }}

),

joined as (

    select
        downloads.download_date,
        coalesce(apps.category, 'unknown') as category,
        downloads.age_band,
        coalesce(downloads.user_location, 'unknown') as user_location,
        downloads.user_id,
        downloads.app_id,
        downloads.time_spent_min,
        downloads._loaded_at
    from downloads
    left join apps
        on downloads.app_id = apps.app_id

),

aggregated as (

    select
        download_date,
        category,
        age_band,
        user_location,
        count(*) as downloads,
        count(distinct user_id) as users,
        count(distinct app_id) as apps,
        count(time_spent_min) as downloads_with_minutes,
        coalesce(sum(cast(time_spent_min as bigint)), 0) as minutes_spent,
        max(_loaded_at) as _loaded_at
    from joined
    group by download_date, category, age_band, user_location

)

select
    {{ surrogate_key(['download_date', 'category', 'age_band', 'user_location']) }}
        as app_downloads_daily_id,
    *
from aggregated
