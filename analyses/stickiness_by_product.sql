-- Average DAU, rolling 30-day MAU and stickiness per product over the last 28 days of
-- data: the question a product review starts with. Compile with `pulse dbt compile`.
with

active_users as (

    select * from {{ ref('active_users_daily') }}

),

recent as (

    select *
    from active_users
    where activity_date > (select date_sub(max(activity_date), 28) from active_users)

)

select
    product,
    avg(dau) as avg_dau,
    avg(mau_rolling_30d) as avg_mau_30d,
    avg(stickiness_dau_mau_30d) as avg_stickiness
from recent
group by product
order by product
