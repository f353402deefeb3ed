{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['activity_date'],
        on_schema_change='fail',
    )
}}

{#-
    One row per actor, product and reporting-tz day with at least one engaging, valid
    event. `product` is the source, plus 'all' for the actor across every source of its
    identity space (a device in both ad and store streams counts once). Each row carries
    the actor's previous active day and first active day for that product, which is all
    the rolling windows, new/returning/resurrected counts and cohorts need.
-#}

{%- set start = incremental_start([ref('fct_events')], 'local_date', 'activity_date') %}
{%- set end = incremental_end() %}

with

events as (

    select * from {{ ref('fct_events') }}
    where
        {{ window_filter('event_date', start, end, offset_days=1) }}
        and {{ window_filter('local_date', start, end) }}
        and is_engaging
        and not is_outlier

),

per_source as (

    select
        actor_key,
        identity_space,
        actor_id,
        source as product,
        local_date as activity_date,
        count(*) as engaging_events,
        max(_loaded_at) as _loaded_at
    from events
    group by actor_key, identity_space, actor_id, source, local_date

),

all_products as (

    select
        actor_key,
        identity_space,
        actor_id,
        'all' as product,
        activity_date,
        sum(engaging_events) as engaging_events,
        max(_loaded_at) as _loaded_at
    from per_source
    group by actor_key, identity_space, actor_id, activity_date

),

actor_days as (

    select * from per_source
    union all
    select * from all_products

),

{% if start %}
    history as (

    -- what earlier days, already built, say about each actor
        select
            actor_key,
            product,
            min(first_activity_date) as first_activity_date,
            max(activity_date) as last_activity_date
        from {{ this }}
        where activity_date < date '{{ start }}'
        group by actor_key, product

    ),
{% else %}
    history as (

        select
            cast(null as string) as actor_key,
            cast(null as string) as product,
            cast(null as date) as first_activity_date,
            cast(null as date) as last_activity_date
        where false

    ),
{% endif %}

sequenced as (

    select
        actor_days.*,
        lag(actor_days.activity_date) over (
            partition by actor_days.actor_key, actor_days.product
            order by actor_days.activity_date
        ) as previous_in_window,
        min(actor_days.activity_date) over (
            partition by actor_days.actor_key, actor_days.product
        ) as first_in_window
    from actor_days

)

select /*+ rebalance(activity_date) */
    sequenced.actor_key,
    sequenced.identity_space,
    sequenced.actor_id,
    sequenced.product,
    sequenced.engaging_events,
    coalesce(sequenced.previous_in_window, history.last_activity_date)
        as previous_activity_date,
    coalesce(history.first_activity_date, sequenced.first_in_window)
        as first_activity_date,
    sequenced._loaded_at,
    sequenced.activity_date
from sequenced
left join history
    on
        sequenced.actor_key = history.actor_key
        and sequenced.product = history.product
