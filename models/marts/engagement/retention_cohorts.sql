{#-
    Acquisition cohorts per product: actors grouped by the week (or month) of their first
    active day, and the share of the cohort active in each later period N (N = 0 is the
    acquisition period itself, so its share is 1).
-#}

with

actor_days as (

    select * from {{ ref('fct_actor_days') }}

),

{%- for grain, unit in [('week', 'week'), ('month', 'MM')] %}

    {{ grain }}_activity as (

        select distinct
            product,
            actor_key,
            trunc(first_activity_date, '{{ unit }}') as cohort_start,
            trunc(activity_date, '{{ unit }}') as period_start
        from actor_days

    ),

    {{ grain }}_periods as (

        select
            '{{ grain }}' as cohort_grain,
            product,
            cohort_start,
            {%- if grain == 'week' %}
                cast(datediff(period_start, cohort_start) / 7 as int) as period_number,
            {%- else %}
                cast(months_between(period_start, cohort_start) as int) as period_number,
            {%- endif %}
            count(*) as active_actors
        from {{ grain }}_activity
        group by product, cohort_start, period_start

    ),
{%- endfor %}

periods as (

    select * from week_periods
    union all
    select * from month_periods

),

cohort_sizes as (

    select
        cohort_grain,
        product,
        cohort_start,
        active_actors as cohort_size
    from periods
    where period_number = 0

)

select
    {{ surrogate_key(['periods.cohort_grain', 'periods.product', 'periods.cohort_start',
        'periods.period_number']) }} as retention_cohort_id,
    periods.cohort_grain,
    periods.product,
    periods.cohort_start,
    periods.period_number,
    cohort_sizes.cohort_size,
    periods.active_actors,
    cast(try_divide(periods.active_actors, cohort_sizes.cohort_size) as decimal(10, 4))
        as retention_rate
from periods
inner join cohort_sizes
    on
        periods.cohort_grain = cohort_sizes.cohort_grain
        and periods.product = cohort_sizes.product
        and periods.cohort_start = cohort_sizes.cohort_start
