{#-
    The daily top 10 apps per category: ranked by downloads that day, then distinct
    users, then total minutes, then app_id (so ties are cut deterministically).
-#}

with

downloads as (

    select * from {{ ref('fct_app_downloads') }}

),

apps as (

    select * from {{ ref('dim_apps') }}

),

app_days as (

    select
        downloads.download_date,
        coalesce(apps.category, 'unknown') as category,
        downloads.app_id,
        apps.app_name,
        count(*) as downloads,
        count(distinct downloads.user_id) as users,
        coalesce(sum(cast(downloads.time_spent_min as bigint)), 0) as minutes_spent
    from downloads
    left join apps
        on downloads.app_id = apps.app_id
    group by
        downloads.download_date,
        coalesce(apps.category, 'unknown'),
        downloads.app_id,
        apps.app_name

),

ranked as (

    select
        *,
        row_number() over (
            partition by download_date, category
            order by
                downloads desc, users desc, minutes_spent desc, length(app_id) asc, app_id asc
        ) as chart_rank
    from app_days

)

select
    {{ surrogate_key(['download_date', 'category', 'chart_rank']) }} as app_top_charts_daily_id,
    download_date,
    category,
    chart_rank,
    app_id,
    app_name,
    downloads,
    users,
    minutes_spent
from ranked
where chart_rank <= 10
