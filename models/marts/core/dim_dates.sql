{#- One row per reporting-tz day from the first to the last event of any source. -#}

with

bounds as (

    select
        min(local_date) as first_date,
        max(local_date) as last_date
    from {{ ref('fct_events') }}

),

days as (

    select explode(sequence(first_date, last_date, interval 1 day)) as date_day
    from bounds

)

select
    date_day,
    trunc(date_day, 'week') as week_start,
    trunc(date_day, 'MM') as month_start,
    year(date_day) as year_number,
    month(date_day) as month_number,
    dayofmonth(date_day) as day_of_month,
    dayofweek(date_day) as day_of_week,
    date_format(date_day, 'EEEE') as day_name,
    date_format(date_day, 'yyyy-MM') as year_month,
    dayofweek(date_day) in (1, 7) as is_weekend
from days
