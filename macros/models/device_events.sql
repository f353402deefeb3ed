{#- The staging model of a device event stream (the ad platform's and the app store's
    share one shape and differ only in the id of what the event is about): ids trimmed,
    placeholders to null, the loader's UTC event time, exact duplicates collapsed. The
    model is an incremental table partitioned by event_date (duplicates share their
    event_date, so rebuilding a day's partition from that day's raw rows is exact). -#}
{% macro stg_device_events(source_relation, item_id) %}

{%- set start = incremental_start([source_relation]) %}
{%- set end = incremental_end() %}

with

source as (

    select * from {{ source_relation }}
    where {{ window_filter('event_date', start, end) }}

),

renamed as (

    select
        trim(device_id) as device_id,
        {{ placeholder_to_null(item_id) }} as {{ item_id }},
        lower(trim(event_type)) as event_type,
        {{ placeholder_to_null('country') }} as country,
        {{ placeholder_to_null('brand') }} as brand,
        cast(_event_ts as timestamp) as event_ts,
        cast(event_date as date) as event_date,
        cast(load_date as date) as load_date,
        cast(_loaded_at as timestamp) as _loaded_at
    from source

),

deduplicated as (

    select
        device_id,
        {{ item_id }},
        event_type,
        country,
        brand,
        event_ts,
        event_date,
        min(load_date) as load_date,
        min(_loaded_at) as _loaded_at,
        count(*) as n_copies
    from renamed
    group by device_id, {{ item_id }}, event_type, country, brand, event_ts, event_date

)

select /*+ rebalance(event_date) */
    {{ surrogate_key(['device_id', item_id, 'event_type', 'country', 'brand', 'event_ts']) }}
        as event_id,
    device_id,
    {{ item_id }},
    event_type,
    country,
    brand,
    event_ts,
    event_date,
    n_copies,
    load_date,
    _loaded_at
from deduplicated

{% endmacro %}

{#- A monthly device funnel over the events in `events` (a CTE with item_id, country,
    local_date, event_type, actor_key and _loaded_at): per item, country (and `all`
    countries) and reporting-tz month, the distinct devices with a `shown_event` and with
    an `acted_event`. A device counts once per group it appears in. -#}
{% macro monthly_device_funnel(events, item_id, shown_event, acted_event) %}
    select
        {{ item_id }},
        case when grouping(country_key) = 1 then 'all' else country_key end as country,
        month_start,
        count(distinct case when event_type = '{{ shown_event }}' then actor_key end)
            as devices_shown,
        count(distinct case when event_type = '{{ acted_event }}' then actor_key end)
            as devices_acted,
        max(_loaded_at) as _loaded_at
    from (
        select
            {{ item_id }},
            coalesce(country, 'unknown') as country_key,
            trunc(local_date, 'MM') as month_start,
            event_type,
            actor_key,
            _loaded_at
        from {{ events }}
    ) as keyed
    group by grouping sets (
        ({{ item_id }}, country_key, month_start),
        ({{ item_id }}, month_start)
    )
{% endmacro %}
