-- Average DAU, rolling 30-day MAU and stickiness per product over the last 28 days of
-- data: the question a product review starts with. Compile with `pulse dbt compile`.
with

active_users as (

    select * from {{ ref('active_users_daily') }}

),

latest as (

    select max(activity_date) as last_date
    from active_users

),

recent as (

    select active_users.*
    from active_users
    cross join latest
    where active_users.activity_date > date_sub(latest.last_date, 28)

)

select
    product,
    avg(dau) as avg_dau,
    avg(mau_rolling_30d) as avg_mau_30d,
    avg(stickiness_dau_mau_30d) as avg_stickiness
from recent
group by product
order by product
