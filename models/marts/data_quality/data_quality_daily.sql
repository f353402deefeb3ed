{#-
    Per source and event day (UTC partition): raw rows, exact duplicates removed in
    staging, events kept, notes-app outliers (durations outside 0..2 h, kept in
    fct_events but left out of every metric) and events of unknown type. Nothing is
    dropped silently: raw_rows = events + duplicate_rows. Incremental: a run rebuilds the
    event days that new raw rows (of any source) or the lookback window touch.
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['event_date'],
        on_schema_change='fail',
    )
}}

{%- set start = incremental_start([
    source('ad_platform', 'ad_events'),
    source('app_store', 'store_events'),
    source('flyers', 'flyer_events'),
    source('notes_app', 'user_interactions'),
    source('marketing', 'clickstream'),
    source('play_store', 'app_downloads'),
]) %}
{%- set end = incremental_end() %}

with

staged as (

    {%- for source, model in [
        ('ad_platform', 'stg_ad_platform__ad_events'),
        ('app_store', 'stg_app_store__store_events'),
        ('flyers', 'stg_flyers__flyer_events'),
        ('notes_app', 'stg_notes_app__user_interactions'),
        ('marketing', 'stg_marketing__clickstream'),
        ('play_store', 'stg_play_store__app_downloads'),
    ] %}
        select
            '{{ source }}' as source,
            event_date,
            sum(n_copies) as raw_rows,
            sum(n_copies - 1) as duplicate_rows,
            max(_loaded_at) as _loaded_at
        from {{ ref(model) }}
        where {{ window_filter('event_date', start, end) }}
        group by event_date
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

events as (

    select
        source,
        event_date,
        count(*) as events,
        sum(case when is_outlier then 1 else 0 end) as outlier_events,
        sum(case when not is_known_event_type then 1 else 0 end) as unknown_event_types
    from {{ ref('fct_events') }}
    where {{ window_filter('event_date', start, end) }}
    group by source, event_date

)

select /*+ rebalance(event_date) */
    {{ surrogate_key(['staged.source', 'staged.event_date']) }} as data_quality_daily_id,
    staged.source,
    staged.event_date,
    staged.raw_rows,
    staged.duplicate_rows,
    coalesce(events.events, 0) as events,
    coalesce(events.outlier_events, 0) as outlier_events,
    coalesce(events.unknown_event_types, 0) as unknown_event_types,
    staged._loaded_at
from staged
left join events
    on
        staged.source = events.source
        and staged.event_date = events.event_date
