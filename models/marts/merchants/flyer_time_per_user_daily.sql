{#-
    Average time on flyer per user and reporting-tz day (the seed's task 1.1), from the
    views that started that day. DECIMAL(18,2), rounded half-up.
-#}

with

flyer_views as (

    select * from {{ ref('fct_flyer_views') }}

),

per_user_day as (

    select
        user_id,
        view_date,
        count(*) as view_count,
        count(distinct flyer_id) as flyer_count,
        sum(view_seconds) as total_seconds,
        avg(cast(view_seconds as decimal(18, 2))) as avg_seconds_exact,
        max(_loaded_at) as _loaded_at
    from flyer_views
    group by user_id, view_date

)

select
    {{ surrogate_key(['user_id', 'view_date']) }} as flyer_time_per_user_daily_id,
    user_id,
    view_date,
    view_count,
    flyer_count,
    cast(total_seconds as decimal(18, 2)) as total_time_spent_secs,
    cast(round(avg_seconds_exact, 2) as decimal(18, 2)) as avg_time_spent_secs,
    _loaded_at
from per_user_day
