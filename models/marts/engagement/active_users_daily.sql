{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['activity_date'],
        on_schema_change='fail',
    )
}}

{#-
    DAU, WAU and MAU per product and overall ('all'), per reporting-tz day, as exact
    distinct actor counts. An actor is in a window [d - n + 1, d] when it has an active
    day a in it whose previous active day is before the window: that is its first active
    day in the window, so each actor counts once. Counting this from pre-aggregated
    (day, previous day) pairs needs only the last 31 days of fct_actor_days.
-#}

{%- set start = incremental_start(
    [ref('fct_actor_days')], 'activity_date', 'activity_date') %}
{%- set end = incremental_end() %}

with

actor_days as (

    select * from {{ ref('fct_actor_days') }}
    where {{ window_filter('activity_date', start, none, offset_days=31) }}

),

day_pairs as (

    select
        product,
        activity_date,
        previous_activity_date,
        count(*) as n_actors,
        sum(case when first_activity_date = activity_date then 1 else 0 end) as n_new,
        max(_loaded_at) as _loaded_at
    from actor_days
    group by product, activity_date, previous_activity_date

),

calendar as (

    select
        explode(sequence(
            {% if start %}date '{{ start }}'{% else %}min(activity_date){% endif %},
            max(activity_date),
            interval 1 day
        )) as report_date
    from actor_days

),

windowed as (

    select
        day_pairs.product,
        calendar.report_date,
        day_pairs.activity_date,
        day_pairs.previous_activity_date,
        day_pairs.n_actors,
        day_pairs.n_new,
        day_pairs._loaded_at
    from calendar
    inner join day_pairs
        on
            day_pairs.activity_date between date_sub(calendar.report_date, 30)
            and calendar.report_date

),

counted as (

    select
        product,
        report_date,
        {%- for days in [7, 28, 30] %}
            sum(case
                when
                    activity_date > date_sub(report_date, {{ days }})
                    and coalesce(previous_activity_date <= date_sub(report_date, {{ days }}), true)
                    then n_actors
                else 0
            end) as active_rolling_{{ days }}d,
        {%- endfor %}
        {%- for grain, unit in [('week', 'week'), ('month', 'MM')] %}
            sum(case
                when
                    activity_date >= trunc(report_date, '{{ unit }}')
                    and coalesce(previous_activity_date < trunc(report_date, '{{ unit }}'), true)
                    then n_actors
                else 0
            end) as active_calendar_{{ grain }},
        {%- endfor %}
        sum(case when activity_date = report_date then n_actors else 0 end) as dau,
        sum(case when activity_date = report_date then n_new else 0 end) as new_actors,
        sum(case
            when
                activity_date = report_date
                and previous_activity_date < date_sub(report_date, 30)
                then n_actors
            else 0
        end) as resurrected_actors,
        max(_loaded_at) as _loaded_at
    from windowed
    group by product, report_date

)

select /*+ rebalance(activity_date) */
    {{ surrogate_key(['product', 'report_date']) }} as active_users_daily_id,
    product,
    dau,
    active_rolling_7d as wau_rolling_7d,
    active_rolling_28d as mau_rolling_28d,
    active_rolling_30d as mau_rolling_30d,
    active_calendar_week as wau_calendar_week,
    active_calendar_month as mau_calendar_month,
    cast(try_divide(dau, active_rolling_30d) as decimal(10, 4)) as stickiness_dau_mau_30d,
    new_actors,
    dau - new_actors - resurrected_actors as returning_actors,
    resurrected_actors,
    _loaded_at,
    report_date as activity_date
from counted
{%- if end %}
    where report_date <= date_add(date '{{ end }}', 30)
{%- endif %}
