{#-
    Per source and event day (UTC partition): raw rows, exact duplicates removed in
    staging, events kept, notes-app outliers (durations outside 0..2 h, kept in
    fct_events but left out of every metric) and events of unknown type. Nothing is
    dropped silently: raw_rows = events + duplicate_rows.
-#}

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
            sum(n_copies - 1) as duplicate_rows
        from {{ ref(model) }}
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
    group by source, event_date

)

select
    {{ surrogate_key(['staged.source', 'staged.event_date']) }} as data_quality_daily_id,
    staged.source,
    staged.event_date,
    staged.raw_rows,
    staged.duplicate_rows,
    coalesce(events.events, 0) as events,
    coalesce(events.outlier_events, 0) as outlier_events,
    coalesce(events.unknown_event_types, 0) as unknown_event_types
from staged
left join events
    on
        staged.source = events.source
        and staged.event_date = events.event_date
