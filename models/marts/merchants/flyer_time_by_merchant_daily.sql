{#-
    Per merchant, flyer, user and reporting-tz day: total and average seconds spent
    viewing the flyer (the merchant-facing BI table, the seed's task 1.2). A view is
    credited to the flyer being viewed (the earlier event of the gap), not to the flyer
    opened next as the seed did. DECIMAL(18,2), rounded half-up.
-#}

with

flyer_views as (

    select * from {{ ref('fct_flyer_views') }}

),

per_flyer_user_day as (

    select
        merchant_id,
        flyer_id,
        user_id,
        view_date,
        count(*) as view_count,
        sum(view_seconds) as total_seconds,
        avg(cast(view_seconds as decimal(18, 2))) as avg_seconds_exact,
        max(_loaded_at) as _loaded_at
    from flyer_views
    group by merchant_id, flyer_id, user_id, view_date

)

select
    {{ surrogate_key(['merchant_id', 'flyer_id', 'user_id', 'view_date']) }}
        as flyer_time_by_merchant_daily_id,
    merchant_id,
    flyer_id,
    user_id,
    view_date,
    view_count,
    cast(total_seconds as decimal(18, 2)) as total_time_spent_secs,
    cast(round(avg_seconds_exact, 2) as decimal(18, 2)) as avg_time_spent_secs,
    _loaded_at
from per_flyer_user_day
